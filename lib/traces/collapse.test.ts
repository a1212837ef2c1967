import { describe, expect, it } from 'vitest';
import {
  collapseAll,
  collapseToDepth,
  descendantCount,
  reveal,
  toggleCollapsed,
  visibleNodes,
} from './collapse';
import { buildSpanTree } from './span-tree';
import { makeTrace } from './testdata/make-trace';

const tree = buildSpanTree(
  makeTrace([
    { id: 'root', start: 0, duration: 100 },
    { id: 'a', start: 1, duration: 50, parent: 'root' },
    { id: 'a1', start: 2, duration: 10, parent: 'a' },
    { id: 'a1x', start: 3, duration: 1, parent: 'a1' },
    { id: 'b', start: 60, duration: 20, parent: 'root' },
    { id: 'b1', start: 61, duration: 5, parent: 'b' },
  ]),
);
const keys = (collapsed: ReadonlySet<string>) => visibleNodes(tree, collapsed).map((n) => n.key);

describe('collapse state', () => {
  it('shows every span when nothing is collapsed', () => {
    expect(keys(new Set())).toEqual(['root', 'a', 'a1', 'a1x', 'b', 'b1']);
  });
  it('hides the whole subtree of a collapsed span, and only it', () => {
    expect(keys(new Set(['a']))).toEqual(['root', 'a', 'b', 'b1']);
    expect(keys(new Set(['a', 'b']))).toEqual(['root', 'a', 'b']);
  });
  it('keeps a collapsed span inside a collapsed span collapsed when its parent reopens', () => {
    let c = toggleCollapsed(new Set(), 'a1');
    c = toggleCollapsed(c, 'a');
    expect(keys(c)).toEqual(['root', 'a', 'b', 'b1']);
    c = toggleCollapsed(c, 'a');
    expect(keys(c)).toEqual(['root', 'a', 'a1', 'b', 'b1']);
  });
  it('collapses all, or down to a depth', () => {
    expect(keys(collapseAll(tree))).toEqual(['root']);
    expect(keys(collapseToDepth(tree, 1))).toEqual(['root', 'a', 'b']);
  });
  it('reveals a span by expanding its ancestors', () => {
    expect(keys(reveal(tree, collapseAll(tree), 'a1x'))).toEqual(['root', 'a', 'a1', 'a1x', 'b']);
  });
  it('counts the spans a collapsed row hides', () => {
    expect([descendantCount(tree, 'root'), descendantCount(tree, 'a'), descendantCount(tree, 'b1')]).toEqual([
      5, 2, 0,
    ]);
  });
});

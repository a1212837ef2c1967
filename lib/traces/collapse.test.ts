import { describe, expect, it } from 'vitest';
import {
  collapseAll,
  collapseToDepth,
  defaultCollapsed,
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

describe('defaultCollapsed', () => {
  it('opens a small trace fully and a big one to a depth, with wide fans folded', () => {
    const specs = [{ id: 'r', start: 0, duration: 100 }];
    // A chain r → d1 → d2 → d3 → d4, and a fan of 5 under r.
    for (let i = 1; i <= 4; i++)
      specs.push({ id: `d${i}`, start: i, duration: 1, parent: i === 1 ? 'r' : `d${i - 1}` } as never);
    for (let i = 0; i < 5; i++)
      specs.push({ id: `f${i}`, start: 10 + i, duration: 1, parent: 'd1' } as never);
    const tree = buildSpanTree(makeTrace(specs));
    expect(defaultCollapsed(tree).size).toBe(0);
    const folded = defaultCollapsed(tree, { aboveSpans: 3, depth: 2, aboveChildren: 4 });
    // d2 and d3 sit at depth 2 and more and have a child; d1 has 6 children (more than 4).
    expect([...folded].sort()).toEqual(['d1', 'd2', 'd3']);
    expect(tree.byKey.get('r')?.descendants).toBe(9);
    // A root with a wide fan stays open.
    expect(defaultCollapsed(tree, { aboveSpans: 3, depth: 5, aboveChildren: 0 }).has('r')).toBe(false);
  });
});

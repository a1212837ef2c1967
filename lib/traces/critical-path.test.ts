import { describe, expect, it } from 'vitest';
import { criticalPath, sectionsBySpan } from './critical-path';
import { buildSpanTree } from './span-tree';
import { makeTrace, type SpanSpec } from './testdata/make-trace';

const cp = (specs: SpanSpec[]) =>
  criticalPath(buildSpanTree(makeTrace(specs))).map((s) => [s.key, s.start, s.end]);

// The first three cases are Jaeger UI's own critical-path test cases (test2, test4, test6), same answers.
describe('criticalPath (as Jaeger UI computes it)', () => {
  it('follows the last-finishing child, then the parent until that child started', () => {
    expect(
      cp([
        { id: 'X', start: 1, duration: 100 },
        { id: 'A', start: 10, duration: 40, parent: 'X' },
        { id: 'C', start: 20, duration: 40, parent: 'X' },
      ]),
    ).toEqual([
      ['X', 60, 101],
      ['C', 20, 60],
      ['X', 1, 20],
    ]);
  });

  it('drops children entirely outside their parent, with their subtrees', () => {
    expect(
      cp([
        { id: 'A', start: 1, duration: 30 },
        { id: 'B', start: 40, duration: 40, parent: 'A' },
        { id: 'C', start: 50, duration: 10, parent: 'B' },
      ]),
    ).toEqual([['A', 1, 31]]);
  });

  it('clips children overflowing their parent before walking them', () => {
    expect(
      cp([
        { id: 'A', start: 1, duration: 29 },
        { id: 'B', start: 15, duration: 20, parent: 'A' },
        { id: 'C', start: 10, duration: 15, parent: 'B' },
      ]),
    ).toEqual([
      ['B', 25, 30],
      ['C', 15, 25],
      ['A', 1, 15],
    ]);
  });

  it('takes the sequential children one after another (a retry after a failed attempt)', () => {
    expect(
      cp([
        { id: 'client', start: 0, duration: 100 },
        { id: 'try1', start: 5, duration: 40, parent: 'client' },
        { id: 'try2', start: 50, duration: 45, parent: 'client' },
      ]),
    ).toEqual([
      ['client', 95, 100],
      ['try2', 50, 95],
      ['client', 45, 50],
      ['try1', 5, 45],
      ['client', 0, 5],
    ]);
  });

  it('leaves out FOLLOWS_FROM and producer/consumer spans, which do not block their parent', () => {
    expect(
      cp([
        { id: 'root', start: 0, duration: 100 },
        { id: 'async', start: 10, duration: 89, parent: 'root', refType: 'FOLLOWS_FROM' },
        { id: 'asyncChild', start: 20, duration: 70, parent: 'async' },
        { id: 'produce', start: 30, duration: 65, parent: 'root', tags: { 'span.kind': 'producer' } },
        { id: 'sync', start: 40, duration: 20, parent: 'root' },
      ]),
    ).toEqual([
      ['root', 60, 100],
      ['sync', 40, 60],
      ['root', 0, 40],
    ]);
  });

  it('computes a path for each root of a trace with several', () => {
    expect(
      cp([
        { id: 'r1', start: 0, duration: 10 },
        { id: 'r2', start: 20, duration: 10, parent: 'gone' },
      ]),
    ).toEqual([
      ['r1', 0, 10],
      ['r2', 20, 30],
    ]);
  });

  it('walks a 2,000-span chain without recursion', () => {
    const specs = Array.from({ length: 2000 }, (_, i) => ({
      id: `s${i}`,
      start: i,
      duration: 4000 - 2 * i,
      parent: i === 0 ? undefined : `s${i - 1}`,
    }));
    const sections = criticalPath(buildSpanTree(makeTrace(specs)));
    // Every span is on the path twice (before and after its only child) except the leaf.
    expect(sections).toHaveLength(3999);
    expect(sectionsBySpan(sections).get('s0')).toEqual([
      { key: 's0', start: 3999, end: 4000 },
      { key: 's0', start: 0, end: 1 },
    ]);
  });
});

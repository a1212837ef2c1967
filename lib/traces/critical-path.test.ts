import { describe, expect, it } from 'vitest';
import { criticalPath, sectionsBySpan } from './critical-path';
import { buildSpanTree, type TraceTree } from './span-tree';
import { tagString } from './tags';
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

  it('takes a wide fan of sequential children one after another (each child passed once)', () => {
    const specs: SpanSpec[] = [{ id: 'root', start: 0, duration: 50_000 }];
    for (let i = 0; i < 5000; i++)
      specs.push({ id: `c${i}`, start: 10 * i + 1, duration: 9, parent: 'root' });
    const sections = criticalPath(buildSpanTree(makeTrace(specs)));
    // Each child, and the root's gap of 1 before each.
    expect(sections).toHaveLength(10_000);
    expect(sections[0]).toEqual({ key: 'c4999', start: 49_991, end: 50_000 });
    expect(sections.at(-1)).toEqual({ key: 'root', start: 0, end: 1 });
  });

  it('answers as the plain walk of Jaeger UI on random trees (overlaps, ties, overflows, async spans)', () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let t = 0; t < 200; t++) {
      const n = 1 + Math.floor(rand() * 40);
      const specs: SpanSpec[] = [];
      for (let i = 0; i < n; i++) {
        const parent = i === 0 || rand() < 0.1 ? undefined : specs[Math.floor(rand() * i)];
        specs.push({
          id: `s${i}`,
          // Coarse times: equal ends and starts happen often.
          start: (parent?.start ?? 0) + Math.floor(rand() * 6) - 1,
          duration: Math.floor(rand() * 12),
          parent: parent?.id,
          refType: rand() < 0.1 ? 'FOLLOWS_FROM' : 'CHILD_OF',
          tags: rand() < 0.05 ? { 'span.kind': 'consumer' } : {},
        });
      }
      const tree = buildSpanTree(makeTrace(specs));
      expect(criticalPath(tree)).toEqual(plainWalk(tree));
    }
  });
});

/** Jaeger UI's algorithm as it reads: a map of clipped spans per root, children scanned on every visit. */
function plainWalk(tree: TraceTree) {
  type Cp = { key: string; parentKey?: string; start: number; end: number; childKeys: string[] };
  const out: { key: string; start: number; end: number }[] = [];
  for (const rootKey of tree.rootKeys) {
    const root = tree.byKey.get(rootKey);
    if (!root) continue;
    const map = new Map<string, Cp>([
      [root.key, { key: root.key, start: root.startTime, end: root.endTime, childKeys: [] }],
    ]);
    const queue = [root];
    for (const node of queue) {
      const parent = map.get(node.key) as Cp;
      for (const childKey of node.childKeys) {
        const child = tree.byKey.get(childKey);
        if (!child || child.refType === 'FOLLOWS_FROM') continue;
        const kind = tagString(child.span.tags, 'span.kind');
        if (kind === 'producer' || kind === 'consumer') continue;
        if (child.startTime >= parent.end || child.endTime <= parent.start) continue;
        map.set(child.key, {
          key: child.key,
          parentKey: parent.key,
          start: Math.max(child.startTime, parent.start),
          end: Math.min(child.endTime, parent.end),
          childKeys: [],
        });
        parent.childKeys.push(child.key);
        queue.push(child);
      }
    }
    let current = map.get(rootKey);
    let before: number | undefined;
    while (current !== undefined) {
      let lfc: Cp | undefined;
      for (const key of current.childKeys) {
        const c = map.get(key) as Cp;
        if (before !== undefined && c.end >= before) continue;
        if (lfc === undefined || c.end > lfc.end) lfc = c;
      }
      const end = before ?? current.end;
      if (lfc) {
        if (lfc.end !== end) out.push({ key: current.key, start: lfc.end, end });
        current = lfc;
        before = undefined;
      } else {
        if (current.start !== end) out.push({ key: current.key, start: current.start, end });
        before = current.start;
        current = current.parentKey === undefined ? undefined : map.get(current.parentKey);
      }
    }
  }
  return out;
}

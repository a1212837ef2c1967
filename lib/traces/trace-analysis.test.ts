// The trace page's other views, on small hand-made traces: statistics (self time), flame graph, links, diff.
import { describe, expect, it } from 'vitest';
import { flameGraph } from './flame-graph';
import { spanLinks } from './span-links';
import { buildSpanTree, type SpanNode } from './span-tree';
import { makeTrace } from './testdata/make-trace';
import { diffTraces } from './trace-diff';
import { selfTime, traceStats } from './trace-stats';

const tree = buildSpanTree(
  makeTrace([
    { id: 'r', start: 0, duration: 100, service: 'front', operation: 'GET /' },
    { id: 'a', start: 10, duration: 30, parent: 'r', service: 'back', operation: 'q' },
    { id: 'b', start: 30, duration: 30, parent: 'r', service: 'back', operation: 'q' },
    {
      id: 'c',
      start: 90,
      duration: 50,
      parent: 'r',
      service: 'db',
      operation: 'select',
      tags: { error: true },
    },
  ]),
);

describe('trace statistics', () => {
  it('counts per service and operation, with self time minus overlapping children clipped to the parent', () => {
    const rows = traceStats(tree);
    expect(rows.find((r) => r.service === 'front')).toMatchObject({
      count: 1,
      total: 100,
      self: 100 - 50 - 10,
    });
    expect(rows.find((r) => r.service === 'back')).toMatchObject({ count: 2, total: 60, self: 60, max: 30 });
    expect(rows.find((r) => r.service === 'db')).toMatchObject({ count: 1, errors: 1 });
  });

  it('a span wholly covered by its children has no self time', () => {
    const t = buildSpanTree(
      makeTrace([
        { id: 'r', start: 0, duration: 10 },
        { id: 'x', start: 0, duration: 20, parent: 'r' },
      ]),
    );
    expect(selfTime(t.byKey.get('r') as SpanNode, [t.byKey.get('x') as SpanNode])).toBe(0);
  });
});

describe('flame graph', () => {
  it('merges spans of the same path and makes each frame as wide as its time', () => {
    const frames = flameGraph(tree, () => 0);
    const back = frames.find((f) => f.name === 'back: q');
    expect(back).toMatchObject({ depth: 1, spanCount: 2, total: 60, width: 0.6 });
    expect(frames.find((f) => f.name === 'front: GET /')).toMatchObject({ depth: 0, left: 0, width: 1 });
  });
});

describe('span links', () => {
  it('lists FOLLOWS_FROM and cross-trace references, resolving those in this trace', () => {
    const trace = makeTrace([
      { id: 'r', start: 0, duration: 10 },
      { id: 'f', start: 20, duration: 10, parent: 'r', refType: 'FOLLOWS_FROM' },
    ]);
    (trace.spans[1] as { references: unknown[] }).references.push({
      refType: 'FOLLOWS_FROM',
      traceID: 'other',
      spanID: 's9',
    });
    const t = buildSpanTree(trace);
    const links = spanLinks(t, t.byKey.get('f') as SpanNode);
    expect(links).toEqual([
      { refType: 'FOLLOWS_FROM', traceID: 'abc123', spanID: 'r', targetKey: 'r', isParent: true },
      { refType: 'FOLLOWS_FROM', traceID: 'other', spanID: 's9', targetKey: undefined, isParent: false },
    ]);
  });
});

describe('trace diff', () => {
  it('marks paths added, removed, slower and more by their path from the root', () => {
    const b = buildSpanTree(
      makeTrace([
        { id: 'r', start: 0, duration: 300, service: 'front', operation: 'GET /' },
        { id: 'a', start: 10, duration: 200, parent: 'r', service: 'back', operation: 'q' },
        { id: 'n', start: 10, duration: 5, parent: 'r', service: 'cache', operation: 'get' },
      ]),
    );
    const rows = diffTraces(tree, b);
    const state = (name: string) => rows.find((r) => r.name === name)?.state;
    expect(state('front: GET /')).toBe('slower');
    expect(state('back: q')).toBe('slower');
    expect(state('cache: get')).toBe('added');
    expect(state('db: select')).toBe('removed');
    expect(rows[0]?.name).toBe('front: GET /');
    expect(rows.find((r) => r.name === 'back: q')).toMatchObject({ countA: 2, countB: 1 });
  });
});

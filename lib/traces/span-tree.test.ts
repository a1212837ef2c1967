import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Trace } from '@/lib/jaeger/model';
import { TraceSchema, TracesResponseSchema } from '@/lib/jaeger/model';
import { readTraces } from '@/lib/jaeger/read-traces';
import { ancestorKeys, buildSpanTree, type TraceTree } from './span-tree';
import { makeTrace } from './testdata/make-trace';

const FIXTURES = new URL('../../fixtures/jaeger/', import.meta.url);
const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));

describe('buildSpanTree', () => {
  it('orders spans depth-first with children by start time, whatever order they arrive in', () => {
    const tree = buildSpanTree(
      makeTrace([
        { id: 'c2', start: 30, duration: 10, parent: 'root' },
        { id: 'g1', start: 12, duration: 5, parent: 'c1' },
        { id: 'root', start: 0, duration: 100 },
        { id: 'c1', start: 10, duration: 10, parent: 'root' },
      ]),
    );
    expect(tree.nodes.map((n) => [n.key, n.depth])).toEqual([
      ['root', 0],
      ['c1', 1],
      ['g1', 2],
      ['c2', 1],
    ]);
    expect(tree.byKey.get('root')?.childKeys).toEqual(['c1', 'c2']);
    expect(tree.rootKeys).toEqual(['root']);
    expect(tree.maxDepth).toBe(2);
    expect(ancestorKeys(tree, 'g1')).toEqual(['c1', 'root']);
  });

  it('spans the earliest start to the latest end, even a child outliving its parent', () => {
    const tree = buildSpanTree(
      makeTrace([
        { id: 'root', start: 1000, duration: 100 },
        { id: 'late', start: 1050, duration: 200, parent: 'root' },
      ]),
    );
    expect([tree.startTime, tree.endTime, tree.duration]).toEqual([1000, 1250, 250]);
  });

  it('makes a span whose parent never arrived a root, after the real root', () => {
    const tree = buildSpanTree(
      makeTrace([
        { id: 'orphan', start: 5, duration: 1, parent: 'missing' },
        { id: 'root', start: 0, duration: 10 },
      ]),
    );
    expect(tree.rootKeys).toEqual(['root', 'orphan']);
    expect(tree.byKey.get('orphan')?.parentKey).toBeUndefined();
  });

  it('keeps both spans of a repeated span id, under distinct keys', () => {
    const tree = buildSpanTree(
      makeTrace([
        { id: 'a', start: 0, duration: 10 },
        { id: 'a', start: 1, duration: 5 },
        { id: 'b', start: 2, duration: 1, parent: 'a' },
      ]),
    );
    expect(tree.nodes.map((n) => n.key)).toEqual(['a', 'b', 'a~2']);
    expect(tree.byKey.get('b')?.parentKey).toBe('a');
  });

  it('breaks a reference cycle instead of losing or looping over its spans', () => {
    const tree = buildSpanTree(
      makeTrace([
        { id: 'x', start: 0, duration: 10, parent: 'y' },
        { id: 'y', start: 1, duration: 5, parent: 'x' },
        { id: 'self', start: 2, duration: 1, parent: 'self' },
      ]),
    );
    expect(tree.nodes).toHaveLength(3);
    expect(tree.rootKeys).toContain('self');
    expect(tree.rootKeys.filter((k) => k === 'x' || k === 'y')).toHaveLength(1);
  });

  it('handles a 2,000-span chain without overflowing the stack', () => {
    const specs = Array.from({ length: 2000 }, (_, i) => ({
      id: `s${i}`,
      start: i,
      duration: 4000 - 2 * i,
      parent: i === 0 ? undefined : `s${i - 1}`,
    }));
    const tree = buildSpanTree(makeTrace(specs));
    expect(tree.nodes).toHaveLength(2000);
    expect(tree.maxDepth).toBe(1999);
  });

  it('counts services and error spans (error tag as bool or string, or OTLP ERROR status)', () => {
    const tree = buildSpanTree(
      makeTrace([
        { id: 'r', start: 0, duration: 10, service: 'productpage', tags: { error: true } },
        { id: 'a', start: 1, duration: 5, parent: 'r', service: 'reviews', tags: { error: 'true' } },
        {
          id: 'b',
          start: 2,
          duration: 1,
          parent: 'a',
          service: 'ratings',
          tags: { 'otel.status_code': 'ERROR' },
        },
        { id: 'c', start: 3, duration: 1, parent: 'a', service: 'ratings', tags: { error: false } },
      ]),
    );
    expect(tree.errorCount).toBe(3);
    expect(tree.services).toEqual([
      { name: 'productpage', spanCount: 1 },
      { name: 'reviews', spanCount: 1 },
      { name: 'ratings', spanCount: 2 },
    ]);
  });

  describe('real Jaeger JSON (shared fixtures)', () => {
    it('reads the query API trace of parser-parity-capture.json: parent, error, logs', () => {
      const body = TracesResponseSchema.parse(
        (fixture('parser-parity-capture.json') as { legacy: unknown }).legacy,
      );
      const tree = buildSpanTree(body.data[0]!);
      expect(tree.nodes.map((n) => [n.key, n.depth])).toEqual([
        ['d4dcb46e95b781f5', 0],
        ['41f71485ed2593e4', 1],
      ]);
      expect(tree.nodes[0]?.isError).toBe(true);
      expect(tree.nodes[0]?.span.logs[0]?.fields[0]).toEqual({
        key: 'event',
        type: 'string',
        value: 'test-event',
      });
      expect(tree.duration).toBe(1000);
    });

    it('keeps the two spans sharing one id in otlp2jaeger-out.json, both orphans of a missing parent', () => {
      const body = TracesResponseSchema.parse(fixture('otlp2jaeger-out.json'));
      const tree = buildSpanTree(body.data[0]!);
      expect(tree.nodes.map((n) => n.key)).toEqual(['e127af99e3b3e074', 'e127af99e3b3e074~2']);
      expect(tree.rootKeys).toHaveLength(2);
      expect(tree.services).toEqual([{ name: 'telemetrygen', spanCount: 2 }]);
    });

    it('reads the UI model of uimodel-ui_01.json, typed tags included', () => {
      const trace = TraceSchema.parse(fixture('uimodel-ui_01.json'));
      const tree = buildSpanTree(trace);
      expect(tree.nodes).toHaveLength(trace.spans.length);
      expect(tree.errorCount).toBe(1);
      expect(tree.duration).toBe(5);
    });
  });

  it("builds the same tree from a trace just read (reusing the repair's parents) as from a copy of it", () => {
    const id = (n: number) => n.toString(16).padStart(16, '0');
    const span = (n: number, start: number, refs: { refType: string; spanID: string }[]) => ({
      traceID: 'a'.repeat(32),
      spanID: id(n),
      operationName: `op${n}`,
      references: refs.map((r) => ({ ...r, traceID: 'a'.repeat(32) })),
      startTime: start,
      duration: 10,
      processID: 'p1',
      tags: n === 4 ? [{ key: 'error', type: 'bool', value: true }] : [],
    });
    const raw = {
      traceID: 'a'.repeat(32),
      processes: { p1: { serviceName: 'svc' } },
      spans: [
        span(3, 1_000_030, [{ refType: 'CHILD_OF', spanID: id(1) }]),
        span(1, 1_000_000, []),
        span(2, 1_000_010, [{ refType: 'CHILD_OF', spanID: id(1) }]),
        span(2, 1_000_020, [{ refType: 'CHILD_OF', spanID: id(1) }]), // a repeated id
        span(4, 1_000_012, [{ refType: 'FOLLOWS_FROM', spanID: id(2) }]),
        span(5, 1_000_040, [{ refType: 'CHILD_OF', spanID: id(9) }]), // an orphan
        span(6, 1_000_050, [{ refType: 'CHILD_OF', spanID: id(7) }]), // a cycle 6 → 7 → 6
        span(7, 1_000_051, [{ refType: 'CHILD_OF', spanID: id(6) }]),
      ],
    };
    const read = readTraces({ data: [raw] });
    if (!read.ok) throw new Error(read.message);
    const trace = read.traces[0] as Trace;
    const copy = structuredClone(trace);
    const shape = (t: TraceTree) =>
      t.nodes.map((n) => [n.key, n.depth, n.parentKey, n.refType, n.childKeys, n.descendants, n.isError]);
    const fromRead = buildSpanTree(trace);
    expect(shape(fromRead)).toEqual(shape(buildSpanTree(copy)));
    expect(fromRead.rootKeys).toEqual(buildSpanTree(copy).rootKeys);
    expect(shape(fromRead).map((n) => n[0])).toContain(`${id(2)}~2`);
    // Built again (the repair's parents handed out once), still the same.
    expect(shape(buildSpanTree(trace))).toEqual(shape(fromRead));
  });
});

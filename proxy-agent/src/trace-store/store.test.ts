import { describe, expect, it } from 'vitest';
import { type OtlpSpan, spansFromOtlp } from '../../../lib/jaeger/from-otlp';
import { type TraceQuery, TraceStore } from './store';

const T0 = 1_700_000_000_000_000; // µs

interface SpanSpec {
  trace: number;
  span: number;
  parent?: number;
  service: string;
  op?: string;
  startUs?: number;
  durationUs?: number;
  attrs?: Record<string, string | number | boolean>;
  error?: boolean;
  kind?: number;
  events?: { name: string; attrs?: Record<string, string> }[];
}

const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');
const traceHex = (n: number) => `ab${hex(n, 30)}`;

function attributes(attrs: Record<string, string | number | boolean> = {}) {
  return Object.entries(attrs).map(([key, v]) => ({
    key,
    value:
      typeof v === 'string'
        ? { stringValue: v }
        : typeof v === 'boolean'
          ? { boolValue: v }
          : { intValue: String(v) },
  }));
}

function convert(specs: SpanSpec[]) {
  return specs.flatMap((s) => {
    const start = BigInt(s.startUs ?? T0) * 1000n;
    const span: OtlpSpan = {
      traceId: traceHex(s.trace),
      spanId: hex(s.span, 16),
      parentSpanId: s.parent === undefined ? '' : hex(s.parent, 16),
      name: s.op ?? 'GET /',
      kind: s.kind ?? 2,
      startTimeUnixNano: start.toString(),
      endTimeUnixNano: (start + BigInt(s.durationUs ?? 1000) * 1000n).toString(),
      attributes: attributes(s.attrs),
      events: (s.events ?? []).map((e) => ({
        name: e.name,
        timeUnixNano: start.toString(),
        attributes: attributes(e.attrs),
      })),
      status: s.error ? { code: 2 } : {},
    };
    return spansFromOtlp({
      resourceSpans: [
        {
          resource: {
            attributes: attributes({ 'service.name': s.service, 'host.name': `${s.service}-host` }),
          },
          scopeSpans: [{ scope: { name: 'meshlens' }, spans: [span] }],
        },
      ],
    }).spans;
  });
}

function storeWith(specs: SpanSpec[], maxTraces = 100) {
  const store = new TraceStore({ maxTraces });
  const result = store.add(convert(specs));
  expect(result.rejected).toBe(0);
  return store;
}

const q = (over: Partial<TraceQuery> = {}): TraceQuery => ({ serviceName: 'web', limit: 100, ...over });
const ids = (traces: { traceID: string }[]) => traces.map((t) => t.traceID);

describe('TraceStore search', () => {
  const store = storeWith([
    { trace: 1, span: 1, service: 'web', op: 'GET /a', durationUs: 500, attrs: { 'http.status_code': 200 } },
    { trace: 1, span: 2, parent: 1, service: 'api', op: 'lookup', durationUs: 300 },
    {
      trace: 2,
      span: 3,
      service: 'web',
      op: 'GET /b',
      durationUs: 2_000_000,
      error: true,
      attrs: { user: 'ann' },
    },
    {
      trace: 3,
      span: 4,
      service: 'web',
      op: 'GET /a',
      durationUs: 50_000,
      events: [{ name: 'retry', attrs: { attempt: '2' } }],
    },
    { trace: 4, span: 5, service: 'api', op: 'lookup', durationUs: 10 },
  ]);

  it('finds traces by service, newest first', () => {
    expect(ids(store.findTraces(q()))).toEqual([traceHex(3), traceHex(2), traceHex(1)]);
    expect(ids(store.findTraces(q({ serviceName: 'api' })))).toEqual([traceHex(4), traceHex(1)]);
    expect(store.findTraces(q({ serviceName: 'nobody' }))).toEqual([]);
  });

  it('filters by operation and honours the limit', () => {
    expect(ids(store.findTraces(q({ operationName: 'GET /a' })))).toEqual([traceHex(3), traceHex(1)]);
    expect(ids(store.findTraces(q({ operationName: 'GET /a', limit: 1 })))).toEqual([traceHex(3)]);
  });

  it('matches tags on span tags, process tags and log fields; error=true on error status', () => {
    expect(ids(store.findTraces(q({ tags: { error: 'true' } })))).toEqual([traceHex(2)]);
    expect(ids(store.findTraces(q({ tags: { 'http.status_code': '200' } })))).toEqual([traceHex(1)]);
    expect(ids(store.findTraces(q({ tags: { 'host.name': 'web-host', user: 'ann' } })))).toEqual([
      traceHex(2),
    ]);
    expect(ids(store.findTraces(q({ tags: { event: 'retry', attempt: '2' } })))).toEqual([traceHex(3)]);
    expect(store.findTraces(q({ tags: { user: 'bob' } }))).toEqual([]);
  });

  it('filters by span duration bounds (ns) and start time bounds (µs)', () => {
    expect(ids(store.findTraces(q({ durationMinNs: 1e9 })))).toEqual([traceHex(2)]);
    expect(ids(store.findTraces(q({ durationMinNs: 400e3, durationMaxNs: 60e6 })))).toEqual([
      traceHex(3),
      traceHex(1),
    ]);
    expect(ids(store.findTraces(q({ durationMaxNs: 500e3 })))).toEqual([traceHex(1)]);
    expect(store.findTraces(q({ startTimeMin: T0 + 1 }))).toEqual([]);
    expect(store.findTraces(q({ startTimeMax: T0 - 1 }))).toEqual([]);
  });

  it('requires one span to meet every condition, not several spans one each', () => {
    const split = storeWith([
      { trace: 5, span: 1, service: 'web', op: 'GET /c' },
      { trace: 5, span: 2, parent: 1, service: 'web', op: 'GET /d', attrs: { user: 'cid' } },
    ]);
    expect(split.findTraces(q({ operationName: 'GET /c', tags: { user: 'cid' } }))).toEqual([]);
    expect(ids(split.findTraces(q({ operationName: 'GET /d', tags: { user: 'cid' } })))).toEqual([
      traceHex(5),
    ]);
  });

  it('lists services and operations with their span kinds', () => {
    expect(store.services()).toEqual(['api', 'web']);
    expect(store.operations('web')).toEqual([
      { name: 'GET /a', spanKind: 'server' },
      { name: 'GET /b', spanKind: 'server' },
    ]);
    expect(store.operations('web', 'client')).toEqual([]);
  });
});

describe('TraceStore search strategies', () => {
  // 300 traces of 3 spans over 3 services, some failing, some slow; 120 of them evicted (maxTraces 180).
  const specs: SpanSpec[] = [];
  for (let t = 1; t <= 300; t++) {
    specs.push({
      trace: t,
      span: t * 10 + 1,
      service: 'web',
      op: t % 3 === 0 ? 'GET /a' : 'GET /b',
      durationUs: (t % 7) * 1000,
    });
    specs.push({
      trace: t,
      span: t * 10 + 2,
      parent: t * 10 + 1,
      service: 'api',
      error: t % 5 === 0,
      attrs: { shard: t % 4 },
    });
    specs.push({ trace: t, span: t * 10 + 3, parent: t * 10 + 2, service: 'db', durationUs: t * 100 });
  }
  const queries: TraceQuery[] = [
    q({ limit: 20 }),
    q({ operationName: 'GET /a', limit: 7 }),
    q({ serviceName: 'api', tags: { error: 'true', shard: '0' }, limit: 100 }),
    q({ serviceName: 'db', durationMinNs: 10e6, durationMaxNs: 20e6, limit: 100 }),
    q({ durationMinNs: 3e6, limit: 50 }),
  ];

  it('answers the same, newest first, whether it walks the index postings or scans all traces', () => {
    const byIndex = new TraceStore({ maxTraces: 180, scanThreshold: Number.POSITIVE_INFINITY });
    const byScan = new TraceStore({ maxTraces: 180, scanThreshold: 0 });
    byIndex.add(convert(specs));
    byScan.add(convert(specs));
    for (const query of queries) {
      const expected = ids(byIndex.findTraces(query));
      expect(expected.length).toBeGreaterThan(0);
      expect(ids(byScan.findTraces(query))).toEqual(expected);
      // Newest first: trace numbers descending, all among the 180 kept.
      const numbers = expected.map((id) => Number.parseInt(id.slice(2), 16));
      expect(numbers).toEqual([...numbers].sort((a, b) => b - a));
      expect(Math.min(...numbers)).toBeGreaterThan(120);
    }
  });
});

describe('TraceStore traces', () => {
  it('assembles a trace whose child spans arrive before their parent, with processes p1, p2', () => {
    const store = storeWith([
      { trace: 7, span: 2, parent: 1, service: 'api' },
      { trace: 7, span: 1, service: 'web' },
    ]);
    const trace = store.getTrace(traceHex(7));
    expect(trace?.spans.map((s) => [s.spanID, s.processID])).toEqual([
      [hex(2, 16), 'p1'],
      [hex(1, 16), 'p2'],
    ]);
    expect(trace?.processes.p1?.serviceName).toBe('api');
    expect(trace?.warnings).toBeNull();
  });

  it('keeps two spans sharing one span id, as Jaeger does', () => {
    const store = storeWith([
      { trace: 8, span: 1, service: 'web' },
      { trace: 8, span: 1, service: 'web' },
    ]);
    expect(store.getTrace(traceHex(8))?.spans).toHaveLength(2);
  });

  it('evicts the oldest trace past maxTraces, with its index entries, services and operations', () => {
    const store = storeWith(
      [
        { trace: 1, span: 1, service: 'old', op: 'gone' },
        { trace: 2, span: 2, service: 'web' },
        { trace: 3, span: 3, service: 'web' },
        { trace: 2, span: 4, parent: 2, service: 'web' },
      ],
      2,
    );
    expect(store.traceCount).toBe(2);
    expect(store.spanCount).toBe(3);
    expect(store.getTrace(traceHex(1))).toBeUndefined();
    expect(store.services()).toEqual(['web']);
    expect(store.findTraces(q({ serviceName: 'old' }))).toEqual([]);
    store.add(convert([{ trace: 4, span: 5, service: 'web' }]));
    expect(ids(store.findTraces(q()))).toEqual([traceHex(4), traceHex(3)]);
  });

  it('stays bounded over many evictions and still finds exactly the newest traces', () => {
    const store = new TraceStore({ maxTraces: 10, scanThreshold: 0 });
    for (let t = 1; t <= 3000; t++)
      store.add(convert([{ trace: t, span: t, service: 'web', op: `op-${t % 2}` }]));
    expect(store.traceCount).toBe(10);
    expect(store.spanCount).toBe(10);
    expect(ids(store.findTraces(q({ limit: 3 })))).toEqual([traceHex(3000), traceHex(2999), traceHex(2998)]);
    expect(store.operations('web').map((o) => o.name)).toEqual(['op-0', 'op-1']);
  });

  it('keeps --max-bytes by evicting the oldest traces first, the one being added to excepted', () => {
    const pad = 'p'.repeat(2_000);
    const span = (trace: number, n: number) => convert([{ trace, span: n, service: 'web', attrs: { pad } }]);
    const store = new TraceStore({ maxBytes: 60_000, maxTraceBytes: 30_000, scanThreshold: 0 });
    // 3,000 traces through a budget of a few: the creation order is compacted on the way.
    for (let t = 1; t <= 3000; t++) {
      store.add(span(t, t));
      expect(store.byteCount).toBeLessThanOrEqual(60_000);
    }
    const held = store.traceCount;
    expect(held).toBeGreaterThan(3);
    const oldest = 3001 - held;
    expect(store.getTrace(traceHex(oldest - 1))).toBeUndefined();
    // The oldest trace grows: the traces after it make room, not the trace itself.
    for (let n = 1; n <= 4; n++) expect(store.add(span(oldest, 10_000 + n)).accepted).toBe(1);
    expect(store.byteCount).toBeLessThanOrEqual(60_000);
    expect(store.getTrace(traceHex(oldest))?.spans).toHaveLength(5);
    expect(store.getTrace(traceHex(oldest + 1))).toBeUndefined();
    expect(store.getTrace(traceHex(3000))).toBeDefined();
    // A new trace then evicts that oldest one first.
    store.add(span(3001, 3001));
    expect(store.getTrace(traceHex(oldest))).toBeUndefined();
    expect(ids(store.findTraces(q({ limit: 1000 })))).toHaveLength(store.traceCount);
    expect(ids(store.findTraces(q({ limit: 1 })))).toEqual([traceHex(3001)]);
    // A span taking one trace past maxTraceBytes is rejected, with the reason.
    let result = store.add(span(3001, 9000));
    for (let n = 9001; result.rejected === 0 && n < 9100; n++) result = store.add(span(3001, n));
    expect(result.errors).toEqual([
      `trace ${traceHex(3001)} would pass the maximum of 30000 bytes a trace may hold`,
    ]);
    expect(store.byteCount).toBeLessThanOrEqual(60_000);
  });

  it('answers searches within a byte cap, always with at least one trace', () => {
    const pad = 'p'.repeat(5_000);
    const store = new TraceStore();
    for (let t = 1; t <= 5; t++) store.add(convert([{ trace: t, span: t, service: 'web', attrs: { pad } }]));
    const all = store.findTracesJsonWithin(q(), Number.POSITIVE_INFINITY);
    expect(all).toMatchObject({ truncated: false });
    expect(all.traces).toHaveLength(5);
    const cut = store.findTracesJsonWithin(q(), 25_000);
    expect(cut.truncated).toBe(true);
    expect(cut.traces.map((t) => JSON.parse(t).traceID)).toEqual([traceHex(5), traceHex(4)]);
    expect(store.findTracesWithin(q(), 1).traces.map((t) => t.traceID)).toEqual([traceHex(5)]);
    const byId = store.getTracesJsonWithin([traceHex(1), traceHex(99), traceHex(2)], 1);
    expect(byId).toMatchObject({ truncated: true, missing: [traceHex(99)] });
    expect(byId.traces).toHaveLength(1);
  });

  it('rejects spans past the per-trace maximum and keeps the accepted ones', () => {
    const store = new TraceStore({ maxSpansPerTrace: 2 });
    const result = store.add(convert([1, 2, 3].map((n) => ({ trace: 9, span: n, service: 'web' }))));
    expect(result).toMatchObject({ accepted: 2, rejected: 1 });
    expect(store.getTrace(traceHex(9))?.spans).toHaveLength(2);
  });

  it('counts calls between services from parent/child spans within the time window', () => {
    const store = storeWith([
      { trace: 1, span: 1, service: 'web' },
      { trace: 1, span: 2, parent: 1, service: 'api' },
      { trace: 1, span: 3, parent: 1, service: 'api' },
      { trace: 1, span: 4, parent: 3, service: 'db' },
      { trace: 1, span: 5, parent: 4, service: 'db' },
      { trace: 2, span: 6, service: 'web' },
      { trace: 2, span: 7, parent: 6, service: 'api' },
      { trace: 3, span: 8, service: 'web', startUs: T0 - 10_000_000_000 },
      { trace: 3, span: 9, parent: 8, service: 'db', startUs: T0 - 10_000_000_000 },
    ]);
    const endTs = T0 / 1000 + 60_000;
    const deps = store.dependencies(endTs, 3_600_000);
    expect(deps.sort((a, b) => a.child.localeCompare(b.child))).toEqual([
      { parent: 'web', child: 'api', callCount: 3 },
      { parent: 'api', child: 'db', callCount: 1 },
    ]);
    expect(store.dependencies(T0 / 1000 - 20_000_000, 1000)).toEqual([]);
  });

  it('answers JSON byte for byte the serialization of the spans it was given', () => {
    const converted = convert([
      { trace: 5, span: 1, service: 'web', attrs: { 'http.status_code': 503, retry: true }, error: true },
      { trace: 5, span: 2, parent: 1, service: 'api', events: [{ name: 'retry', attrs: { n: '2' } }] },
      { trace: 5, span: 3, parent: 2, service: 'web', kind: 3 },
    ]);
    const store = new TraceStore();
    store.add(converted);
    // The store numbers processes per trace in the order they first appear (and sets each span's processID).
    const expected = JSON.stringify({
      traceID: traceHex(5),
      spans: converted.map((c) => c.span),
      processes: { p1: converted[0]?.process, p2: converted[1]?.process },
      warnings: null,
    });
    expect(converted.map((c) => c.span.processID)).toEqual(['p1', 'p2', 'p1']);
    expect(store.getTraceJson(traceHex(5))).toBe(expected);
    expect(JSON.stringify(store.getTrace(traceHex(5)))).toBe(expected);
    expect(store.findTracesJson(q({ tags: { n: '2' }, serviceName: 'api' }))).toEqual([expected]);
    expect(store.findTracesJson(q({ tags: { error: 'true' } }))).toEqual([expected]);
    expect(store.findTracesJson(q({ tags: { error: 'true', n: '2' } }))).toEqual([]);
    expect(store.getTraceJson(traceHex(6))).toBeUndefined();
  });

  it('finds and answers one-off tags (a key past 256 values is no longer pooled; its JSON is written when answered)', () => {
    const specs = Array.from({ length: 300 }, (_, i) => ({
      trace: 100 + i,
      span: 100 + i,
      service: 'web',
      attrs: { 'guid:x-request-id': `req-${i}-"quoted"`, size: 1000 + i, cached: i % 2 === 0 },
    }));
    const converted = convert(specs);
    const store = new TraceStore({ maxTraces: 1000 });
    expect(store.add(converted).rejected).toBe(0);
    expect(ids(store.findTraces(q({ tags: { 'guid:x-request-id': 'req-299-"quoted"' } })))).toEqual([
      traceHex(399),
    ]);
    expect(ids(store.findTraces(q({ tags: { size: '1007', cached: 'false' } })))).toEqual([traceHex(107)]);
    expect(store.findTraces(q({ tags: { size: '1007', cached: 'true' } }))).toEqual([]);
    for (const i of [0, 299]) {
      const c = converted[i];
      expect(store.getTraceJson(traceHex(100 + i))).toBe(
        JSON.stringify({
          traceID: traceHex(100 + i),
          spans: [c?.span],
          processes: { p1: c?.process },
          warnings: null,
        }),
      );
    }
  });

  it('keeps tags of the same key and value but another type apart (shared tag JSON is typed)', () => {
    const converted = convert([
      { trace: 7, span: 1, service: 'web', attrs: { code: 200, flag: 'true' } },
      { trace: 7, span: 2, service: 'web', attrs: { code: '200', flag: true } },
      { trace: 7, span: 3, service: 'web', attrs: { code: 200, flag: 'true' } },
    ]);
    const store = new TraceStore();
    store.add(converted);
    const spans = JSON.parse(store.getTraceJson(traceHex(7)) ?? '{}').spans;
    expect(spans).toEqual(converted.map((c) => c.span));
    expect(spans[1].tags).toContainEqual({ key: 'code', type: 'string', value: '200' });
    expect(spans[1].tags).toContainEqual({ key: 'flag', type: 'bool', value: true });
  });
});

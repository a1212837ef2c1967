// Contract tests of the lenient reading: one small hand-made trace per class of oddity that Jaeger, Tempo's
// and Grafana's shims, old clients and hand-written JSON send. Each must show (a trace comes back) with
// the repair said in the span's warnings; only what holds no trace at all is an error, in words.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Span, Trace } from './model';
import { readTraceFile, readTraces } from './read-traces';

const FIXTURES = new URL('../../fixtures/jaeger/', import.meta.url);
const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));

const T = 'aaaaaaaaaaaaaaaa';
const ID = (n: number) => n.toString(16).padStart(16, '0');

/** A well-formed span to spoil one field at a time. */
function span(id: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    traceID: T,
    spanID: ID(id),
    operationName: `op-${id}`,
    references: [],
    startTime: 1_700_000_000_000_000 + id * 10,
    duration: 100,
    tags: [],
    logs: [],
    processID: 'p1',
    warnings: null,
    ...extra,
  };
}
const child = (id: number, parent: number, extra: Record<string, unknown> = {}) =>
  span(id, { references: [{ refType: 'CHILD_OF', traceID: T, spanID: ID(parent) }], ...extra });

function one(raw: unknown): Trace {
  const r = readTraces({ data: [raw] });
  if (!r.ok) throw new Error(r.message);
  expect(r.traces).toHaveLength(1);
  return r.traces[0] as Trace;
}
const trace = (spans: unknown[], extra: Record<string, unknown> = {}) =>
  one({ traceID: T, spans, processes: { p1: { serviceName: 'svc', tags: [] } }, warnings: null, ...extra });
const byId = (t: Trace, n: number) => t.spans.find((s) => s.spanID === ID(n)) as Span;
const warnings = (s: Span) => (s.warnings ?? []).join(' | ');

describe('lenient trace reading: optional fields missing or null', () => {
  it('reads spans without warnings, logs, references, tags, flags, or with them null', () => {
    const bare = {
      traceID: T,
      spanID: ID(1),
      operationName: 'op',
      startTime: 1_700_000_000_000_000,
      duration: 5,
      processID: 'p1',
    };
    const nulls = { ...span(2), warnings: null, logs: null, references: null, tags: null, flags: null };
    expect(byId(trace([bare]), 1)).toMatchObject({ tags: [], logs: [], references: [], warnings: null });
    const t = trace([nulls]);
    expect(byId(t, 2)).toMatchObject({ tags: [], logs: [], references: [], warnings: null });
    expect(byId(t, 2).flags).toBeUndefined();
  });

  it('shows a span without processID, or naming a missing or null process, under a named placeholder', () => {
    const t = trace(
      [span(1, { processID: undefined }), span(2, { processID: 'p9' }), span(3, { processID: 'p2' })],
      {
        processes: { p1: { serviceName: 'svc', tags: [] }, p2: null },
      },
    );
    expect(t.processes[byId(t, 1).processID]?.serviceName).toBe('unknown');
    expect(warnings(byId(t, 1))).toContain('no process');
    expect(t.processes.p9?.serviceName).toBe('p9');
    expect(warnings(byId(t, 2))).toContain('process p9 is not in the trace');
    expect(t.processes.p2?.serviceName).toBe('p2');
    expect(warnings(byId(t, 3))).toContain('process p2 is null');
  });

  it('reads a trace without processes at all', () => {
    const t = one({ traceID: T, spans: [span(1)] });
    expect(t.processes.p1?.serviceName).toBe('p1');
    expect(t.warnings).toBeNull();
  });
});

describe('lenient trace reading: tag and log value types', () => {
  it('reads values whose JSON type differs from the declared type, saying so', () => {
    const tags = [
      { key: 'error', type: 'bool', value: 'true' },
      { key: 'ok', type: 'bool', value: 0 },
      { key: 'n', type: 'int64', value: 'lots' },
      { key: 'big', type: 'int64', value: '9223372036854775222' },
      { key: 'f', type: 'float64', value: '2.5' },
      { key: 's', type: 'string', value: 42 },
      { key: 'b', type: 'binary', value: { x: 1 } },
    ];
    const s = byId(trace([span(1, { tags })]), 1);
    expect(s.tags).toEqual([
      { key: 'error', type: 'bool', value: true },
      { key: 'ok', type: 'bool', value: false },
      { key: 'n', type: 'string', value: 'lots' },
      { key: 'big', type: 'int64', value: '9223372036854775222' },
      { key: 'f', type: 'float64', value: 2.5 },
      { key: 's', type: 'int64', value: 42 },
      { key: 'b', type: 'string', value: '{"x":1}' },
    ]);
    const w = warnings(s);
    expect(w).toContain('tag "error": bool sent as the string "true"');
    expect(w).toContain('tag "n": declared int64 but the value is string');
    expect(w).not.toContain('"big"'); // int64 as a decimal string is Jaeger's own form
  });

  it('reads unknown and missing types, upper-case types and log fields alike', () => {
    const s = byId(
      trace([
        span(1, {
          tags: [
            { key: 'u', type: 'decimal', value: 1.5 },
            { key: 'm', value: true },
            { key: 'up', type: 'STRING', value: 'x' },
          ],
          logs: [
            { timestamp: 1_700_000_000_000_010, fields: [{ key: 'event', type: 'bool', value: 'false' }] },
            { fields: null },
          ],
        }),
      ]),
      1,
    );
    expect(s.tags).toEqual([
      { key: 'u', type: 'float64', value: 1.5 },
      { key: 'm', type: 'bool', value: true },
      { key: 'up', type: 'string', value: 'x' },
    ]);
    expect(s.logs[0]?.fields).toEqual([{ key: 'event', type: 'bool', value: false }]);
    // A log without a timestamp sits at the span's start.
    expect(s.logs[1]).toEqual({ timestamp: s.startTime, fields: [] });
    expect(warnings(s)).toContain('unknown type "decimal"');
    expect(warnings(s)).toContain('tag "m" has no type');
  });
});

describe('lenient trace reading: ids', () => {
  it('pads short hex ids, keeps odd ones, reads numbers, names spans without an id', () => {
    const t = one({
      traceID: 'ABC',
      spans: [
        span(0, { traceID: 'ABC', spanID: 'F1' }),
        span(0, { traceID: 'ABC', spanID: 'not-hex!', references: [{ refType: 'CHILD_OF', spanID: 'f1' }] }),
        span(0, { traceID: 'ABC', spanID: 255 }),
        span(0, { traceID: 'ABC', spanID: undefined }),
      ],
      processes: { p1: { serviceName: 'svc', tags: [] } },
    });
    expect(t.traceID).toBe('0000000000000abc');
    expect(t.spans.map((s) => s.spanID)).toEqual([
      '00000000000000f1',
      'not-hex!',
      '00000000000000ff',
      'missing-span-id-4',
    ]);
    expect(warnings(t.spans[0] as Span)).toContain('span id "F1" has 2 hex digits');
    expect(warnings(t.spans[1] as Span)).toContain('"not-hex!" is not hex');
    // The short reference was padded too, so the tree still holds.
    expect(t.spans[1]?.references[0]?.spanID).toBe('00000000000000f1');
    expect(warnings(t.spans[3] as Span)).toContain('no span id');
  });

  it('keeps both spans of a duplicate id and says so on each', () => {
    const t = trace([span(1), span(1, { operationName: 'again' }), child(2, 1)]);
    expect(t.spans).toHaveLength(3);
    expect(t.spans.filter((s) => warnings(s).includes('used by 2 spans'))).toHaveLength(2);
  });
});

describe('lenient trace reading: tree shape', () => {
  it('shows an orphan as a root, saying which parent never arrived', () => {
    const t = trace([span(1), child(2, 99)]);
    expect(warnings(byId(t, 2))).toContain(`parent span ${ID(99)} is not in this trace (orphan)`);
    expect(warnings(byId(t, 2))).toContain('2 root spans');
  });

  it('breaks a parent cycle, keeping every span', () => {
    const t = trace([child(1, 3), child(2, 1), child(3, 2)]);
    expect(t.spans).toHaveLength(3);
    const broken = t.spans.filter((s) => warnings(s).includes('closed a cycle'));
    expect(broken).toHaveLength(1);
    expect(broken[0]?.references).toEqual([]);
  });

  it('hangs a span with only FOLLOWS_FROM references from that span, and prefers CHILD_OF when both', () => {
    const t = trace([
      span(1),
      span(2, { references: [{ refType: 'FOLLOWS_FROM', traceID: T, spanID: ID(1) }] }),
      span(3, {
        references: [
          { refType: 'FOLLOWS_FROM', traceID: T, spanID: ID(1) },
          { refType: 'CHILD_OF', traceID: T, spanID: ID(2) },
        ],
      }),
    ]);
    expect(warnings(byId(t, 2))).toContain('FOLLOWS_FROM');
    expect(byId(t, 3).warnings).toBeNull();
  });

  it('does not take a reference into another trace for a parent or an orphan', () => {
    const t = trace([
      span(1, { references: [{ refType: 'FOLLOWS_FROM', traceID: 'bbbbbbbbbbbbbbbb', spanID: ID(7) }] }),
    ]);
    expect(byId(t, 1).warnings).toBeNull();
  });
});

describe('lenient trace reading: times', () => {
  it('places spans with zero, missing or negative start times at their parent, and clamps durations', () => {
    const t = trace([
      span(1),
      child(2, 1, { startTime: 0 }),
      child(3, 1, { startTime: undefined, duration: -5 }),
      child(4, 1, { startTime: '1700000000000050', duration: null }),
      child(5, 1, { duration: 0 }),
    ]);
    expect(byId(t, 2).startTime).toBe(byId(t, 1).startTime);
    expect(byId(t, 3).startTime).toBe(byId(t, 1).startTime);
    expect(byId(t, 3).duration).toBe(0);
    expect(byId(t, 4).startTime).toBe(1_700_000_000_000_050);
    expect(warnings(byId(t, 2))).toContain('start time 0 is not positive');
    expect(warnings(byId(t, 3))).toContain('duration -5 µs is negative');
    expect(warnings(byId(t, 4))).toContain('duration missing');
    expect(warnings(byId(t, 5))).toContain('duration is 0');
  });

  it('reads nanosecond times as microseconds', () => {
    const s = byId(trace([span(1, { startTime: 1_700_000_000_000_000_000, duration: 100 })]), 1);
    expect(s.startTime).toBe(1_700_000_000_000_000);
  });

  it('shifts a child that starts before its parent into it (clock skew), its subtree and logs with it', () => {
    const P = 1_700_000_000_000_000;
    const t = trace([
      span(1, { startTime: P, duration: 1000 }),
      child(2, 1, { startTime: P - 500, duration: 200, logs: [{ timestamp: P - 400, fields: [] }] }),
      child(3, 2, { startTime: P - 450, duration: 50 }),
    ]);
    // Centred in the parent, as Jaeger's adjuster does: (1000 - 200) / 2 after the parent's start.
    expect(byId(t, 2).startTime).toBe(P + 400);
    expect(byId(t, 2).logs[0]?.timestamp).toBe(P + 500);
    expect(byId(t, 3).startTime).toBe(P + 450);
    expect(warnings(byId(t, 2))).toContain('clock skew: started 500 µs before its parent');
    expect(warnings(byId(t, 3))).toContain('with its parent (clock skew)');
  });
});

describe('what is a trace', () => {
  it('reads the envelope, a bare trace, a list of traces, OTLP JSON and v3', () => {
    const ui = fixture('uimodel-ui_01.json');
    const capture = fixture('parser-parity-capture.json') as { legacy: unknown; v3: unknown };
    for (const body of [
      ui,
      [ui],
      { data: [ui] },
      capture.legacy,
      capture.v3,
      fixture('otlp2jaeger-in.json'),
    ]) {
      const r = readTraces(body);
      expect(r.ok && r.traces.length).toBe(1);
    }
  });

  it('answers in words what is not a trace', () => {
    expect(readTraceFile('{"data": [')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^not JSON/),
    });
    expect(readTraceFile('{"hello": 1}')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^not a trace/),
    });
    expect(readTraces({ data: [{ traceID: T }] })).toMatchObject({
      ok: false,
      message: '"data"[0] is not a trace: it has no "spans" list',
    });
    expect(readTraces(42)).toMatchObject({ ok: false });
  });

  it('reads the UI model fixture as Jaeger UI does: its span warnings kept, its odd references tolerated', () => {
    const t = readTraces(fixture('uimodel-ui_01.json'));
    if (!t.ok) throw new Error(t.message);
    const spans = (t.traces[0] as Trace).spans;
    expect(spans).toHaveLength(5);
    expect(spans[3]?.warnings?.[0]).toBe('some span warning');
    expect(spans[1]?.tags.find((x) => x.key === 'javascript_limit')?.value).toBe('9223372036854775222');
  });
});

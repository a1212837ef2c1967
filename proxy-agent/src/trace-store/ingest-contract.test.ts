// Contract: the store's own ingest paths (OTLP/JSON objects, OTLP/protobuf bytes) give the same Jaeger model,
// byte for byte, as the reference translator (lib/jaeger/from-otlp.ts) on the recorded fixtures and on
// edge cases, and the same search fields (match text, kind, parent, index hashes), rejections and errors.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { groupIntoTraces, type OtlpTracesData, spansFromOtlp } from '../../../lib/jaeger/from-otlp';
import type { IngestBatch } from './ingest-common';
import { ingestOtlpJson } from './ingest-otlp-json';
import { type IngestSpan, ingestSpanFromModel } from './span-parts';
import { TraceStore } from './store';

const FIXTURE_DIRS = [
  new URL('../../../fixtures/jaeger/', import.meta.url),
  new URL('file:///work/shared/fixtures/jaeger/'),
];
const MAX_LEN = 64;

/** The OTLP/JSON exports among the fixtures of every folder that exists. */
function fixtureExports(): [string, OtlpTracesData][] {
  const out: [string, OtlpTracesData][] = [];
  for (const dir of FIXTURE_DIRS) {
    if (!existsSync(dir)) continue;
    const read = (name: string) => JSON.parse(readFileSync(new URL(name, dir), 'utf8'));
    out.push([`${dir.pathname}otlp2jaeger-in.json`, read('otlp2jaeger-in.json')]);
    out.push([
      `${dir.pathname}parser-parity-capture.json (v3)`,
      read('parser-parity-capture.json').v3.result,
    ]);
  }
  return out;
}

const T = '5b8efff798038103d269b633813fc60c';
const S = 'eee19b7ec3c1b174';
const P = '00f067aa0ba902b7';
const NS = '1706678909209712345';
const span = (over: Record<string, unknown> = {}) => ({
  traceId: T,
  spanId: S,
  parentSpanId: P,
  name: 'GET /',
  kind: 2,
  startTimeUnixNano: NS,
  endTimeUnixNano: '1706678909209835999',
  ...over,
});
const attr = (key: unknown, value: unknown) => ({ key, value });
const exportOf = (
  spans: unknown[],
  resource: unknown = { attributes: [attr('service.name', { stringValue: 'web' })] },
) =>
  ({
    resourceSpans: [{ resource, scopeSpans: [{ scope: { name: 'sc', version: '1' }, spans }] }],
  }) as OtlpTracesData;

/** Inputs the fast path handles itself and inputs it leaves to the reference translator. */
const EDGE_CASES: [string, OtlpTracesData][] = [
  [
    'scalar attributes of every kind, status, trace state',
    exportOf([
      span({
        traceId: T.toUpperCase(),
        attributes: [
          attr('s', { stringValue: 'x"\\\n\u2028é' }),
          attr('b', { boolValue: true }),
          attr('bf', { boolValue: false }),
          attr('i', { intValue: '-42' }),
          attr('in', { intValue: 7 }),
          attr('iz', { intValue: '-0' }),
          attr('i0', { intValue: '007' }),
          attr('d', { doubleValue: 1.5 }),
          attr('dz', { doubleValue: -0 }),
          attr('dn', { doubleValue: 'NaN' }),
          attr('db', { doubleValue: 1e21 }),
          attr('none', {}),
          attr('nullv', null),
          attr(5, { stringValue: 'key not a string' }),
          null,
          'junk',
        ],
        status: { code: 2, message: 'boom' },
        traceState: 'a=b',
      }),
      span({ spanId: '1'.repeat(16), parentSpanId: '0'.repeat(16), kind: 3, status: { code: 1 } }),
      span({ spanId: '2'.repeat(16), parentSpanId: null, kind: 9, name: 42, status: null }),
      span({ spanId: '3'.repeat(16), traceId: `${'0'.repeat(16)}${'a'.repeat(16)}`, kind: null }),
    ]),
  ],
  [
    'events, with and without an event attribute, timestamps as numbers',
    exportOf([
      span({
        startTimeUnixNano: 1_706_678_909_209_712,
        endTimeUnixNano: 1_706_678_909_219_712,
        events: [
          { name: 'retry', timeUnixNano: NS, attributes: [attr('n', { intValue: '2' })] },
          { name: 'ev', timeUnixNano: NS, attributes: [attr('event', { stringValue: 'own' })] },
          { name: '', attributes: [] },
        ],
      }),
    ]),
  ],
  [
    'values cut past the maximum length, with warnings in order; end before start',
    exportOf([
      span({
        endTimeUnixNano: '1706678909209700000',
        attributes: [
          attr('long', { stringValue: 'y'.repeat(100) }),
          attr('exact', { stringValue: 'x'.repeat(MAX_LEN) }),
        ],
        events: [
          { name: 'e', timeUnixNano: NS, attributes: [attr('elong', { stringValue: 'z'.repeat(70) })] },
        ],
      }),
    ]),
  ],
  [
    'kinds left to the reference: links, arrays, maps, bytes, named enums, Long-like and odd values',
    exportOf([
      span({
        links: [
          { traceId: T, spanId: P, attributes: [attr('opentracing.ref_type', { stringValue: 'child_of' })] },
        ],
      }),
      span({
        spanId: '4'.repeat(16),
        attributes: [attr('a', { arrayValue: { values: [{ intValue: '1' }] } })],
      }),
      span({
        spanId: '5'.repeat(16),
        attributes: [attr('m', { kvlistValue: { values: [attr('k', { boolValue: true })] } })],
      }),
      span({ spanId: '6'.repeat(16), attributes: [attr('by', { bytesValue: 'AAEC' })] }),
      span({ spanId: '7'.repeat(16), kind: 'SPAN_KIND_CLIENT', status: { code: 'STATUS_CODE_ERROR' } }),
      span({ spanId: '8'.repeat(16), attributes: [attr('big', { intValue: '9007199254740993' })] }),
      span({ spanId: '9'.repeat(16), attributes: [attr('f', { intValue: 1.5 })] }),
      span({ spanId: 'a'.repeat(16), endTimeUnixNano: '99999999999999999999' }),
      span({ spanId: 'b'.repeat(16), startTimeUnixNano: 1.7e18 }),
      span({ spanId: 'c'.repeat(16), events: [null] }),
    ]),
  ],
  [
    'rejected spans and their reasons',
    exportOf([
      span({ traceId: 'zz' }),
      span({ spanId: '0'.repeat(16) }),
      span({ traceId: '' }),
      span({ startTimeUnixNano: '-5' }),
      span({ parentSpanId: 'xyz' }),
      null,
      7,
      span({ spanId: 'd'.repeat(16) }),
    ]),
  ],
  ['a resource without attributes', exportOf([span()], {})],
  [
    'a resource that cannot be read',
    exportOf([span(), span()], { attributes: [attr('n', { intValue: 'x' })] }),
  ],
  ['no resourceSpans at all', {} as OtlpTracesData],
];

/** What a batch stores per span, minus the process object itself (compared by value). */
function searchFields(s: IngestSpan) {
  const { process, ...rest } = s;
  return {
    ...rest,
    json: [...s.json],
    hashes: [...s.hashes],
    service: process.serviceName,
    tags: process.tags,
  };
}

function compare(data: OtlpTracesData, fast: IngestBatch) {
  const reference = spansFromOtlp(structuredClone(data), { maxValueLength: MAX_LEN });
  expect(fast.rejectedSpans).toBe(reference.rejectedSpans);
  expect([...fast.errors]).toEqual(reference.errors);
  expect(fast.spans.map(searchFields)).toEqual(
    reference.spans.map(({ span, process }) => searchFields(ingestSpanFromModel(span, process))),
  );
  // Stored and answered: byte for byte JSON.stringify of the reference's traces.
  const store = new TraceStore();
  expect(store.addSpans(fast.spans).rejected).toBe(0);
  for (const trace of groupIntoTraces(reference.spans)) {
    expect(store.getTraceJson(trace.traceID)).toBe(JSON.stringify(trace));
  }
}

describe('OTLP/JSON ingest path = reference translator', () => {
  it.each(fixtureExports())('on the fixture %s', (_name, data) => {
    compare(data, ingestOtlpJson(structuredClone(data), MAX_LEN));
  });

  it.each(EDGE_CASES)('on %s', (_name, data) => {
    compare(data, ingestOtlpJson(structuredClone(data), MAX_LEN));
  });

  it('reads both fixture folders', () => {
    expect(fixtureExports().length).toBeGreaterThanOrEqual(2);
  });
});

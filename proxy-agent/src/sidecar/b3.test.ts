import { describe, expect, it } from 'vitest';
import { normalizeTraceId, parseB3, readB3 } from './b3';

const T128 = '463ac35c9f6413ad48485a3953bb6124';
const T64 = 'a3ce929d0e0e4736';
const S = 'a2fb4a1d1a96d312';
const P = '0020000000000001';

describe('B3 multi-header', () => {
  it('reads a 128-bit trace id, span id, parent and sampled flag', () => {
    expect(
      parseB3({ 'x-b3-traceid': T128, 'x-b3-spanid': S, 'x-b3-parentspanid': P, 'x-b3-sampled': '1' }),
    ).toEqual({ traceId: T128, spanId: S, parentSpanId: P, sampled: true });
  });

  it('pads a 64-bit trace id to 128 bits for OpenTelemetry', () => {
    expect(parseB3({ 'x-b3-traceid': T64, 'x-b3-spanid': S })).toEqual({
      traceId: `0000000000000000${T64}`,
      spanId: S,
    });
  });

  it('leaves the sampling decision undefined when the caller made none', () => {
    expect(parseB3({ 'x-b3-traceid': T128, 'x-b3-spanid': S })?.sampled).toBeUndefined();
  });

  it.each([
    ['1', true],
    ['0', false],
    ['true', true],
    ['false', false],
    ['TRUE', true],
  ])('x-b3-sampled: %s means sampled=%s', (value, sampled) => {
    expect(parseB3({ 'x-b3-traceid': T128, 'x-b3-spanid': S, 'x-b3-sampled': value })?.sampled).toBe(sampled);
  });

  it('treats x-b3-flags: 1 as debug, which implies sampled', () => {
    expect(
      parseB3({ 'x-b3-traceid': T128, 'x-b3-spanid': S, 'x-b3-flags': '1', 'x-b3-sampled': '0' }),
    ).toEqual({
      traceId: T128,
      spanId: S,
      sampled: true,
      debug: true,
    });
  });

  it('lower-cases upper-case hex ids', () => {
    expect(parseB3({ 'x-b3-traceid': T128.toUpperCase(), 'x-b3-spanid': S.toUpperCase() })).toEqual({
      traceId: T128,
      spanId: S,
    });
  });

  it('takes the first value of a repeated header and trims whitespace', () => {
    expect(parseB3({ 'x-b3-traceid': [` ${T128} `, 'ffffffffffffffff'], 'x-b3-spanid': S })?.traceId).toBe(
      T128,
    );
  });

  it.each([
    ['trace id of 15 hex digits', { 'x-b3-traceid': T64.slice(1), 'x-b3-spanid': S }],
    ['trace id of 24 hex digits', { 'x-b3-traceid': T128.slice(8), 'x-b3-spanid': S }],
    ['trace id of 33 hex digits', { 'x-b3-traceid': `${T128}a`, 'x-b3-spanid': S }],
    ['non-hex trace id', { 'x-b3-traceid': 'zzzzzzzzzzzzzzzz', 'x-b3-spanid': S }],
    ['all-zero trace id', { 'x-b3-traceid': '0'.repeat(32), 'x-b3-spanid': S }],
    ['all-zero span id', { 'x-b3-traceid': T128, 'x-b3-spanid': '0'.repeat(16) }],
    ['short span id', { 'x-b3-traceid': T128, 'x-b3-spanid': 'abc' }],
    ['32-hex span id', { 'x-b3-traceid': T128, 'x-b3-spanid': T128 }],
    ['missing span id', { 'x-b3-traceid': T128 }],
    ['missing trace id', { 'x-b3-spanid': S }],
    ['bad parent span id', { 'x-b3-traceid': T128, 'x-b3-spanid': S, 'x-b3-parentspanid': 'nope' }],
    ['bad sampled value', { 'x-b3-traceid': T128, 'x-b3-spanid': S, 'x-b3-sampled': 'yes' }],
    ['bad flags value', { 'x-b3-traceid': T128, 'x-b3-spanid': S, 'x-b3-flags': '2' }],
    ['two joined trace ids', { 'x-b3-traceid': `${T64}, ${T64}`, 'x-b3-spanid': S }],
    ['empty trace id', { 'x-b3-traceid': '', 'x-b3-spanid': S }],
  ])('rejects a %s (new trace)', (_what, headers) => {
    expect(readB3(headers).kind).toBe('malformed');
    expect(parseB3(headers)).toBeUndefined();
  });

  it('reads a lone x-b3-sampled: 0 as a decision without a context', () => {
    expect(readB3({ 'x-b3-sampled': '0' })).toEqual({ kind: 'decision', sampled: false, debug: false });
  });

  it('reads a lone x-b3-flags: 1 as a debug (sampled) decision', () => {
    expect(readB3({ 'x-b3-flags': '1' })).toEqual({ kind: 'decision', sampled: true, debug: true });
  });

  it('reports absent when there are no B3 headers', () => {
    expect(readB3({ host: 'reviews', 'x-request-id': 'abc' })).toEqual({ kind: 'absent' });
    expect(readB3({ 'x-b3-flags': '0' })).toEqual({ kind: 'absent' });
  });
});

describe('B3 single header', () => {
  it('reads trace id and span id only', () => {
    expect(parseB3({ b3: `${T128}-${S}` })).toEqual({ traceId: T128, spanId: S });
  });

  it('reads trace id, span id, sampling state and parent', () => {
    expect(parseB3({ b3: `${T128}-${S}-1-${P}` })).toEqual({
      traceId: T128,
      spanId: S,
      sampled: true,
      parentSpanId: P,
    });
  });

  it('reads sampling state 0 and pads a 64-bit trace id', () => {
    expect(parseB3({ b3: `${T64}-${S}-0` })).toEqual({
      traceId: `0000000000000000${T64}`,
      spanId: S,
      sampled: false,
    });
  });

  it('reads sampling state d as debug', () => {
    expect(parseB3({ b3: `${T128}-${S}-d` })).toEqual({
      traceId: T128,
      spanId: S,
      sampled: true,
      debug: true,
    });
  });

  it.each([
    ['0', false, false],
    ['1', true, false],
    ['d', true, true],
  ])('b3: %s alone is a sampling decision', (value, sampled, debug) => {
    expect(readB3({ b3: value })).toEqual({ kind: 'decision', sampled, debug });
  });

  it.each([
    ['garbage', 'garbage'],
    ['bad sampling state', `${T128}-${S}-x`],
    ['true as sampling state (only multi-header allows it)', `${T128}-${S}-true`],
    ['bad parent', `${T128}-${S}-1-xyz`],
    ['too many fields', `${T128}-${S}-1-${P}-extra`],
    ['short trace id', `abc-${S}`],
    ['empty span id', `${T128}-`],
    ['empty value', ''],
  ])('rejects a %s', (_what, value) => {
    expect(readB3({ b3: value }).kind).toBe('malformed');
  });

  it('wins over the multi-header form when both are valid', () => {
    const other = 'b'.repeat(32);
    expect(parseB3({ b3: `${T128}-${S}-1`, 'x-b3-traceid': other, 'x-b3-spanid': S })?.traceId).toBe(T128);
  });

  it('falls back to valid multi-headers when the single header is malformed', () => {
    expect(parseB3({ b3: 'broken', 'x-b3-traceid': T128, 'x-b3-spanid': S })?.traceId).toBe(T128);
  });
});

describe('normalizeTraceId', () => {
  it('keeps 128-bit ids and pads 64-bit ones', () => {
    expect(normalizeTraceId(T128.toUpperCase())).toBe(T128);
    expect(normalizeTraceId(T64)).toBe(`0000000000000000${T64}`);
  });
});

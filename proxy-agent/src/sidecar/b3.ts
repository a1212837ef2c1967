// B3 propagation, read side: the trace context a caller sent, in Zipkin's multi-header form
// (`x-b3-traceid`, `x-b3-spanid`, `x-b3-parentspanid`, `x-b3-sampled`, `x-b3-flags`) or single `b3` header.
// Pure parsing; anything malformed is reported as such so the caller starts a new trace.
import type { B3Context } from './telemetry-types';

/** What the B3 headers of a request say. */
export type B3Read =
  | { kind: 'context'; context: B3Context }
  /** Only a sampling decision, no ids (`b3: 0`, a lone `x-b3-sampled: 0`): start a trace, honour the decision. */
  | { kind: 'decision'; sampled: boolean; debug: boolean }
  | { kind: 'absent' }
  | { kind: 'malformed'; reason: string };

export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

/** The B3 context of a request, or undefined when there is none or it is malformed (start a new trace). */
export function parseB3(headers: HeaderBag): B3Context | undefined {
  const read = readB3(headers);
  return read.kind === 'context' ? read.context : undefined;
}

/** Reads B3 headers; the single `b3` header wins over the multi-header form when both are valid. */
export function readB3(headers: HeaderBag): B3Read {
  const single = header(headers, 'b3');
  // Each header looked up once (a request's headers object is a dictionary: lookups are not free).
  const traceId = headers['x-b3-traceid'];
  const spanId = headers['x-b3-spanid'];
  const sampled = headers['x-b3-sampled'];
  const flags = headers['x-b3-flags'];
  const multi =
    traceId !== undefined || spanId !== undefined || sampled !== undefined || flags !== undefined
      ? readMultiHeaders(
          first(traceId),
          first(spanId),
          header(headers, 'x-b3-parentspanid'),
          first(sampled),
          first(flags),
        )
      : undefined;
  if (single !== undefined) {
    const fromSingle = readSingleHeader(single);
    if (fromSingle.kind !== 'malformed' || multi === undefined || multi.kind === 'malformed') {
      return fromSingle;
    }
  }
  return multi ?? { kind: 'absent' };
}

/** Pads a 64-bit (16 hex) trace id to the 128-bit form OpenTelemetry requires; lower-cases it. */
export function normalizeTraceId(traceId: string): string {
  const lower = traceId.toLowerCase();
  return lower.length === 16 ? `0000000000000000${lower}` : lower;
}

function header(headers: HeaderBag, name: string): string | undefined {
  return first(headers[name]);
}

/** A header's first value, trimmed. */
function first(value: string | readonly string[] | undefined): string | undefined {
  const v = typeof value === 'string' ? value : value?.[0];
  return v === undefined ? undefined : v.trim();
}

function readMultiHeaders(
  traceId: string | undefined,
  spanId: string | undefined,
  parentSpanId: string | undefined,
  sampledHeader: string | undefined,
  flags: string | undefined,
): B3Read {
  const sampled = sampledHeader === undefined ? undefined : parseSampled(sampledHeader);
  if (sampled === null) return { kind: 'malformed', reason: `x-b3-sampled: ${sampledHeader}` };
  if (flags !== undefined && flags !== '0' && flags !== '1') {
    return { kind: 'malformed', reason: `x-b3-flags: ${flags}` };
  }
  const debug = flags === '1';

  if (traceId === undefined && spanId === undefined) {
    if (debug) return { kind: 'decision', sampled: true, debug: true };
    if (sampled !== undefined) return { kind: 'decision', sampled, debug: false };
    return { kind: 'absent' }; // `x-b3-flags: 0` alone says nothing
  }
  if (traceId === undefined || !validTraceId(traceId)) {
    return { kind: 'malformed', reason: `x-b3-traceid: ${traceId ?? '(missing)'}` };
  }
  if (spanId === undefined || !validSpanId(spanId)) {
    return { kind: 'malformed', reason: `x-b3-spanid: ${spanId ?? '(missing)'}` };
  }
  if (parentSpanId !== undefined && !validSpanId(parentSpanId)) {
    return { kind: 'malformed', reason: `x-b3-parentspanid: ${parentSpanId}` };
  }
  return {
    kind: 'context',
    context: makeContext(traceId, spanId, parentSpanId, debug ? true : sampled, debug),
  };
}

/** `b3: {traceid}-{spanid}[-{sampling}[-{parentspanid}]]`, or the sampling state alone (`0`, `1`, `d`). */
function readSingleHeader(value: string): B3Read {
  const parts = value.split('-');
  if (parts.length === 1) {
    const state = parseSamplingState(value);
    return state === null
      ? { kind: 'malformed', reason: `b3: ${value}` }
      : { kind: 'decision', sampled: state.sampled, debug: state.debug };
  }
  if (parts.length > 4) return { kind: 'malformed', reason: `b3: ${value}` };
  const [traceId = '', spanId = '', samplingPart, parentSpanId] = parts;
  if (!validTraceId(traceId) || !validSpanId(spanId)) return { kind: 'malformed', reason: `b3: ${value}` };
  const state =
    samplingPart === undefined ? { sampled: undefined, debug: false } : parseSamplingState(samplingPart);
  if (state === null) return { kind: 'malformed', reason: `b3 sampling state: ${samplingPart}` };
  if (parentSpanId !== undefined && !validSpanId(parentSpanId)) {
    return { kind: 'malformed', reason: `b3 parent span id: ${parentSpanId}` };
  }
  return { kind: 'context', context: makeContext(traceId, spanId, parentSpanId, state.sampled, state.debug) };
}

function parseSampled(value: string): boolean | null {
  if (value === '1') return true;
  if (value === '0') return false;
  switch (value.toLowerCase()) {
    case '1':
    case 'true':
      return true;
    case '0':
    case 'false':
      return false;
    default:
      return null;
  }
}

function parseSamplingState(value: string): { sampled: boolean; debug: boolean } | null {
  if (value === 'd') return { sampled: true, debug: true };
  const sampled = value === '1' ? true : value === '0' ? false : null;
  return sampled === null ? null : { sampled, debug: false };
}

/** 16 or 32 hex digits (either case), not all zero. */
function validTraceId(id: string): boolean {
  return (id.length === 16 || id.length === 32) && nonZeroHex(id);
}

/** 16 hex digits (either case), not all zero. */
function validSpanId(id: string): boolean {
  return id.length === 16 && nonZeroHex(id);
}

/** Every character a hex digit and one at least not `0` (a loop: the regular expressions were ~10 % of a span). */
function nonZeroHex(id: string): boolean {
  let nonZero = false;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c === 48) continue;
    if ((c > 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70)) nonZero = true;
    else return false;
  }
  return nonZero;
}

function makeContext(
  traceId: string,
  spanId: string,
  parentSpanId: string | undefined,
  sampled: boolean | undefined,
  debug: boolean,
): B3Context {
  const context: B3Context = { traceId: normalizeTraceId(traceId), spanId: spanId.toLowerCase() };
  if (parentSpanId !== undefined) context.parentSpanId = parentSpanId.toLowerCase();
  if (sampled !== undefined) context.sampled = sampled;
  if (debug) context.debug = true;
  return context;
}

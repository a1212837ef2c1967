// OTLP/JSON (a parsed ExportTraceServiceRequest) straight into the store's span form, without building
// Jaeger's model objects. Handles the shapes exporters send (hex ids, int64 as strings or numbers, scalar
// attributes, events); any span with something else (links, arrays, maps, bytes, named enums, a malformed
// field) goes through the reference translator (lib/jaeger/from-otlp.ts), so answers never differ.
import type {
  OtlpAnyValue,
  OtlpKeyValue,
  OtlpResourceSpans,
  OtlpScopeSpans,
  OtlpSpan,
  OtlpTracesData,
} from '../../../lib/jaeger/from-otlp';
import type { Process } from '../../../lib/jaeger/model';
import {
  addReferenceSpan,
  cutWarning,
  type IngestBatch,
  newBatch,
  processOf,
  reject,
  scopeTags,
  trailingTags,
} from './ingest-common';
import {
  type IngestSpan,
  internName,
  logJson,
  logsPart,
  TagCollector,
  type TagPart,
  tagPart,
  warningsEnd,
} from './span-parts';

const ZEROES = /^0+$/;
const INT = /^-?\d{1,15}$/;
const ZERO_HIGH = '0000000000000000';
/** Nanosecond timestamps whose µs fit a double exactly. */
const MAX_SAFE_US = Number.MAX_SAFE_INTEGER;
/** Durations past this many µs go through the reference path (its BigInt arithmetic). */
const MAX_FAST_DURATION_US = Math.floor(Number.MAX_SAFE_INTEGER / 1000) - 1;

/** A span the fast path leaves to the reference translator. */
const FALLBACK = Symbol('fallback');

/** Converts one parsed OTLP/JSON export; `maxValueLength` cuts string values as the reference does. */
export function ingestOtlpJson(data: OtlpTracesData, maxValueLength: number): IngestBatch {
  const batch = newBatch();
  const resourceSpans = Array.isArray(data.resourceSpans) ? data.resourceSpans : [];
  for (const rs of resourceSpans) {
    const scopeSpansList = asArray(rs?.scopeSpans);
    const process = processOf(rs?.resource, maxValueLength);
    if (typeof process === 'string') {
      // A resource we cannot read rejects all of its spans, never the rest of the export.
      let count = 0;
      for (const ss of scopeSpansList) count += asArray(ss?.spans).length;
      reject(batch, count, [process]);
      continue;
    }
    for (const ss of scopeSpansList) {
      const scope = ss?.scope;
      const scopeParts = scope && typeof scope === 'object' ? scopeTags(scope.name, scope.version) : [];
      for (const s of asArray(ss?.spans)) {
        ingestParsedSpan(batch, rs?.resource, scope, s, scopeParts, process, maxValueLength);
      }
    }
  }
  return batch;
}

/** One parsed span into the batch: the fast conversion, or the reference translator for the rare shapes. */
export function ingestParsedSpan(
  batch: IngestBatch,
  resource: OtlpResourceSpans['resource'],
  scope: OtlpScopeSpans['scope'],
  s: unknown,
  scopeParts: TagPart[],
  process: Process,
  maxValueLength: number,
): void {
  const fast = fastSpan(s as OtlpSpan, scopeParts, process, maxValueLength);
  if (fast !== FALLBACK) batch.spans.push(fast);
  else addReferenceSpan(batch, resource, scope, s as OtlpSpan, process, maxValueLength);
}

// Nanosecond timestamps split as µs and the remaining ns, exactly, without BigInt (set by `nanos`).
let us = 0;
let remNs = 0;

/** Splits an OTLP timestamp into `us`/`remNs`; false for anything the reference path must judge. */
function nanos(v: unknown): boolean {
  if (v === undefined || v === null || v === '') {
    us = 0;
    remNs = 0;
    return true;
  }
  if (typeof v === 'string') {
    // Digits only; µs accumulate exactly while they stay within a double's integers.
    const n = v.length;
    let high = 0;
    let low = 0;
    for (let i = 0; i < n; i++) {
      const d = v.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return false;
      if (i < n - 3) {
        high = high * 10 + d;
        if (high > MAX_SAFE_US) return false;
      } else low = low * 10 + d;
    }
    us = high;
    remNs = low;
    return true;
  }
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) {
    remNs = v % 1000;
    us = (v - remNs) / 1000; // exact: a float division could round up to the next integer
    return true;
  }
  return false;
}

/** The lowercase hex of an id of `digits` hex digits that is not all zeroes; undefined otherwise. */
function hexId(id: unknown, digits: number): string | undefined {
  if (typeof id !== 'string' || id.length !== digits) return undefined;
  let zero = true;
  let upper = false;
  for (let i = 0; i < digits; i++) {
    const c = id.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (c !== 48) zero = false;
    } else if (c >= 97 && c <= 102) zero = false;
    else if (c >= 65 && c <= 70) {
      zero = false;
      upper = true;
    } else return undefined;
  }
  if (zero) return undefined;
  return upper ? id.toLowerCase() : id;
}

function fastSpan(
  s: OtlpSpan | null | undefined,
  scopeTags: TagPart[],
  process: Process,
  maxLen: number,
): IngestSpan | typeof FALLBACK {
  if (s === null || typeof s !== 'object') return FALLBACK;
  const traceHex = hexId(s.traceId, 32);
  const spanID = hexId(s.spanId, 16);
  if (traceHex === undefined || spanID === undefined) return FALLBACK;
  let parentSpanID = '';
  const parent = s.parentSpanId;
  if (parent !== undefined && parent !== null && parent !== '') {
    const hex = hexId(parent, 16);
    if (hex !== undefined) parentSpanID = hex;
    else if (typeof parent !== 'string' || parent.length !== 16 || !ZEROES.test(parent)) return FALLBACK; // all zeroes: none
  }
  if (asArray(s.links).length > 0) return FALLBACK;
  const kind = s.kind ?? 0;
  if (typeof kind !== 'number') return FALLBACK;
  const status = s.status;
  if (status !== undefined && status !== null && typeof status !== 'object') return FALLBACK;
  const code = status?.code ?? 0;
  if (typeof code !== 'number') return FALLBACK;
  if (!nanos(s.startTimeUnixNano)) return FALLBACK;
  const startUs = us;
  const startRem = remNs;
  if (!nanos(s.endTimeUnixNano)) return FALLBACK;
  const spanUs = us - startUs;
  if (spanUs > MAX_FAST_DURATION_US || spanUs < -MAX_FAST_DURATION_US) return FALLBACK;
  let durationNs = spanUs * 1000 + (remNs - startRem);
  let warnings: string[] | null = null;
  if (durationNs < 0) {
    warnings = ['end time before start time; duration set to 0'];
    durationNs = 0;
  }

  const tags = new TagCollector();
  for (const part of scopeTags) tags.tag(part);
  for (const a of asArray(s.attributes)) {
    if (a === null || typeof a !== 'object') continue;
    const part = attributePart(a, maxLen);
    if (part === FALLBACK) return FALLBACK;
    if (cut !== undefined) warnings = [...(warnings ?? []), cut];
    tags.tag(part);
  }
  trailingTags(tags, kind, code, status?.message, s.traceState);

  const logs: string[] = [];
  for (const event of asArray(s.events)) {
    if (event === null || typeof event !== 'object') return FALLBACK;
    if (!nanos(event.timeUnixNano)) return FALLBACK;
    const timestamp = us;
    const fields: TagPart[] = [];
    const attributes = asArray(event.attributes);
    if (typeof event.name === 'string' && event.name !== '' && !attributes.some((a) => a?.key === 'event')) {
      fields.push(tagPart('event', 'string', event.name));
    }
    for (const a of attributes) {
      if (a === null || typeof a !== 'object') continue;
      const part = attributePart(a, maxLen);
      if (part === FALLBACK) return FALLBACK;
      if (cut !== undefined) warnings = [...(warnings ?? []), cut];
      fields.push(part);
    }
    for (const f of fields) tags.field(f);
    logs.push(logJson(timestamp, fields));
  }

  const traceID = traceHex.startsWith(ZERO_HIGH) ? traceHex.slice(16) : traceHex;
  const operationName = typeof s.name === 'string' ? internName(s.name) : '';
  const duration = (durationNs - (durationNs % 1000)) / 1000; // exact, as the reference's BigInt division
  return tags.finish(
    { traceID, spanID, operationName, startTime: startUs, duration, parentSpanID, process },
    null,
    logsPart(logs),
    warningsEnd(warnings),
  );
}

/** The warning of the last value `attributePart` cut, if it cut one. */
let cut: string | undefined;

/** One attribute as a stored tag, as the reference's toKeyValue makes it; FALLBACK for the rare kinds. */
function attributePart(a: OtlpKeyValue, maxLen: number): TagPart | typeof FALLBACK {
  cut = undefined;
  const key = typeof a.key === 'string' ? a.key : '';
  const v: OtlpAnyValue | null | undefined = a.value;
  if (v === null || typeof v !== 'object') return tagPart(key, 'string', '');
  if (v.value !== undefined && v.value !== null) return FALLBACK; // protobufjs' oneof name: not JSON
  if (v.stringValue !== undefined && v.stringValue !== null) {
    const text = v.stringValue;
    if (typeof text !== 'string') return FALLBACK;
    if (text.length <= maxLen) return tagPart(key, 'string', text);
    cut = cutWarning(key, text.length, maxLen);
    return tagPart(key, 'string', text.slice(0, maxLen));
  }
  if (v.boolValue !== undefined && v.boolValue !== null) return tagPart(key, 'bool', v.boolValue === true);
  const int = v.intValue;
  if (int !== undefined && int !== null) {
    let n: number;
    if (typeof int === 'number' && Number.isSafeInteger(int)) n = int;
    else if (typeof int === 'string' && INT.test(int)) n = Number(int);
    else return FALLBACK;
    return tagPart(key, 'int64', n === 0 ? 0 : n); // -0 is 0, as the reference's BigInt makes it
  }
  if (v.doubleValue !== undefined && v.doubleValue !== null) {
    return tagPart(key, 'float64', Number(v.doubleValue));
  }
  const { arrayValue, kvlistValue, bytesValue } = v;
  if (
    (arrayValue !== undefined && arrayValue !== null) ||
    (kvlistValue !== undefined && kvlistValue !== null) ||
    (bytesValue !== undefined && bytesValue !== null)
  ) {
    return FALLBACK;
  }
  return tagPart(key, 'string', '');
}

function asArray<T>(v: T[] | null | undefined): T[] {
  return Array.isArray(v) ? v : [];
}

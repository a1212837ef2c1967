// OTLP traces → Jaeger model, as Jaeger's own translator does it (opentelemetry-collector-contrib
// pkg/translator/jaeger): scope → otel.scope.* tags, attributes → typed tags, kind → span.kind, status →
// otel.status_code / error=true / otel.status_description, trace state → w3c.tracestate, parent → CHILD_OF,
// links → FOLLOWS_FROM, events → logs with an `event` field, resource → process, times in µs.
// Accepts both OTLP/JSON (hex ids, int64 as strings or numbers) and messages decoded by protobufjs
// (bytes as Uint8Array, fixed64 as Long, oneofs named by a virtual field).
import type { KeyValue, Log, Process, Reference, Span, Trace } from './model';
import { canonicalTraceId } from './trace-id';

/** An int64 as OTLP/JSON (string or number), as protobufjs (Long) or as a bigint. */
export type Int64Like = string | number | bigint | { low: number; high: number } | null | undefined;
/** An id: hex in OTLP/JSON, bytes from protobuf (protobufjs leaves an unset bytes field as `[]`). */
export type IdLike = string | Uint8Array | number[] | null | undefined;

export interface OtlpAnyValue {
  stringValue?: string | null;
  boolValue?: boolean | null;
  intValue?: Int64Like;
  doubleValue?: number | string | null;
  arrayValue?: { values?: OtlpAnyValue[] | null } | null;
  kvlistValue?: { values?: OtlpKeyValue[] | null } | null;
  bytesValue?: string | Uint8Array | number[] | null;
  /** protobufjs: the name of the oneof member that is set. */
  value?: string | null;
}
export interface OtlpKeyValue {
  key?: string | null;
  value?: OtlpAnyValue | null;
}
export interface OtlpEvent {
  timeUnixNano?: Int64Like;
  name?: string | null;
  attributes?: OtlpKeyValue[] | null;
}
export interface OtlpLink {
  traceId?: IdLike;
  spanId?: IdLike;
  traceState?: string | null;
  attributes?: OtlpKeyValue[] | null;
}
export interface OtlpSpan {
  traceId?: IdLike;
  spanId?: IdLike;
  traceState?: string | null;
  parentSpanId?: IdLike;
  flags?: number | null;
  name?: string | null;
  kind?: number | string | null;
  startTimeUnixNano?: Int64Like;
  endTimeUnixNano?: Int64Like;
  attributes?: OtlpKeyValue[] | null;
  events?: OtlpEvent[] | null;
  links?: OtlpLink[] | null;
  status?: { code?: number | string | null; message?: string | null } | null;
}
export interface OtlpScopeSpans {
  scope?: { name?: string | null; version?: string | null } | null;
  spans?: OtlpSpan[] | null;
}
export interface OtlpResourceSpans {
  resource?: { attributes?: OtlpKeyValue[] | null } | null;
  scopeSpans?: OtlpScopeSpans[] | null;
}
export interface OtlpTracesData {
  resourceSpans?: OtlpResourceSpans[] | null;
}

/** One converted span and the process (from its resource) it belongs to; `span.processID` is still empty. */
export interface ConvertedSpan {
  span: Span;
  process: Process;
}

export interface ConversionResult {
  spans: ConvertedSpan[];
  /** Spans that could not be converted (bad ids, bad timestamps, not an object). */
  rejectedSpans: number;
  /** Distinct reasons for the rejections, a few at most. */
  errors: string[];
}

export interface ConversionOptions {
  /** String and binary values longer than this are cut (with a span warning); default unlimited. */
  maxValueLength?: number;
}

/** Jaeger's service name for a resource without attributes. */
export const NO_SERVICE_NAME = 'OTLPResourceNoServiceName';
const SPAN_KIND_TAGS = ['', 'internal', 'server', 'client', 'producer', 'consumer'];
const SPAN_KIND_NAMES: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_CODE_NAMES: Record<string, number> = {
  STATUS_CODE_UNSET: 0,
  STATUS_CODE_OK: 1,
  STATUS_CODE_ERROR: 2,
};
const MAX_REPORTED_ERRORS = 5;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;

class RejectedSpan extends Error {}

/** Converts one OTLP export (ExportTraceServiceRequest / TracesData) to Jaeger spans. */
export function spansFromOtlp(data: OtlpTracesData, options: ConversionOptions = {}): ConversionResult {
  const out: ConvertedSpan[] = [];
  const errors = new Set<string>();
  let rejectedSpans = 0;
  const maxLen = options.maxValueLength ?? Number.POSITIVE_INFINITY;
  for (const rs of asArray(data.resourceSpans)) {
    const scopeSpansList = asArray(rs?.scopeSpans);
    let process: Process;
    try {
      process = processFromResource(rs?.resource?.attributes, maxLen);
    } catch (err) {
      // A resource we cannot read rejects all of its spans, never the rest of the export.
      for (const ss of scopeSpansList) rejectedSpans += asArray(ss?.spans).length;
      if (errors.size < MAX_REPORTED_ERRORS) errors.add(messageOf(err));
      continue;
    }
    for (const ss of scopeSpansList) {
      const scopeTags = scopeToTags(ss?.scope);
      for (const otlpSpan of asArray(ss?.spans)) {
        try {
          out.push({ span: convertSpan(otlpSpan, scopeTags, maxLen), process });
        } catch (err) {
          rejectedSpans++;
          if (errors.size < MAX_REPORTED_ERRORS) errors.add(messageOf(err));
        }
      }
    }
  }
  return { spans: out, rejectedSpans, errors: [...errors] };
}

/** Groups converted spans into Jaeger traces, numbering equal processes p1, p2, ... in order of appearance. */
export function groupIntoTraces(spans: ConvertedSpan[]): Trace[] {
  const traces = new Map<string, { trace: Trace; ids: Map<string, string> }>();
  for (const { span, process } of spans) {
    let entry = traces.get(span.traceID);
    if (!entry) {
      entry = { trace: { traceID: span.traceID, spans: [], processes: {}, warnings: null }, ids: new Map() };
      traces.set(span.traceID, entry);
    }
    const key = processKey(process);
    let pid = entry.ids.get(key);
    if (pid === undefined) {
      pid = `p${entry.ids.size + 1}`;
      entry.ids.set(key, pid);
      entry.trace.processes[pid] = process;
    }
    entry.trace.spans.push({ ...span, processID: pid });
  }
  return [...traces.values()].map((e) => e.trace);
}

/** Identity of a process within a trace: equal service name and tags share one process id, as in Jaeger. */
export function processKey(process: Process): string {
  return process.tags.length === 0
    ? process.serviceName
    : JSON.stringify([process.serviceName, process.tags]);
}

function convertSpan(s: OtlpSpan, scopeTags: KeyValue[], maxLen: number): Span {
  if (s === null || typeof s !== 'object') throw new RejectedSpan('span is not an object');
  const traceHex = idToHex(s.traceId, 16, 'traceId');
  const spanHex = idToHex(s.spanId, 8, 'spanId');
  if (traceHex === undefined) throw new RejectedSpan('span without traceId');
  if (spanHex === undefined) throw new RejectedSpan('span without spanId');
  if (/^0+$/.test(traceHex)) throw new RejectedSpan('traceId is all zeroes');
  if (/^0+$/.test(spanHex)) throw new RejectedSpan('spanId is all zeroes');
  const parentHex = idToHex(s.parentSpanId, 8, 'parentSpanId');
  const traceID = canonicalTraceId(traceHex);
  const startNs = toNanos(s.startTimeUnixNano, 'startTimeUnixNano');
  const endNs = toNanos(s.endTimeUnixNano, 'endTimeUnixNano');
  const warnings: string[] = [];
  let durationNs = endNs - startNs;
  if (durationNs < 0n) {
    warnings.push('end time before start time; duration set to 0');
    durationNs = 0n;
  }

  const references: Reference[] = [];
  if (parentHex !== undefined && !/^0+$/.test(parentHex)) {
    references.push({ refType: 'CHILD_OF', traceID, spanID: parentHex });
  }
  for (const link of asArray(s.links)) {
    const ref = linkToReference(link);
    if (ref) references.push(ref);
  }

  const tags: KeyValue[] = scopeTags.slice();
  appendAttributes(tags, s.attributes, maxLen, warnings);
  const kind = enumValue(s.kind, SPAN_KIND_NAMES);
  const kindTag = SPAN_KIND_TAGS[kind];
  if (kindTag) tags.push({ key: 'span.kind', type: 'string', value: kindTag });
  const statusCode = enumValue(s.status?.code, STATUS_CODE_NAMES);
  if (statusCode === 2) {
    tags.push({ key: 'otel.status_code', type: 'string', value: 'ERROR' });
    tags.push({ key: 'error', type: 'bool', value: true });
  } else if (statusCode === 1) {
    tags.push({ key: 'otel.status_code', type: 'string', value: 'OK' });
  }
  const statusMessage = s.status?.message;
  if (typeof statusMessage === 'string' && statusMessage !== '') {
    tags.push({ key: 'otel.status_description', type: 'string', value: statusMessage });
  }
  if (typeof s.traceState === 'string' && s.traceState !== '') {
    tags.push({ key: 'w3c.tracestate', type: 'string', value: s.traceState });
  }

  const logs: Log[] = asArray(s.events).map((event) => eventToLog(event, maxLen, warnings));

  return {
    traceID,
    spanID: spanHex,
    operationName: typeof s.name === 'string' ? s.name : '',
    references,
    startTime: Number(startNs / 1000n),
    duration: Number(durationNs / 1000n),
    tags,
    logs,
    processID: '',
    warnings: warnings.length > 0 ? warnings : null,
  };
}

function linkToReference(link: OtlpLink): Reference | undefined {
  if (link === null || typeof link !== 'object') return undefined;
  let traceHex: string | undefined;
  let spanHex: string | undefined;
  try {
    traceHex = idToHex(link.traceId, 16, 'link traceId');
    spanHex = idToHex(link.spanId, 8, 'link spanId');
  } catch {
    return undefined; // a malformed link is dropped; the span itself is fine
  }
  if (traceHex === undefined || spanHex === undefined) return undefined;
  const refTypeAttr = asArray(link.attributes).find((a) => a?.key === 'opentracing.ref_type');
  const childOf = refTypeAttr?.value?.stringValue === 'child_of';
  return {
    refType: childOf ? 'CHILD_OF' : 'FOLLOWS_FROM',
    traceID: canonicalTraceId(traceHex),
    spanID: spanHex,
  };
}

function eventToLog(event: OtlpEvent, maxLen: number, warnings: string[]): Log {
  const fields: KeyValue[] = [];
  if (event === null || typeof event !== 'object') return { timestamp: 0, fields };
  const attributes = asArray(event.attributes);
  const hasEventAttr = attributes.some((a) => a?.key === 'event');
  if (typeof event.name === 'string' && event.name !== '' && !hasEventAttr) {
    fields.push({ key: 'event', type: 'string', value: event.name });
  }
  appendAttributes(fields, attributes, maxLen, warnings);
  return { timestamp: Number(toNanos(event.timeUnixNano, 'timeUnixNano') / 1000n), fields };
}

function scopeToTags(scope: OtlpScopeSpans['scope']): KeyValue[] {
  const tags: KeyValue[] = [];
  if (scope && typeof scope === 'object') {
    if (typeof scope.name === 'string' && scope.name !== '') {
      tags.push({ key: 'otel.scope.name', type: 'string', value: scope.name });
    }
    if (typeof scope.version === 'string' && scope.version !== '') {
      tags.push({ key: 'otel.scope.version', type: 'string', value: scope.version });
    }
  }
  return tags;
}

function processFromResource(attributes: OtlpKeyValue[] | null | undefined, maxLen: number): Process {
  const attrs = asArray(attributes);
  if (attrs.length === 0) return { serviceName: NO_SERVICE_NAME, tags: [] };
  let serviceName: string | undefined;
  const rest: OtlpKeyValue[] = [];
  for (const a of attrs) {
    if (a?.key === 'service.name' && serviceName === undefined) {
      const v = a.value ? toKeyValue('service.name', a.value, maxLen, []) : undefined;
      serviceName = v ? String(v.value) : '';
    } else {
      rest.push(a);
    }
  }
  const tags: KeyValue[] = [];
  appendAttributes(tags, rest, maxLen, []);
  return { serviceName: serviceName ?? NO_SERVICE_NAME, tags };
}

function appendAttributes(
  into: KeyValue[],
  attributes: OtlpKeyValue[] | null | undefined,
  maxLen: number,
  warnings: string[],
): void {
  for (const a of asArray(attributes)) {
    if (a === null || typeof a !== 'object') continue;
    const key = typeof a.key === 'string' ? a.key : '';
    into.push(toKeyValue(key, a.value, maxLen, warnings));
  }
}

/** One attribute as a typed Jaeger tag; maps and arrays become JSON strings, an empty value "". */
function toKeyValue(
  key: string,
  value: OtlpAnyValue | null | undefined,
  maxLen: number,
  warnings: string[],
): KeyValue {
  if (value === null || typeof value !== 'object') return { key, type: 'string', value: '' };
  switch (anyValueCase(value)) {
    case 'stringValue':
      return { key, type: 'string', value: truncate(key, String(value.stringValue), maxLen, warnings) };
    case 'boolValue':
      return { key, type: 'bool', value: value.boolValue === true };
    case 'intValue': {
      const n = toBigInt(value.intValue, key);
      return { key, type: 'int64', value: n > MAX_SAFE || n < MIN_SAFE ? n.toString() : Number(n) };
    }
    case 'doubleValue':
      return { key, type: 'float64', value: Number(value.doubleValue) };
    case 'bytesValue':
      return { key, type: 'binary', value: truncate(key, bytesToBase64(value.bytesValue), maxLen, warnings) };
    case 'arrayValue':
    case 'kvlistValue':
      return { key, type: 'string', value: truncate(key, anyValueToJson(value), maxLen, warnings) };
    default:
      return { key, type: 'string', value: '' };
  }
}

type AnyValueCase =
  | 'stringValue'
  | 'boolValue'
  | 'intValue'
  | 'doubleValue'
  | 'arrayValue'
  | 'kvlistValue'
  | 'bytesValue';
const ANY_VALUE_CASES: AnyValueCase[] = [
  'stringValue',
  'boolValue',
  'intValue',
  'doubleValue',
  'arrayValue',
  'kvlistValue',
  'bytesValue',
];

function anyValueCase(v: OtlpAnyValue): AnyValueCase | undefined {
  // protobufjs names the set member of the oneof; in OTLP/JSON the one present key says it.
  if (typeof v.value === 'string')
    return (ANY_VALUE_CASES as string[]).includes(v.value) ? (v.value as AnyValueCase) : undefined;
  for (const c of ANY_VALUE_CASES) if (v[c] !== undefined && v[c] !== null) return c;
  return undefined;
}

/** JSON text of a value, as the collector's AsString writes maps and arrays (map keys sorted). */
function anyValueToJson(v: OtlpAnyValue | null | undefined): string {
  if (v === null || v === undefined || typeof v !== 'object') return 'null';
  switch (anyValueCase(v)) {
    case 'stringValue':
      return JSON.stringify(String(v.stringValue));
    case 'boolValue':
      return v.boolValue === true ? 'true' : 'false';
    case 'intValue':
      return toBigInt(v.intValue, 'intValue').toString();
    case 'doubleValue': {
      const d = Number(v.doubleValue);
      return Number.isFinite(d) ? String(d) : JSON.stringify(String(d));
    }
    case 'bytesValue':
      return JSON.stringify(bytesToBase64(v.bytesValue));
    case 'arrayValue':
      return `[${asArray(v.arrayValue?.values).map(anyValueToJson).join(',')}]`;
    case 'kvlistValue': {
      const entries = asArray(v.kvlistValue?.values)
        .filter((kv): kv is OtlpKeyValue => kv !== null && typeof kv === 'object')
        .map((kv) => [String(kv.key ?? ''), anyValueToJson(kv.value)] as const)
        .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      return `{${entries.map(([k, val]) => `${JSON.stringify(k)}:${val}`).join(',')}}`;
    }
    default:
      return 'null';
  }
}

function truncate(key: string, text: string, maxLen: number, warnings: string[]): string {
  if (text.length <= maxLen) return text;
  warnings.push(`value of "${key}" truncated from ${text.length} to ${maxLen} characters`);
  return text.slice(0, maxLen);
}

const HEX_ID = /^[0-9a-fA-F]*$/;

/** Lowercase hex of an id of `bytes` bytes; undefined when absent or empty; throws when malformed. */
function idToHex(id: IdLike, bytes: number, field: string): string | undefined {
  if (id === null || id === undefined) return undefined;
  if (Array.isArray(id)) return id.length === 0 ? undefined : idToHex(Uint8Array.from(id), bytes, field);
  if (typeof id === 'string') {
    if (id.length === 0) return undefined;
    if (id.length !== bytes * 2 || !HEX_ID.test(id)) {
      throw new RejectedSpan(`${field} must be ${bytes * 2} hex digits, got "${id.slice(0, 40)}"`);
    }
    return id.toLowerCase();
  }
  if (id instanceof Uint8Array) {
    if (id.length === 0) return undefined;
    if (id.length !== bytes) throw new RejectedSpan(`${field} must be ${bytes} bytes, got ${id.length}`);
    let hex = '';
    for (const b of id) hex += (b < 16 ? '0' : '') + b.toString(16);
    return hex;
  }
  throw new RejectedSpan(`${field} has an unexpected type`);
}

function toNanos(v: Int64Like, field: string): bigint {
  const n = toBigInt(v, field);
  if (n < 0n) throw new RejectedSpan(`${field} is negative`);
  return n;
}

function toBigInt(v: Int64Like, field: string): bigint {
  if (v === null || v === undefined) return 0n;
  switch (typeof v) {
    case 'bigint':
      return v;
    case 'string':
      if (v === '') return 0n;
      if (!/^-?\d+$/.test(v)) throw new RejectedSpan(`${field} is not an integer: "${v.slice(0, 40)}"`);
      return BigInt(v);
    case 'number':
      if (!Number.isFinite(v)) throw new RejectedSpan(`${field} is not a finite number`);
      return BigInt(Math.trunc(v));
    case 'object':
      if (typeof v.low === 'number' && typeof v.high === 'number') {
        // protobufjs Long: two 32-bit halves; fixed64/uint64 are unsigned, int64 signed.
        const unsigned = (v as { unsigned?: boolean }).unsigned === true;
        const high = unsigned ? BigInt(v.high >>> 0) : BigInt(v.high | 0);
        return (high << 32n) + BigInt(v.low >>> 0);
      }
      throw new RejectedSpan(`${field} has an unexpected type`);
    default:
      throw new RejectedSpan(`${field} has an unexpected type`);
  }
}

function enumValue(v: number | string | null | undefined, names: Record<string, number>): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return names[v] ?? (/^\d+$/.test(v) ? Number(v) : 0);
  return 0;
}

function bytesToBase64(v: string | Uint8Array | number[] | null | undefined): string {
  if (typeof v === 'string') return v; // OTLP/JSON already carries bytes as base64
  if (Array.isArray(v)) return bytesToBase64(Uint8Array.from(v));
  if (!(v instanceof Uint8Array)) return '';
  let binary = '';
  for (const b of v) binary += String.fromCharCode(b);
  return btoa(binary);
}

function asArray<T>(v: T[] | null | undefined): T[] {
  return Array.isArray(v) ? v : [];
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

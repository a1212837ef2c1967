// Finished spans → an OTLP `ExportTraceServiceRequest` in protobuf, the body of a POST /v1/traces. The same
// bytes as OpenTelemetry's own `ProtobufTraceSerializer` (the unit tests compare them), written in one pass
// into one growing buffer: at 100 % sampling the library's serializer (a size pass, then a write pass, an
// id buffer per span, attribute loops through `for…in`) was the largest piece of a sidecar's JavaScript.
// The sidecar's tracer writes each span into its batch when it ends (`HopSpanEncoder`, `SpanBatch`, at the
// end of this file); `encodeTraceRequest` is the general form, for any ReadableSpans and resources, which
// the tests hold both to.
import type { Attributes, HrTime } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { AttemptRecord } from './telemetry-types';

const LEN = 2;
const VARINT = 0;
const FIXED64 = 1;
const FIXED32 = 5;
const INITIAL_SIZE = 64 * 1024;
/** OTLP span flags: the W3C trace flags, and whether the parent's context was remote. */
const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;
const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;

class Writer {
  buf: Buffer;
  pos = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  /** A non-negative integer, or a negative one as 64-bit two's complement (10 bytes), as protobuf does. */
  varint(value: number): void {
    this.ensure(10);
    const b = this.buf;
    if (value >= 0 && value <= 0xffffffff) {
      let v = value >>> 0;
      while (v > 0x7f) {
        b[this.pos++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      b[this.pos++] = v;
      return;
    }
    const abs = Math.abs(value);
    let low = abs >>> 0;
    let high = (abs / 0x100000000) >>> 0;
    if (value < 0) {
      low = ~low >>> 0;
      high = ~high >>> 0;
      low = (low + 1) >>> 0;
      if (low === 0) high = (high + 1) >>> 0;
    }
    while (high > 0 || low > 0x7f) {
      b[this.pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    b[this.pos++] = low & 0x7f;
  }

  string(s: string): void {
    const n = s.length;
    // ASCII (every key and almost every value here): one byte a character, the length known up front.
    this.ensure(n + 5);
    const start = this.pos;
    this.varint(n);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) {
        this.pos = start;
        this.bytes(Buffer.from(s, 'utf8'));
        return;
      }
      b[p++] = c;
    }
    this.pos = p;
  }

  bytes(data: Uint8Array): void {
    this.varint(data.length);
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  /** A trace or span id given in hex, as its bytes (what OTel's hexToBinary makes of it). */
  hexId(hex: string): void {
    const n = hex.length >>> 1;
    this.varint(n);
    this.ensure(n);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < 2 * n; i += 2) b[p++] = (hexDigit(hex, i) << 4) | hexDigit(hex, i + 1);
    this.pos = p;
  }

  fixed32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
  }

  /** [seconds, nanoseconds] as fixed64 nanoseconds, exact (seconds × 1e9 passes 2^53). */
  hrTime(t: HrTime): void {
    this.time(t[0], t[1]);
  }

  /** Epoch milliseconds as the HrTime OpenTelemetry's hrTime() would make of them, then as `hrTime`. */
  msTime(ms: number): void {
    const seconds = Math.trunc(ms / 1000);
    this.time(seconds, Math.round((ms - seconds * 1000) * 1e6));
  }

  private time(seconds: number, nanos: number): void {
    const lower = (seconds & 0xffff) * 1e9;
    const upper = ((seconds / 0x10000) >>> 0) * 1e9;
    const lowWithCarry = (lower >>> 0) + (((upper & 0xffff) * 0x10000) >>> 0) + nanos;
    const high =
      (Math.floor(lower / 0x100000000) +
        ((upper / 0x10000) >>> 0) +
        Math.floor(lowWithCarry / 0x100000000)) >>>
      0;
    this.ensure(8);
    this.uint32le(lowWithCarry >>> 0);
    this.uint32le(high);
  }

  /** Four bytes, little-endian (what Buffer#writeUInt32LE writes, without its checks and call). */
  private uint32le(v: number): void {
    const b = this.buf;
    let p = this.pos;
    b[p++] = v & 0xff;
    b[p++] = (v >>> 8) & 0xff;
    b[p++] = (v >>> 16) & 0xff;
    b[p++] = v >>> 24;
    this.pos = p;
  }

  double(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  /** Opens a length-delimited field; one byte is reserved for the length, widened at `close` if needed. */
  open(field: number): number {
    this.tag(field, LEN);
    this.ensure(1);
    return this.pos++;
  }

  /**
   * Opens a length-delimited field with two bytes reserved for the length (a span or an attempt event is
   * 128 B–16 KB, so `open`'s one byte would be widened, its content moved, almost every time).
   */
  open2(field: number): number {
    this.tag(field, LEN);
    this.ensure(2);
    const at = this.pos;
    this.pos += 2;
    return at;
  }

  close2(at: number): void {
    const len = this.pos - at - 2;
    const b = this.buf;
    if (len < 0x80) {
      b.copyWithin(at + 1, at + 2, this.pos);
      this.pos--;
      b[at] = len;
    } else if (len < 0x4000) {
      b[at] = (len & 0x7f) | 0x80;
      b[at + 1] = len >>> 7;
    } else {
      this.widen(at, 2, len);
    }
  }

  close(at: number): void {
    const len = this.pos - at - 1;
    if (len < 0x80) {
      this.buf[at] = len;
      return;
    }
    this.widen(at, 1, len);
  }

  /** Writes `len` at `at`, where `reserved` bytes were kept for it and more are needed: the content moves. */
  private widen(at: number, reserved: number, len: number): void {
    const size = varintSize(len);
    this.ensure(size - reserved);
    this.buf.copyWithin(at + size, at + reserved, this.pos);
    this.pos += size - reserved;
    const end = this.pos;
    this.pos = at;
    this.varint(len);
    this.pos = end;
  }
}

/** ASCII code → hex digit value (0 for anything else, as before). */
const HEX_VALUE = new Uint8Array(128);
for (let c = 48; c <= 57; c++) HEX_VALUE[c] = c - 48;
for (let c = 97; c <= 102; c++) HEX_VALUE[c] = c - 87;
for (let c = 65; c <= 70; c++) HEX_VALUE[c] = c - 55;

function hexDigit(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return c < 128 ? (HEX_VALUE[c] as number) : 0;
}

function varintSize(n: number): number {
  let size = 1;
  for (let v = n; v > 0x7f; v = Math.floor(v / 128)) size++;
  return size;
}

function anyValue(w: Writer, value: unknown): void {
  switch (typeof value) {
    case 'string':
      w.tag(1, LEN);
      w.string(value);
      return;
    case 'boolean':
      w.tag(2, VARINT);
      w.varint(value ? 1 : 0);
      return;
    case 'number':
      if (Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64) {
        w.tag(3, VARINT);
        w.varint(value);
      } else {
        w.tag(4, FIXED64);
        w.double(value);
      }
      return;
    default:
  }
  if (value instanceof Uint8Array) {
    w.tag(7, LEN);
    w.bytes(value);
  } else if (Array.isArray(value)) {
    const list = w.open(5);
    for (const item of value) {
      const at = w.open(1);
      anyValue(w, item);
      w.close(at);
    }
    w.close(list);
  } else if (typeof value === 'object' && value !== null) {
    const list = w.open(6);
    keyValues(w, value as Record<string, unknown>, 1);
    w.close(list);
  }
}

/**
 * A KeyValue whose key and ASCII string value are short enough that every length fits one byte: written
 * straight, lengths known up front (most of a span's attributes). False, and nothing written, otherwise.
 */
function shortStringKeyValue(w: Writer, field: number, key: string, value: string): boolean {
  const k = key.length;
  const v = value.length;
  const anyLen = 2 + v;
  const kvLen = 2 + k + 2 + anyLen;
  if (field > 15 || kvLen > 0x7f) return false;
  w.ensure(kvLen + 2);
  const b = w.buf;
  const start = w.pos;
  let p = start;
  b[p++] = (field << 3) | LEN;
  b[p++] = kvLen;
  b[p++] = 0x0a; // KeyValue.key
  b[p++] = k;
  for (let i = 0; i < k; i++) {
    const c = key.charCodeAt(i);
    if (c > 0x7f) return false;
    b[p++] = c;
  }
  b[p++] = 0x12; // KeyValue.value
  b[p++] = anyLen;
  b[p++] = 0x0a; // AnyValue.string_value
  b[p++] = v;
  for (let i = 0; i < v; i++) {
    const c = value.charCodeAt(i);
    if (c > 0x7f) return false;
    b[p++] = c;
  }
  w.pos = p;
  return true;
}

/**
 * Encoded KeyValues of string attributes seen before, by field, key and value: most of a span's
 * attributes repeat span after span (the node id, the workload's names, the cluster, the endpoint), and
 * copying their bytes costs a fraction of writing them. Bounded: emptied when it holds this many.
 */
const MAX_CACHED_KEY_VALUES = 4096;
/**
 * One key's encoded KeyValues by value, and the last one written: consecutive spans mostly repeat the
 * value (the same route, cluster, endpoint), and a string compare with the last one is cheaper than
 * hashing the value (a new string each request) for the map.
 */
class KeyValueCache {
  readonly byValue = new Map<string, Buffer>();
  lastValue: string | undefined = undefined;
  lastBytes: Buffer | undefined = undefined;

  clear(): void {
    this.byValue.clear();
    this.lastValue = undefined;
    this.lastBytes = undefined;
  }
}

/** field → key → its cache. */
const cachedKeyValues = new Map<number, Map<string, KeyValueCache>>();
let cachedCount = 0;

/** The cache of one field and key (kept by callers that write that key span after span). */
function keyValueCache(field: number, key: string): KeyValueCache {
  let byKey = cachedKeyValues.get(field);
  if (byKey === undefined) {
    byKey = new Map();
    cachedKeyValues.set(field, byKey);
  }
  let cache = byKey.get(key);
  if (cache === undefined) {
    cache = new KeyValueCache();
    byKey.set(key, cache);
  }
  return cache;
}

function cachedStringKeyValue(w: Writer, field: number, key: string, value: string): boolean {
  return cachedKeyValue(w, keyValueCache(field, key), field, key, value);
}

/** Short byte runs copied in a loop: TypedArray#set costs more than the copy below ~64 bytes. */
function copyBytes(w: Writer, bytes: Buffer): void {
  const n = bytes.length;
  w.ensure(n);
  const b = w.buf;
  let p = w.pos;
  if (n < 64) for (let i = 0; i < n; i++) b[p++] = bytes[i] as number;
  else {
    b.set(bytes, p);
    p += n;
  }
  w.pos = p;
}

function cachedKeyValue(w: Writer, cache: KeyValueCache, field: number, key: string, value: string): boolean {
  if (value === cache.lastValue) {
    copyBytes(w, cache.lastBytes as Buffer);
    return true;
  }
  const hit = cache.byValue.get(value);
  if (hit !== undefined) {
    cache.lastValue = value;
    cache.lastBytes = hit;
    copyBytes(w, hit);
    return true;
  }
  const start = w.pos;
  if (!shortStringKeyValue(w, field, key, value)) return false;
  if (cachedCount >= MAX_CACHED_KEY_VALUES) {
    // Emptied cache by cache: callers keep references to the per-key caches.
    for (const byKey of cachedKeyValues.values()) for (const c of byKey.values()) c.clear();
    cachedCount = 0;
  }
  const bytes = Buffer.from(w.buf.subarray(start, w.pos));
  cache.byValue.set(value, bytes);
  cache.lastValue = value;
  cache.lastBytes = bytes;
  cachedCount++;
  return true;
}

/** One attribute as a KeyValue of `field`: cached when a short string, else written out. */
function keyValue(w: Writer, field: number, key: string, v: unknown): void {
  if (typeof v === 'string' && cachedStringKeyValue(w, field, key, v)) return;
  const kv = w.open(field);
  w.tag(1, LEN);
  w.string(key);
  const value = w.open(2);
  anyValue(w, v);
  w.close(value);
  w.close(kv);
}

function keyValues(w: Writer, attributes: Attributes | Record<string, unknown>, field: number): void {
  for (const key in attributes) {
    if (!Object.hasOwn(attributes, key)) continue;
    keyValue(w, field, key, (attributes as Record<string, unknown>)[key]);
  }
}

function span(w: Writer, s: ReadableSpan): void {
  const at = w.open(2);
  const ctx = s.spanContext();
  w.tag(1, LEN);
  w.hexId(ctx.traceId);
  w.tag(2, LEN);
  w.hexId(ctx.spanId);
  const traceState = ctx.traceState?.serialize();
  if (traceState) {
    w.tag(3, LEN);
    w.string(traceState);
  }
  const parent = s.parentSpanContext?.spanId;
  if (parent) {
    w.tag(4, LEN);
    w.hexId(parent);
  }
  w.tag(5, LEN);
  w.string(s.name);
  // OTLP's SpanKind counts from 1 (0 is "unspecified"); the API's from 0.
  w.tag(6, VARINT);
  w.varint(s.kind + 1);
  w.tag(7, FIXED64);
  w.hrTime(s.startTime);
  w.tag(8, FIXED64);
  w.hrTime(s.endTime);
  keyValues(w, s.attributes, 9);
  w.tag(10, VARINT);
  w.varint(s.droppedAttributesCount);
  for (const event of s.events) {
    const e = w.open(11);
    w.tag(1, FIXED64);
    w.hrTime(event.time);
    w.tag(2, LEN);
    w.string(event.name);
    if (event.attributes) keyValues(w, event.attributes, 3);
    w.tag(4, VARINT);
    w.varint(event.droppedAttributesCount ?? 0);
    w.close(e);
  }
  w.tag(12, VARINT);
  w.varint(s.droppedEventsCount);
  for (const link of s.links) {
    const l = w.open(13);
    w.tag(1, LEN);
    w.hexId(link.context.traceId);
    w.tag(2, LEN);
    w.hexId(link.context.spanId);
    const linkState = link.context.traceState?.serialize();
    if (linkState) {
      w.tag(3, LEN);
      w.string(linkState);
    }
    if (link.attributes) keyValues(w, link.attributes, 4);
    w.tag(5, VARINT);
    w.varint(link.droppedAttributesCount ?? 0);
    w.tag(6, FIXED32);
    w.fixed32(spanFlags(link.context.traceFlags, link.context.isRemote));
    w.close(l);
  }
  w.tag(14, VARINT);
  w.varint(s.droppedLinksCount);
  const status = w.open(15);
  if (s.status.message) {
    w.tag(2, LEN);
    w.string(s.status.message);
  }
  w.tag(3, VARINT);
  w.varint(s.status.code);
  w.close(status);
  w.tag(16, FIXED32);
  w.fixed32(spanFlags(ctx.traceFlags, s.parentSpanContext?.isRemote));
  w.close(at);
}

function spanFlags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | HAS_IS_REMOTE | (isRemote ? IS_REMOTE : 0);
}

/** The spans grouped by resource, then by instrumentation scope (by identity, as the SDK's serializer). */
function group(spans: ReadableSpan[]): Map<ReadableSpan['resource'], Map<object, ReadableSpan[]>> {
  const byResource = new Map<ReadableSpan['resource'], Map<object, ReadableSpan[]>>();
  for (const s of spans) {
    let byScope = byResource.get(s.resource);
    if (byScope === undefined) {
      byScope = new Map();
      byResource.set(s.resource, byScope);
    }
    const list = byScope.get(s.instrumentationScope);
    if (list === undefined) byScope.set(s.instrumentationScope, [s]);
    else list.push(s);
  }
  return byResource;
}

/** A ResourceSpans' resource (field 1): its attributes and no dropped count. */
function resourceField(w: Writer, attributes: Attributes): void {
  const r = w.open(1);
  keyValues(w, attributes, 1);
  w.tag(2, VARINT);
  w.varint(0);
  w.close(r);
}

/** A ScopeSpans' scope (field 1): its name and version. */
function scopeField(w: Writer, scope: { name: string; version?: string | undefined }): void {
  const sc = w.open(1);
  w.tag(1, LEN);
  w.string(scope.name);
  if (scope.version) {
    w.tag(2, LEN);
    w.string(scope.version);
  }
  w.close(sc);
}

let sizeHint = INITIAL_SIZE;

/** An OTLP ExportTraceServiceRequest (protobuf) holding `spans`. */
export function encodeTraceRequest(spans: ReadableSpan[]): Uint8Array {
  const w = new Writer(sizeHint);
  for (const [resource, byScope] of group(spans)) {
    const rs = w.open(1);
    resourceField(w, resource.attributes);
    for (const list of byScope.values()) {
      const ss = w.open(2);
      const scope = (list[0] as ReadableSpan).instrumentationScope;
      scopeField(w, scope);
      for (const s of list) span(w, s);
      if (scope.schemaUrl) {
        w.tag(3, LEN);
        w.string(scope.schemaUrl);
      }
      w.close(ss);
    }
    if (resource.schemaUrl) {
      w.tag(3, LEN);
      w.string(resource.schemaUrl);
    }
    w.close(rs);
  }
  // The next request starts at about this size (batches are alike), so the buffer rarely grows.
  sizeHint = Math.max(INITIAL_SIZE, w.pos + (w.pos >>> 3));
  return w.buf.subarray(0, w.pos);
}

// ---------------------------------------------------------------------------------------------------
// The sidecar's own spans, encoded when they end into the body of the export batch they go out in.
//
// Every span of one sidecar has the same resource and instrumentation scope, so a batch is one OTLP
// envelope (ResourceSpans → ScopeSpans) around span messages: the envelope's bytes are made once per
// tracer, each span is appended as bytes when it ends (no record kept until the export), and sealing a
// batch writes the envelope's lengths in front of its spans. The bytes are those `encodeTraceRequest`
// (and so OpenTelemetry's ProtobufTraceSerializer) writes for the same spans in the same order; the unit
// tests compare them.

/** A hop span as the tracer (tracing.ts) holds it when it ends: written straight from these fields. */
export interface HopSpanFields {
  readonly traceId: string;
  readonly spanId: string;
  /** The caller's span (a remote parent), if any. */
  readonly parentSpanId: string | undefined;
  readonly name: string;
  /** The OpenTelemetry API's SpanKind (OTLP's counts from 1). */
  readonly kind: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly method: string;
  readonly url: string;
  readonly upstreamCluster: string | undefined;
  readonly peerAddress: string | undefined;
  readonly peerService: string | undefined;
  /** Attributes set after the start, in the order first set: key, value, key, value… */
  readonly extras: Array<string | number | boolean> | undefined;
  /** The end's attributes (`http.status_code`, `response_flags`, `error`) are in `extras` (set before). */
  readonly endInExtras: boolean;
  readonly attempts: readonly AttemptRecord[] | undefined;
  /** Epoch ms of each attempt event, as `attempts`. */
  readonly attemptTimes: readonly number[] | undefined;
  readonly statusCode: number;
  readonly responseFlags: string;
  readonly error: boolean;
  /** Set when an attribute replaced a start attribute with a value the fields above cannot hold: the span's attributes, in order. */
  readonly attributeOverride: Attributes | undefined;
}

/** The attributes every span of a tracer starts with, in order (`component`, the node and workload). */
export type ConstantAttributes = ReadonlyArray<readonly [string, string]>;

/** A string field (tag, length, bytes), written once: `stringField(1, key)` is a KeyValue's key. */
function stringField(field: number, value: string): Buffer {
  const w = new Writer(value.length + 8);
  w.tag(field, LEN);
  w.string(value);
  return Buffer.from(w.buf.subarray(0, w.pos));
}
const keyField = (key: string) => stringField(1, key);

const K_ATTEMPT = keyField('attempt');
const K_STATUS_CODE = keyField('http.status_code');
const K_DURATION = keyField('duration_ms');
const K_RETRY = keyField('retry');
const K_ERROR = keyField('error');
const ATTEMPT_NAME = stringField(2, 'attempt'); // Event.name
const SPAN_ATTRIBUTES = 9;
const EVENT_ATTRIBUTES = 3;

/** A KeyValue of a number or boolean, with its key field pre-encoded; generic path for what does not fit. */
function scalarKeyValue(w: Writer, field: number, keyBytes: Buffer, key: string, v: number | boolean): void {
  let anyLen: number;
  if (typeof v === 'boolean') anyLen = 2;
  else if (Number.isInteger(v) && v >= 0 && v <= 0xffffffff) anyLen = 1 + varintSize(v);
  else if (!Number.isInteger(v)) anyLen = 9;
  else {
    keyValue(w, field, key, v);
    return;
  }
  const kvLen = keyBytes.length + 2 + anyLen;
  w.ensure(kvLen + 2);
  const b = w.buf;
  b[w.pos++] = (field << 3) | LEN;
  b[w.pos++] = kvLen;
  b.set(keyBytes, w.pos);
  w.pos += keyBytes.length;
  b[w.pos++] = 0x12; // KeyValue.value
  b[w.pos++] = anyLen;
  if (typeof v === 'boolean') {
    b[w.pos++] = 0x10; // AnyValue.bool_value
    b[w.pos++] = v ? 1 : 0;
  } else if (anyLen === 9) {
    b[w.pos++] = 0x21; // AnyValue.double_value
    w.double(v);
  } else {
    b[w.pos++] = 0x18; // AnyValue.int_value
    w.varint(v);
  }
}

function stringKeyValue(w: Writer, cache: KeyValueCache, field: number, key: string, v: string): void {
  if (!cachedKeyValue(w, cache, field, key, v)) keyValue(w, field, key, v);
}

/** The per-key caches of the attributes written span after span. */
const C_METHOD = keyValueCache(SPAN_ATTRIBUTES, 'http.method');
const C_URL = keyValueCache(SPAN_ATTRIBUTES, 'http.url');
const C_CLUSTER = keyValueCache(SPAN_ATTRIBUTES, 'upstream_cluster');
const C_CLUSTER_NAME = keyValueCache(SPAN_ATTRIBUTES, 'upstream_cluster.name');
const C_PEER_ADDRESS = keyValueCache(SPAN_ATTRIBUTES, 'peer.address');
const C_PEER_SERVICE = keyValueCache(SPAN_ATTRIBUTES, 'peer.service');
const C_FLAGS = keyValueCache(SPAN_ATTRIBUTES, 'response_flags');
const C_ENDPOINT = keyValueCache(EVENT_ATTRIBUTES, 'endpoint');
const C_EVENT_FLAGS = keyValueCache(EVENT_ATTRIBUTES, 'response_flags');

/** A batch size to start the next batch's buffer at (batches are alike, so a buffer rarely grows). */
let batchSizeHint = INITIAL_SIZE;

/** Spans of one tracer (one resource, one scope), appended as they end; `seal` gives the request body. */
export class SpanBatch {
  spans = 0;
  private readonly w: Writer;

  constructor(private readonly encoder: HopSpanEncoder) {
    this.w = new Writer(batchSizeHint);
    this.w.pos = encoder.headerRoom;
  }

  /** Bytes written so far (spans and room for the envelope). */
  get bytes(): number {
    return this.w.pos;
  }

  append(s: HopSpanFields): void {
    this.encoder.span(this.w, s);
    this.spans++;
  }

  /** The ExportTraceServiceRequest: the envelope's lengths written in front of the spans, its trailers after. */
  seal(): Uint8Array {
    const w = this.w;
    const e = this.encoder;
    const ssLen = e.scope.length + (w.pos - e.headerRoom) + e.scopeTrailer.length;
    const rsLen = e.resource.length + 1 + varintSize(ssLen) + ssLen + e.resourceTrailer.length;
    w.ensure(e.scopeTrailer.length + e.resourceTrailer.length);
    w.buf.set(e.scopeTrailer, w.pos);
    w.pos += e.scopeTrailer.length;
    w.buf.set(e.resourceTrailer, w.pos);
    w.pos += e.resourceTrailer.length;
    const end = w.pos;
    const headerLen = 1 + varintSize(rsLen) + e.resource.length + 1 + varintSize(ssLen) + e.scope.length;
    const start = e.headerRoom - headerLen;
    w.pos = start;
    w.tag(1, LEN);
    w.varint(rsLen);
    w.buf.set(e.resource, w.pos);
    w.pos += e.resource.length;
    w.tag(2, LEN);
    w.varint(ssLen);
    w.buf.set(e.scope, w.pos);
    w.pos = end;
    batchSizeHint = Math.max(INITIAL_SIZE, end + (end >>> 3));
    return w.buf.subarray(start, end);
  }
}

/** One tracer's envelope and constant attributes, encoded once; writes its hop spans. */
export class HopSpanEncoder {
  /** `Resource` (field 1 of ResourceSpans), with its tag and length. */
  readonly resource: Buffer;
  /** `InstrumentationScope` (field 1 of ScopeSpans), with its tag and length. */
  readonly scope: Buffer;
  readonly scopeTrailer: Buffer;
  readonly resourceTrailer: Buffer;
  /** Room left in front of a batch's spans for the envelope's tags, lengths, resource and scope. */
  readonly headerRoom: number;
  private readonly constants: Buffer;

  constructor(
    resource: { attributes: Attributes; schemaUrl?: string | undefined },
    scope: { name: string; version?: string | undefined; schemaUrl?: string | undefined },
    constantAttributes: ConstantAttributes,
  ) {
    const w = new Writer(1024);
    resourceField(w, resource.attributes);
    this.resource = Buffer.from(w.buf.subarray(0, w.pos));
    w.pos = 0;
    scopeField(w, scope);
    this.scope = Buffer.from(w.buf.subarray(0, w.pos));
    w.pos = 0;
    if (scope.schemaUrl) {
      w.tag(3, LEN);
      w.string(scope.schemaUrl);
    }
    this.scopeTrailer = Buffer.from(w.buf.subarray(0, w.pos));
    w.pos = 0;
    if (resource.schemaUrl) {
      w.tag(3, LEN);
      w.string(resource.schemaUrl);
    }
    this.resourceTrailer = Buffer.from(w.buf.subarray(0, w.pos));
    w.pos = 0;
    for (const [key, value] of constantAttributes) keyValue(w, SPAN_ATTRIBUTES, key, value);
    this.constants = Buffer.from(w.buf.subarray(0, w.pos));
    this.headerRoom = 1 + 5 + this.resource.length + 1 + 5 + this.scope.length;
  }

  /** A Span message (field 2 of ScopeSpans): what `span()` writes for the same span as a ReadableSpan. */
  span(w: Writer, s: HopSpanFields): void {
    const at = w.open2(2);
    w.ensure(64);
    w.buf[w.pos++] = 0x0a; // trace_id
    w.hexId(s.traceId);
    w.buf[w.pos++] = 0x12; // span_id
    w.hexId(s.spanId);
    if (s.parentSpanId) {
      w.tag(4, LEN);
      w.hexId(s.parentSpanId);
    }
    w.tag(5, LEN);
    w.string(s.name);
    w.tag(6, VARINT);
    w.varint(s.kind + 1);
    w.tag(7, FIXED64);
    w.msTime(s.startMs);
    w.tag(8, FIXED64);
    w.msTime(s.endMs);
    if (s.attributeOverride !== undefined) keyValues(w, s.attributeOverride, SPAN_ATTRIBUTES);
    else this.attributes(w, s);
    w.tag(10, VARINT);
    w.varint(0);
    const attempts = s.attempts;
    const times = s.attemptTimes;
    if (attempts !== undefined && times !== undefined) {
      for (let i = 0; i < attempts.length; i++)
        this.attemptEvent(w, attempts[i] as AttemptRecord, times[i] as number);
    }
    w.tag(12, VARINT);
    w.varint(0);
    w.tag(14, VARINT);
    w.varint(0);
    const status = w.open(15);
    if (s.error) {
      w.tag(2, LEN);
      w.string(s.responseFlags === '-' ? `HTTP ${s.statusCode}` : s.responseFlags);
    }
    w.tag(3, VARINT);
    w.varint(s.error ? 2 : 0);
    w.close(status);
    w.tag(16, FIXED32);
    w.fixed32(spanFlags(1, s.parentSpanId ? true : undefined));
    w.close2(at);
  }

  /** The span's attributes in the order the record's attribute object would hold them. */
  private attributes(w: Writer, s: HopSpanFields): void {
    w.ensure(this.constants.length);
    w.buf.set(this.constants, w.pos);
    w.pos += this.constants.length;
    stringKeyValue(w, C_METHOD, SPAN_ATTRIBUTES, 'http.method', s.method);
    stringKeyValue(w, C_URL, SPAN_ATTRIBUTES, 'http.url', s.url);
    if (s.upstreamCluster !== undefined) {
      stringKeyValue(w, C_CLUSTER, SPAN_ATTRIBUTES, 'upstream_cluster', s.upstreamCluster);
      stringKeyValue(w, C_CLUSTER_NAME, SPAN_ATTRIBUTES, 'upstream_cluster.name', s.upstreamCluster);
    }
    if (s.peerAddress !== undefined) {
      stringKeyValue(w, C_PEER_ADDRESS, SPAN_ATTRIBUTES, 'peer.address', s.peerAddress);
    }
    if (s.peerService !== undefined) {
      stringKeyValue(w, C_PEER_SERVICE, SPAN_ATTRIBUTES, 'peer.service', s.peerService);
    }
    const extras = s.extras;
    if (extras !== undefined) {
      for (let i = 0; i < extras.length; i += 2)
        keyValue(w, SPAN_ATTRIBUTES, extras[i] as string, extras[i + 1]);
    }
    if (!s.endInExtras) {
      scalarKeyValue(w, SPAN_ATTRIBUTES, K_STATUS_CODE, 'http.status_code', s.statusCode);
      stringKeyValue(w, C_FLAGS, SPAN_ATTRIBUTES, 'response_flags', s.responseFlags);
      if (s.error) scalarKeyValue(w, SPAN_ATTRIBUTES, K_ERROR, 'error', true);
    }
  }

  /** An `attempt` event: { attempt, endpoint, http.status_code, response_flags, duration_ms, retry }. */
  private attemptEvent(w: Writer, a: AttemptRecord, timeMs: number): void {
    const e = w.open2(11);
    w.tag(1, FIXED64);
    w.msTime(timeMs);
    w.ensure(ATTEMPT_NAME.length);
    w.buf.set(ATTEMPT_NAME, w.pos);
    w.pos += ATTEMPT_NAME.length;
    scalarKeyValue(w, EVENT_ATTRIBUTES, K_ATTEMPT, 'attempt', a.attempt);
    stringKeyValue(w, C_ENDPOINT, EVENT_ATTRIBUTES, 'endpoint', a.endpoint);
    scalarKeyValue(w, EVENT_ATTRIBUTES, K_STATUS_CODE, 'http.status_code', a.statusCode);
    stringKeyValue(w, C_EVENT_FLAGS, EVENT_ATTRIBUTES, 'response_flags', a.responseFlags);
    scalarKeyValue(w, EVENT_ATTRIBUTES, K_DURATION, 'duration_ms', a.durationMs);
    scalarKeyValue(w, EVENT_ATTRIBUTES, K_RETRY, 'retry', a.attempt > 1);
    w.tag(4, VARINT);
    w.varint(0);
    w.close2(e);
  }
}

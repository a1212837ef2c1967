// Finished spans → an OTLP `ExportTraceServiceRequest` in protobuf, the body of a POST /v1/traces. The same
// bytes as OpenTelemetry's own `ProtobufTraceSerializer` (the unit test compares them), written in one pass
// into one growing buffer: at 100 % sampling the library's serializer (a size pass, then a write pass, an
// id buffer per span, attribute loops through `for…in`) was the largest piece of a sidecar's JavaScript.
import type { Attributes, HrTime } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

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
    for (let i = 0; i < n; i++) this.buf[this.pos++] = (hexDigit(hex, 2 * i) << 4) | hexDigit(hex, 2 * i + 1);
  }

  fixed32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
  }

  /** [seconds, nanoseconds] as fixed64 nanoseconds, exact (seconds × 1e9 passes 2^53). */
  hrTime(t: HrTime): void {
    const seconds = t[0];
    const lower = (seconds & 0xffff) * 1e9;
    const upper = ((seconds / 0x10000) >>> 0) * 1e9;
    const lowWithCarry = (lower >>> 0) + (((upper & 0xffff) * 0x10000) >>> 0) + t[1];
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

  close(at: number): void {
    const len = this.pos - at - 1;
    if (len < 0x80) {
      this.buf[at] = len;
      return;
    }
    const size = varintSize(len);
    this.ensure(size - 1);
    this.buf.copyWithin(at + size, at + 1, this.pos);
    this.pos += size - 1;
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
/** field → key → value → bytes (the strings' own hashes, kept by V8 in the string, are reused). */
const cachedKeyValues = new Map<number, Map<string, Map<string, Buffer>>>();
let cachedCount = 0;

function cachedStringKeyValue(w: Writer, field: number, key: string, value: string): boolean {
  let byKey = cachedKeyValues.get(field);
  if (byKey === undefined) {
    byKey = new Map();
    cachedKeyValues.set(field, byKey);
  }
  let byValue = byKey.get(key);
  if (byValue === undefined) {
    byValue = new Map();
    byKey.set(key, byValue);
  }
  const hit = byValue.get(value);
  if (hit !== undefined) {
    w.ensure(hit.length);
    w.buf.set(hit, w.pos);
    w.pos += hit.length;
    return true;
  }
  const start = w.pos;
  if (!shortStringKeyValue(w, field, key, value)) return false;
  if (cachedCount >= MAX_CACHED_KEY_VALUES) {
    cachedKeyValues.clear();
    cachedCount = 0;
  }
  byValue.set(value, Buffer.from(w.buf.subarray(start, w.pos)));
  cachedCount++;
  return true;
}

function keyValues(w: Writer, attributes: Attributes | Record<string, unknown>, field: number): void {
  for (const key in attributes) {
    if (!Object.hasOwn(attributes, key)) continue;
    const v = (attributes as Record<string, unknown>)[key];
    if (typeof v === 'string' && cachedStringKeyValue(w, field, key, v)) continue;
    const kv = w.open(field);
    w.tag(1, LEN);
    w.string(key);
    const value = w.open(2);
    anyValue(w, v);
    w.close(value);
    w.close(kv);
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

let sizeHint = INITIAL_SIZE;

/** An OTLP ExportTraceServiceRequest (protobuf) holding `spans`. */
export function encodeTraceRequest(spans: ReadableSpan[]): Uint8Array {
  const w = new Writer(sizeHint);
  for (const [resource, byScope] of group(spans)) {
    const rs = w.open(1);
    const r = w.open(1);
    keyValues(w, resource.attributes, 1);
    w.tag(2, VARINT);
    w.varint(0);
    w.close(r);
    for (const list of byScope.values()) {
      const ss = w.open(2);
      const scope = (list[0] as ReadableSpan).instrumentationScope;
      const sc = w.open(1);
      w.tag(1, LEN);
      w.string(scope.name);
      if (scope.version) {
        w.tag(2, LEN);
        w.string(scope.version);
      }
      w.close(sc);
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

// OTLP/protobuf (ExportTraceServiceRequest bytes) read straight into the store's span form: no protobufjs
// message objects, no OTLP/JSON-like objects. Handles what exporters send (16/8-byte ids, scalar attributes,
// events, status); a span with anything else (links, arrays, maps, bytes, odd wire types, bad ids) is decoded
// by protobufjs and converted by the reference translator, and a body this reader cannot walk is left whole
// to protobufjs (which then accepts it or says why not), so answers never differ from the reference path.
import type { OtlpResourceSpans } from '../../../lib/jaeger/from-otlp';
import type { Process } from '../../../lib/jaeger/model';
import { IdTextCache } from './id-text-cache';
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
import { type KnownBytes, knownAt, knownBytes } from './known-bytes';
import { otlpProtobufCodec } from './otlp-protobuf';
import { ResourceCache } from './resource-cache';
import {
  type IngestSpan,
  internName,
  isShared,
  logJson,
  logsPart,
  TagCollector,
  type TagPart,
  tagPart,
  warningsEnd,
} from './span-parts';

const VARINT = 0;
const FIXED64 = 1;
const LEN = 2;
const FIXED32 = 5;
const TWO_32 = 2 ** 32;
/** 2^32 = 1000 × 4294967 + 296: splits a fixed64 of ns into µs and ns exactly, without BigInt. */
const US_PER_HIGH = 4_294_967;
const NS_REST_PER_HIGH = 296;
const MAX_FAST_DURATION_US = Math.floor(Number.MAX_SAFE_INTEGER / 1000) - 1;
const ZERO_HIGH = '0000000000000000';

/** The body is not one this reader walks (truncated, groups, bad wire types): protobufjs decides. */
class Unreadable extends Error {}
// (Any other error while reading, e.g. protobufjs refusing a resource, also sends the body to protobufjs.)
/** The span needs the reference path. */
const FALLBACK = Symbol('fallback');

/**
 * Converts one ExportTraceServiceRequest. Throws (as protobufjs does) for bytes that are not one; a body
 * this reader cannot walk but protobufjs can is converted by the reference path.
 */
export function ingestOtlpProtobuf(body: Buffer, maxValueLength: number): IngestBatch {
  try {
    return readRequest(body, maxValueLength);
  } catch {
    // Not walkable here (or protobufjs refused a part): the whole body through protobufjs, which accepts
    // it or throws the error the client gets.
    return referenceBatch(body, maxValueLength);
  }
}

/** The whole body through protobufjs and the reference translator. */
function referenceBatch(body: Buffer, maxValueLength: number): IngestBatch {
  const codec = otlpProtobufCodec();
  const data = codec.decodeRequest(body);
  const batch = newBatch();
  for (const rs of Array.isArray(data.resourceSpans) ? data.resourceSpans : []) {
    const process = processOf(rs?.resource, maxValueLength);
    const scopeSpans = rs?.scopeSpans ?? [];
    if (typeof process === 'string') {
      reject(
        batch,
        scopeSpans.reduce((n, ss) => n + (ss?.spans?.length ?? 0), 0),
        [process],
      );
      continue;
    }
    for (const ss of scopeSpans) {
      for (const s of ss?.spans ?? [])
        addReferenceSpan(batch, rs?.resource, ss?.scope, s, process, maxValueLength);
    }
  }
  return batch;
}

/** A cursor over the body: `pos` moves as fields are read; every read is bounds-checked. */
class Reader {
  pos = 0;
  /** The body as a DataView (trace ids are compared a word at a time). */
  readonly view: DataView;
  constructor(
    readonly buf: Buffer,
    public end: number,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.length);
  }

  /** A varint's low 32 bits (unsigned); the high bits land in `high`. */
  high = 0;
  varint(): number {
    const buf = this.buf;
    let lo = 0;
    let hi = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new Unreadable('truncated varint');
      const b = buf[this.pos++] as number;
      if (shift < 28) lo |= (b & 0x7f) << shift;
      else if (shift === 28) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >>> 4;
      } else hi |= (b & 0x7f) << (shift - 32);
      if (b < 0x80) {
        this.high = hi >>> 0;
        return lo >>> 0;
      }
      shift += 7;
    }
    throw new Unreadable('varint too long');
  }

  /** The end of a length-delimited field's payload (the cursor at its start). */
  len(): number {
    const n = this.varint();
    if (this.high !== 0 || n > this.end - this.pos) throw new Unreadable('length past the end');
    return this.pos + n;
  }

  skip(wire: number): void {
    if (wire === VARINT) this.varint();
    else if (wire === FIXED64) this.advance(8);
    else if (wire === LEN) this.pos = this.len();
    else if (wire === FIXED32) this.advance(4);
    else throw new Unreadable(`wire type ${wire}`);
  }

  advance(n: number): void {
    if (this.end - this.pos < n) throw new Unreadable('truncated field');
    this.pos += n;
  }

  string(end: number): string {
    const text = utf8Slice.call(this.buf, this.pos, end);
    this.pos = end;
    return text;
  }
}

function readRequest(body: Buffer, maxValueLength: number): IngestBatch {
  const r = new Reader(body, body.length);
  const batch = newBatch();
  while (r.pos < r.end) {
    const tag = r.varint();
    if (tag >>> 3 === 1 && (tag & 7) === LEN) {
      const end = r.len();
      readResourceSpans(r, end, batch, maxValueLength);
      r.pos = end;
    } else r.skip(tag & 7);
  }
  return batch;
}

function readResourceSpans(r: Reader, end: number, batch: IngestBatch, maxValueLength: number): void {
  // Resource first, wherever it stands; then the scopes in order.
  const start = r.pos;
  let resourceAt = -1;
  let resourceEnd = -1;
  const saved = r.end;
  r.end = end;
  while (r.pos < end) {
    const tag = r.varint();
    if (tag >>> 3 === 1) {
      if ((tag & 7) !== LEN || resourceAt >= 0) throw new Unreadable('resource');
      resourceEnd = r.len();
      resourceAt = r.pos;
      r.pos = resourceEnd;
    } else r.skip(tag & 7);
  }
  const codec = otlpProtobufCodec();
  // A resource sent before (same bytes) has its process already; it is decoded again only for a span
  // that needs the reference path (its bytes decoded before, so they decode again).
  let resource: OtlpResourceSpans['resource'] | undefined;
  const decoded = (): OtlpResourceSpans['resource'] => {
    if (resource === undefined) {
      resource = resourceAt < 0 ? null : codec.decodeResource(r.buf.subarray(resourceAt, resourceEnd));
    }
    return resource;
  };
  const hit = resourceAt < 0 ? undefined : resources.find(r.buf, resourceAt, resourceEnd, maxValueLength);
  let process: Process | string;
  if (hit !== undefined) process = hit.process;
  else {
    process = processOf(decoded(), maxValueLength);
    if (typeof process !== 'string' && resourceAt >= 0) {
      resources.remember(r.buf, resourceAt, resourceEnd, maxValueLength, null, process);
    }
  }
  r.pos = start;
  if (typeof process === 'string') {
    // A resource we cannot read rejects all of its spans, never the rest of the export.
    let count = 0;
    while (r.pos < end) {
      const tag = r.varint();
      if (tag >>> 3 === 2 && (tag & 7) === LEN) {
        const scopeEnd = r.len();
        count += countSpans(r, scopeEnd);
        r.pos = scopeEnd;
      } else r.skip(tag & 7);
    }
    reject(batch, count, [process]);
  } else {
    while (r.pos < end) {
      const tag = r.varint();
      if (tag >>> 3 === 2) {
        if ((tag & 7) !== LEN) throw new Unreadable('scope spans');
        const scopeEnd = r.len();
        readScopeSpans(r, scopeEnd, batch, decoded, process, maxValueLength);
        r.pos = scopeEnd;
      } else r.skip(tag & 7);
    }
  }
  r.end = saved;
}

function countSpans(r: Reader, end: number): number {
  let n = 0;
  while (r.pos < end) {
    const tag = r.varint();
    if (tag >>> 3 === 2) n++;
    r.skip(tag & 7);
  }
  return n;
}

function readScopeSpans(
  r: Reader,
  end: number,
  batch: IngestBatch,
  resourceOf: () => OtlpResourceSpans['resource'],
  process: Process,
  maxValueLength: number,
): void {
  const start = r.pos;
  let scopeAt = -1;
  let scopeEnd = -1;
  while (r.pos < end) {
    const tag = r.varint();
    if (tag >>> 3 === 1) {
      if ((tag & 7) !== LEN || scopeAt >= 0) throw new Unreadable('scope');
      scopeEnd = r.len();
      scopeAt = r.pos;
      r.pos = scopeEnd;
    } else r.skip(tag & 7);
  }
  const codec = otlpProtobufCodec();
  const scope = scopeAt < 0 ? null : codec.decodeScope(r.buf.subarray(scopeAt, scopeEnd));
  const scopeParts = scope ? scopeTags(scope.name, scope.version) : [];
  r.pos = start;
  while (r.pos < end) {
    const tag = r.varint();
    if (tag >>> 3 === 2) {
      if ((tag & 7) !== LEN) throw new Unreadable('span');
      const spanEnd = r.len();
      const spanAt = r.pos;
      const fast = readSpan(r, spanEnd, scopeParts, process, maxValueLength);
      if (fast !== FALLBACK) batch.spans.push(fast);
      else {
        const span = codec.decodeSpan(r.buf.subarray(spanAt, spanEnd));
        addReferenceSpan(batch, resourceOf(), scope, span, process, maxValueLength);
      }
      r.pos = spanEnd;
    } else r.skip(tag & 7);
  }
}

// A fixed64 of ns split as µs and the remaining ns (set by `readNanos`).
let us = 0;
let remNs = 0;

/** Reads a fixed64 timestamp into `us`/`remNs`; false past what a double holds exactly. */
function readNanos(r: Reader): boolean {
  r.advance(8);
  const lo = r.buf.readUInt32LE(r.pos - 8);
  const hi = r.buf.readUInt32LE(r.pos - 4);
  const rest = hi * NS_REST_PER_HIGH + lo;
  remNs = rest % 1000;
  us = hi * US_PER_HIGH + (rest - remNs) / 1000;
  return us <= Number.MAX_SAFE_INTEGER;
}

/** Lowercase hex of an id field of exactly `bytes` bytes, not all zero; undefined otherwise. */
function readId(r: Reader, end: number, bytes: number): string | undefined {
  if (end - r.pos !== bytes) return undefined;
  const buf = r.buf;
  let zero = true;
  for (let i = r.pos; i < end; i++) {
    if (buf[i] !== 0) {
      zero = false;
      break;
    }
  }
  if (zero) return undefined;
  // The trace id's text is made once for the many spans of a trace in an export.
  if (bytes === 16) {
    const known = traceIds.find(r.view, r.pos);
    if (known !== undefined) {
      r.pos = end;
      return known;
    }
    const hex = hexSlice.call(buf, r.pos, end);
    traceIds.remember(r.view, r.pos, hex);
    r.pos = end;
    return hex;
  }
  // A span id: one string for the span and for its children's parent id.
  const known = spanIds.find(r.view, r.pos);
  if (known !== undefined) {
    r.pos = end;
    return known;
  }
  const hex = hexSlice.call(buf, r.pos, end);
  spanIds.remember(r.view, r.pos, hex);
  r.pos = end;
  return hex;
}

const traceIds = new IdTextCache(16, 1024);
/** Processes of resources read before, by the resource's bytes (the decoded resource is not kept). */
const resources = new ResourceCache<null>();
const spanIds = new IdTextCache(8, 4096);

// Buffer's own slicers, without toString's argument checks (what protobufjs' reader calls too).
type Slicer = (this: Buffer, start: number, end: number) => string;
const bufferMethods = Buffer.prototype as unknown as { utf8Slice?: Slicer; hexSlice?: Slicer };
const utf8Slice: Slicer =
  bufferMethods.utf8Slice ??
  function (this: Buffer, start: number, end: number) {
    return this.toString('utf8', start, end);
  };
const hexSlice: Slicer =
  bufferMethods.hexSlice ??
  function (this: Buffer, start: number, end: number) {
    return this.toString('hex', start, end);
  };

function readSpan(
  r: Reader,
  end: number,
  scopeParts: TagPart[],
  process: Process,
  maxLen: number,
): IngestSpan | typeof FALLBACK {
  let traceHex: string | undefined;
  let spanID: string | undefined;
  let parentSpanID = '';
  let traceState = '';
  let operationName = '';
  let kind = 0;
  let startUs = 0;
  let startRem = 0;
  let endUs = 0;
  let endRem = 0;
  let code = 0;
  let message = '';
  let warnings: string[] | null = null;
  // Events are read where they stand, then placed after the tags (the reference's order).
  // Attributes go straight after the scope's tags; the tags that follow them are added at the end.
  const tags = new TagCollector();
  for (let i = 0; i < scopeParts.length; i++) tags.tag(scopeParts[i] as TagPart);
  let events: ReadEvent[] | null = null;
  let attributeIndex = 0;
  while (r.pos < end) {
    const tag = r.varint();
    const field = tag >>> 3;
    const wire = tag & 7;
    switch (field) {
      case 1:
      case 2:
      case 4: {
        if (wire !== LEN) return FALLBACK;
        const idEnd = r.len();
        if (field === 4 && idEnd === r.pos) {
          parentSpanID = '';
          break;
        }
        const id = readId(r, idEnd, field === 1 ? 16 : 8);
        if (id === undefined) {
          if (field !== 4 || idEnd - r.pos !== 8) return FALLBACK;
          parentSpanID = ''; // all zeroes: no parent, as the reference reads it
          r.pos = idEnd;
        } else if (field === 1) traceHex = id;
        else if (field === 2) spanID = id;
        else parentSpanID = id;
        break;
      }
      case 3:
      case 5: {
        if (wire !== LEN) return FALLBACK;
        const text = r.string(r.len());
        if (field === 3) traceState = text;
        else operationName = internName(text);
        break;
      }
      case 6:
        if (wire !== VARINT) return FALLBACK;
        kind = r.varint() | 0;
        break;
      case 7:
      case 8:
        if (wire !== FIXED64 || !readNanos(r)) return FALLBACK;
        if (field === 7) {
          startUs = us;
          startRem = remNs;
        } else {
          endUs = us;
          endRem = remNs;
        }
        break;
      case 9: {
        if (wire !== LEN) return FALLBACK;
        const part = cachedKeyValue(r, r.len(), maxLen, attributeIndex++);
        if (part === FALLBACK) return FALLBACK;
        if (cut !== undefined) warnings = pushTo(warnings, cut);
        tags.tag(part);
        break;
      }
      case 11: {
        if (wire !== LEN) return FALLBACK;
        const event = readEvent(r, r.len(), maxLen);
        if (event === FALLBACK) return FALLBACK;
        events = pushTo(events, event);
        break;
      }
      case 13:
        return FALLBACK; // links
      case 15: {
        if (wire !== LEN) return FALLBACK;
        const statusEnd = r.len();
        code = 0;
        message = '';
        while (r.pos < statusEnd) {
          const t = r.varint();
          if (t >>> 3 === 2 && (t & 7) === LEN) message = r.string(r.len());
          else if (t >>> 3 === 3 && (t & 7) === VARINT) code = r.varint() | 0;
          else if (t >>> 3 === 2 || t >>> 3 === 3) return FALLBACK;
          else r.skip(t & 7);
        }
        break;
      }
      default:
        r.skip(wire);
    }
  }
  if (traceHex === undefined || spanID === undefined) return FALLBACK;
  const spanUs = endUs - startUs;
  if (spanUs > MAX_FAST_DURATION_US || spanUs < -MAX_FAST_DURATION_US) return FALLBACK;
  let durationNs = spanUs * 1000 + (endRem - startRem);
  if (durationNs < 0) {
    // The reference warns about the duration before any value it cuts.
    warnings = ['end time before start time; duration set to 0', ...(warnings ?? [])];
    durationNs = 0;
  }

  trailingTags(tags, kind, code, message, traceState);
  const logs: string[] = [];
  if (events !== null) {
    for (const event of events) {
      for (const f of event.fields) tags.field(f);
      logs.push(logJson(event.timestamp, event.fields));
      for (const w of event.warnings ?? []) warnings = pushTo(warnings, w);
    }
  }
  const traceID = traceHex.startsWith(ZERO_HIGH) ? traceHex.slice(16) : traceHex;
  const duration = (durationNs - (durationNs % 1000)) / 1000;
  return tags.finish(
    { traceID, spanID, operationName, startTime: startUs, duration, parentSpanID, process },
    null,
    logsPart(logs),
    warningsEnd(warnings),
  );
}

/** The warning of the value `readKeyValue` last cut, if it cut one, and the key it last read. */
let cut: string | undefined;
let lastKey = '';

// Repeated tags, by the bytes of their KeyValue: such a tag is not decoded again (no key or value string
// made, no pool lookup). Only tags the pool shares are cached; bounded, and started over when full.
const MAX_CACHED_KEY_VALUES = 4096;
const MAX_CACHED_KEY_VALUE_BYTES = 256;
interface CachedKeyValue extends KnownBytes {
  maxLen: number;
  part: TagPart;
}
const keyValues = new Map<number, CachedKeyValue>();
/** The cached tag last found at each place of a span's attributes (spans of a resource repeat them). */
const MAX_GUESSES = 32;
const guesses: (CachedKeyValue | undefined)[] = [];
/** 1 where the tag last read at that place was not one the pool shares (ids, urls): not hashed. */
const oneOff = new Uint8Array(MAX_GUESSES);

/** Whether `cached` is the KeyValue of `n` bytes at `start`. */
function sameKeyValue(r: Reader, cached: CachedKeyValue, start: number, n: number, maxLen: number): boolean {
  return (
    cached.bytes.length === n && cached.maxLen === maxLen && knownAt(cached, r.buf, r.view, start, start + n)
  );
}

/** One KeyValue (the `index`th attribute of its span, MAX_GUESSES for an event's), cached when repeated. */
function cachedKeyValue(r: Reader, end: number, maxLen: number, index: number): TagPart | typeof FALLBACK {
  const start = r.pos;
  const n = end - start;
  if (n > MAX_CACHED_KEY_VALUE_BYTES) return readKeyValue(r, end, maxLen);
  const guess = index < MAX_GUESSES ? guesses[index] : undefined;
  let hit = guess !== undefined && sameKeyValue(r, guess, start, n, maxLen) ? guess : undefined;
  let h = 0;
  if (hit === undefined && (index >= MAX_GUESSES || oneOff[index] === 0)) {
    const buf = r.buf;
    h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ (buf[i] as number), 0x01000193);
    const known = keyValues.get(h);
    if (known !== undefined && sameKeyValue(r, known, start, n, maxLen)) hit = known;
  }
  if (hit !== undefined) {
    if (index < MAX_GUESSES) guesses[index] = hit;
    r.pos = end;
    cut = undefined;
    lastKey = hit.part.key;
    return hit.part;
  }
  const part = readKeyValue(r, end, maxLen);
  if (part === FALLBACK) return part;
  const shared = isShared(part);
  if (index < MAX_GUESSES) oneOff[index] = shared ? 0 : 1;
  if (h !== 0 && cut === undefined && shared) {
    if (keyValues.size >= MAX_CACHED_KEY_VALUES) keyValues.clear();
    const cached = { ...knownBytes(r.buf, start, end), maxLen, part };
    keyValues.set(h, cached);
    if (index < MAX_GUESSES) guesses[index] = cached;
  }
  return part;
}

/** One KeyValue as a stored tag, as the reference's toKeyValue makes it; FALLBACK for the rare kinds. */
function readKeyValue(r: Reader, end: number, maxLen: number): TagPart | typeof FALLBACK {
  cut = undefined;
  let key = '';
  let valueAt = -1;
  let valueEnd = -1;
  while (r.pos < end) {
    const tag = r.varint();
    const field = tag >>> 3;
    if (field === 1) {
      if ((tag & 7) !== LEN) return FALLBACK;
      key = r.string(r.len());
    } else if (field === 2) {
      if ((tag & 7) !== LEN || valueAt >= 0) return FALLBACK;
      valueEnd = r.len();
      valueAt = r.pos;
      r.pos = valueEnd;
    } else r.skip(tag & 7);
  }
  lastKey = key;
  if (valueAt < 0) return FALLBACK;
  r.pos = valueAt;
  let part: TagPart | typeof FALLBACK = FALLBACK;
  let members = 0;
  while (r.pos < valueEnd) {
    const tag = r.varint();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field < 1 || field > 7) {
      r.skip(wire);
      continue;
    }
    if (++members > 1) return FALLBACK; // several oneof members: protobufjs' rules decide
    if (field === 1 && wire === LEN) {
      const text = r.string(r.len());
      if (text.length <= maxLen) part = tagPart(key, 'string', text);
      else {
        cut = cutWarning(key, text.length, maxLen);
        part = tagPart(key, 'string', text.slice(0, maxLen));
      }
    } else if (field === 2 && wire === VARINT) {
      const lo = r.varint();
      if (r.high !== 0) return FALLBACK; // protobufjs reads 32 bits of a bool
      part = tagPart(key, 'bool', lo !== 0);
    } else if (field === 3 && wire === VARINT) {
      const lo = r.varint();
      const hi = r.high | 0; // two's complement: the high word signed
      if (hi <= -0x200000 || hi >= 0x200000) return FALLBACK; // past 2^53: the reference's BigInt decides
      const n = hi * TWO_32 + lo;
      part = tagPart(key, 'int64', n === 0 ? 0 : n);
    } else if (field === 4 && wire === FIXED64) {
      r.advance(8);
      part = tagPart(key, 'float64', r.buf.readDoubleLE(r.pos - 8));
    } else return FALLBACK; // arrays, maps, bytes, or a wire type that is not the field's
  }
  return members === 1 ? part : FALLBACK;
}

interface ReadEvent {
  timestamp: number;
  fields: TagPart[];
  warnings: string[] | null;
}

function readEvent(r: Reader, end: number, maxLen: number): ReadEvent | typeof FALLBACK {
  let timestamp = 0;
  let name = '';
  const attributes: TagPart[] = [];
  let warnings: string[] | null = null;
  let hasEventAttribute = false;
  while (r.pos < end) {
    const tag = r.varint();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1) {
      if (wire !== FIXED64 || !readNanos(r)) return FALLBACK;
      timestamp = us;
    } else if (field === 2) {
      if (wire !== LEN) return FALLBACK;
      name = r.string(r.len());
    } else if (field === 3) {
      if (wire !== LEN) return FALLBACK;
      const part = cachedKeyValue(r, r.len(), maxLen, MAX_GUESSES);
      if (part === FALLBACK) return FALLBACK;
      if (cut !== undefined) warnings = pushTo(warnings, cut);
      if (lastKey === 'event') hasEventAttribute = true;
      attributes.push(part);
    } else r.skip(wire);
  }
  const fields =
    name !== '' && !hasEventAttribute ? [tagPart('event', 'string', name), ...attributes] : attributes;
  return { timestamp, fields, warnings };
}

/** `list` with `item` appended, made on first use (most spans have no warnings and no events). */
function pushTo<T>(list: T[] | null, item: T): T[] {
  if (list === null) return [item];
  list.push(item);
  return list;
}

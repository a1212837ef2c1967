// OTLP/JSON bytes (an ExportTraceServiceRequest as sent) read straight into the store's span form: no
// JSON.parse object tree. Reads the shape exporters send; a span with anything else (links, nulls, escaped
// keys, duplicate keys, non-scalar values...) is parsed alone and goes the object path (ingest-otlp-json.ts),
// and a body this reader does not walk to the end (bad JSON, odd nesting, an unreadable resource) answers
// undefined, so the caller parses it whole: answers, rejections and error texts never differ.
import type { OtlpResourceSpans, OtlpScopeSpans } from '../../../lib/jaeger/from-otlp';
import type { Process } from '../../../lib/jaeger/model';
import { IdTextCache } from './id-text-cache';
import { cutWarning, type IngestBatch, newBatch, processOf, scopeTags, trailingTags } from './ingest-common';
import { ingestParsedSpan } from './ingest-otlp-json';
import { knownBytes as copyKnown, type KnownBytes, knownAt } from './known-bytes';
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

/** Thrown where the body leaves the shapes this reader walks: the caller parses the body whole. */
class NotWalked extends Error {}
const NOT_WALKED = new NotWalked('not walked');
/** The span needs the object path (parsed alone). */
const FALLBACK = Symbol('fallback');

/** Nesting of skipped values past this sends the body to JSON.parse (no deep recursion here). */
const MAX_SKIP_DEPTH = 64;
const MAX_SAFE_US = Number.MAX_SAFE_INTEGER;
const MAX_FAST_DURATION_US = Math.floor(Number.MAX_SAFE_INTEGER / 1000) - 1;
const ZERO_HIGH = '0000000000000000';

// Bytes.
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const MINUS = 0x2d;
const ZERO = 0x30;

// The cursor: the body and the position in it (module state: one synchronous read at a time).
let buf: Buffer = Buffer.alloc(0);
let pos = 0;
let end = 0;
/** The body as a DataView: cached attributes are compared a word at a time. */
let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

/**
 * The body's spans, read from its bytes; undefined when the body must be parsed whole (JSON.parse and
 * ingestOtlpJson then answer, including the 400 for a body that is not JSON).
 */
export function ingestOtlpJsonBytes(body: Buffer, maxValueLength: number): IngestBatch | undefined {
  buf = body;
  pos = 0;
  end = body.length;
  view = new DataView(body.buffer, body.byteOffset, body.length);
  parsedSpans = 0;
  try {
    return readRequest(maxValueLength);
  } catch {
    // Not walked here (or a part refused): the object path decides, as it would have for the whole body.
    return undefined;
  } finally {
    buf = EMPTY;
    view = EMPTY_VIEW;
  }
}
const EMPTY = Buffer.alloc(0);
const EMPTY_VIEW = new DataView(new ArrayBuffer(0));

/** Spans of the last body read that went the object path (parsed alone): for tests. */
let parsedSpans = 0;
export function spansParsedAlone(): number {
  return parsedSpans;
}

// --- JSON grammar -------------------------------------------------------------------------------------

/** The next byte that is not JSON whitespace (the cursor on it), or -1 at the end. */
function ws(): number {
  // Locals in the loops: module bindings cost a context load (and a hole check) at each use.
  const b = buf;
  const n = end;
  let p = pos;
  while (p < n) {
    const c = b[p] as number;
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) p++;
    else {
      pos = p;
      return c;
    }
  }
  pos = p;
  return -1;
}

/** `c` is there: steps over it (after whitespace); otherwise the body is not walked. */
function expect(c: number): void {
  if (ws() !== c) throw NOT_WALKED;
  pos++;
}

// The string `scanString` last read: its content's bytes and whether it has escapes.
let strStart = 0;
let strEnd = 0;
let strEscaped = false;

/** Scans a JSON string (the cursor on its opening quote), validating it; sets `str*`. */
function scanString(): void {
  const b = buf;
  const n = end;
  let p = pos + 1;
  strStart = p;
  let escaped = false;
  while (p < n) {
    const c = b[p] as number;
    if (c === QUOTE) {
      strEnd = p;
      strEscaped = escaped;
      pos = p + 1;
      return;
    }
    if (c === BACKSLASH) {
      escaped = true;
      const e = b[p + 1];
      if (e === 0x75) {
        for (let i = 2; i < 6; i++) if (!isHex(b[p + i])) throw NOT_WALKED;
        p += 6;
      } else if (
        e === QUOTE ||
        e === BACKSLASH ||
        e === 0x2f ||
        e === 0x62 ||
        e === 0x66 ||
        e === 0x6e ||
        e === 0x72 ||
        e === 0x74
      ) {
        p += 2;
      } else throw NOT_WALKED;
    } else if (c < 0x20)
      throw NOT_WALKED; // control characters must be escaped
    else p++;
  }
  throw NOT_WALKED;
}

function isHex(c: number | undefined): boolean {
  return c !== undefined && ((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70));
}

/** The text of the string `scanString` last read, as JSON.parse gives it. */
function stringText(): string {
  // Escapes: JSON.parse of just this string literal (exact, and rare).
  if (strEscaped) return JSON.parse(utf8Slice.call(buf, strStart - 1, strEnd + 1)) as string;
  return utf8Slice.call(buf, strStart, strEnd);
}

// The number `scanNumber` last read: its bytes; `numInt` when it is a plain integer that a double holds
// exactly (then `numValue` is its value, -0 as 0).
let numStart = 0;
let numEnd = 0;
let numInt = false;
let numValue = 0;

/** Scans a JSON number (the cursor on its first byte), validating its grammar; sets `num*`. */
function scanNumber(): void {
  const b = buf;
  numStart = pos;
  let negative = false;
  if (b[pos] === MINUS) {
    negative = true;
    pos++;
  }
  const digitsAt = pos;
  let value = 0;
  let c = b[pos];
  if (c === ZERO) {
    pos++;
  } else if (c !== undefined && c > ZERO && c <= 0x39) {
    while (pos < end) {
      c = b[pos] as number;
      if (c < ZERO || c > 0x39) break;
      value = value * 10 + (c - ZERO);
      pos++;
    }
  } else throw NOT_WALKED;
  const digits = pos - digitsAt;
  numInt = true;
  if (b[pos] === 0x2e) {
    numInt = false;
    pos++;
    if (!isDigit(b[pos])) throw NOT_WALKED;
    while (isDigit(b[pos])) pos++;
  }
  c = b[pos];
  if (c === 0x65 || c === 0x45) {
    numInt = false;
    pos++;
    if (b[pos] === 0x2b || b[pos] === MINUS) pos++;
    if (!isDigit(b[pos])) throw NOT_WALKED;
    while (isDigit(b[pos])) pos++;
  }
  // Past 15 digits a double may have rounded: exact only up to 2^53 - 1 (as Number.isSafeInteger takes).
  if (digits > 16 || (digits === 16 && value > Number.MAX_SAFE_INTEGER)) numInt = false;
  numEnd = pos;
  numValue = negative && value !== 0 ? -value : value;
}

function isNumberStart(c: number): boolean {
  return c === MINUS || (c >= ZERO && c <= 0x39);
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= ZERO && c <= 0x39;
}

/** Skips one JSON value of any kind, validating it. */
function skipValue(depth: number): void {
  const c = ws();
  if (c === QUOTE) scanString();
  else if (c === OPEN_OBJECT) {
    if (depth >= MAX_SKIP_DEPTH) throw NOT_WALKED;
    pos++;
    if (ws() === CLOSE_OBJECT) {
      pos++;
      return;
    }
    for (;;) {
      if (ws() !== QUOTE) throw NOT_WALKED;
      scanString();
      expect(COLON);
      skipValue(depth + 1);
      const next = ws();
      pos++;
      if (next === CLOSE_OBJECT) return;
      if (next !== COMMA) throw NOT_WALKED;
    }
  } else if (c === OPEN_ARRAY) {
    if (depth >= MAX_SKIP_DEPTH) throw NOT_WALKED;
    pos++;
    if (ws() === CLOSE_ARRAY) {
      pos++;
      return;
    }
    for (;;) {
      skipValue(depth + 1);
      const next = ws();
      pos++;
      if (next === CLOSE_ARRAY) return;
      if (next !== COMMA) throw NOT_WALKED;
    }
  } else if (c === 0x74) literal(TRUE);
  else if (c === 0x66) literal(FALSE);
  else if (c === 0x6e) literal(NULL);
  else scanNumber();
}

const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL = Buffer.from('null');

function literal(text: Buffer): void {
  if (!sameBytes(buf, pos, text, text.length) || pos + text.length > end) throw NOT_WALKED;
  pos += text.length;
}

/** Whether `b` from `at` holds the first `n` bytes of `other` (a loop: cheaper than a native call here). */
function sameBytes(b: Buffer, at: number, other: Buffer, n: number): boolean {
  for (let i = 0; i < n; i++) if (b[at + i] !== other[i]) return false;
  return true;
}

/** The value just skipped from `start`, parsed (exactly what JSON.parse of the body has there). */
function parsedFrom(start: number): unknown {
  return JSON.parse(utf8Slice.call(buf, start, pos));
}

// Buffer's own slicer, without toString's argument checks.
type Slicer = (this: Buffer, start: number, end: number) => string;
const bufferMethods = Buffer.prototype as unknown as { utf8Slice?: Slicer };
const utf8Slice: Slicer =
  bufferMethods.utf8Slice ??
  function (this: Buffer, start: number, end: number) {
    return this.toString('utf8', start, end);
  };

// --- Keys ---------------------------------------------------------------------------------------------

/** Names a context knows, by length: a key is matched on its bytes, never made a string. */
interface KnownKey {
  bytes: Buffer;
  /** Its first four bytes as a little-endian word (0 for shorter names): most candidates fail on it. */
  head: number;
  code: number;
}
type KeyTable = KnownKey[][];
const UNKNOWN_KEY = 0;
const ESCAPED_KEY = -1;

function keyTable(names: Record<string, number>): KeyTable {
  const table: KeyTable = [];
  for (const [name, code] of Object.entries(names)) {
    let row = table[name.length];
    if (row === undefined) {
      row = [];
      table[name.length] = row;
    }
    const bytes = Buffer.from(name);
    row.push({ bytes, head: bytes.length >= 4 ? bytes.readInt32LE(0) : 0, code });
  }
  return table;
}

/** A span member's name and colon as last read at a place of the span, and its code. */
interface PlacedKey extends KnownBytes {
  code: number;
}
const MAX_KEY_PLACES = 32;
const spanKeysAt: (PlacedKey | undefined)[] = [];

/**
 * readKey(SPAN_KEYS) for the `place`th member of a span: first the bytes found at that place in the span
 * before (exporters write members in one order), compared whole, without scanning them.
 */
function readSpanKey(place: number): number {
  const start = pos;
  const guess = place < MAX_KEY_PLACES ? spanKeysAt[place] : undefined;
  if (guess !== undefined && equalAt(guess, start)) {
    pos = start + guess.bytes.length;
    return guess.code;
  }
  const code = readKey(SPAN_KEYS);
  if (code !== ESCAPED_KEY && place < MAX_KEY_PLACES && pos - start <= 64) {
    spanKeysAt[place] = { ...knownBytes(start), code };
  }
  return code;
}

/** Reads a member's key (the cursor on its quote) and the colon after it; its code in `table`. */
function readKey(table: KeyTable): number {
  scanString();
  expect(COLON);
  if (strEscaped) return ESCAPED_KEY;
  const n = strEnd - strStart;
  const row = table[n];
  if (row !== undefined) {
    const head = n >= 4 ? view.getInt32(strStart, true) : 0;
    for (let i = 0; i < row.length; i++) {
      const known = row[i] as KnownKey;
      if (known.head === head && sameBytes(buf, strStart, known.bytes, n)) return known.code;
    }
  }
  return UNKNOWN_KEY;
}

/**
 * Steps to the next member of an object (after a value or after its `{`); false at its `}`. `first` says
 * whether no member was read yet.
 */
function nextMember(first: boolean): boolean {
  let c = ws();
  if (!first) {
    pos++;
    if (c === CLOSE_OBJECT) return false;
    if (c !== COMMA) throw NOT_WALKED;
    c = ws();
  } else if (c === CLOSE_OBJECT) {
    pos++;
    return false;
  }
  if (c !== QUOTE) throw NOT_WALKED;
  return true;
}

/** As nextMember, for array elements: false at its `]`. */
function nextElement(first: boolean): boolean {
  const c = ws();
  if (first) {
    if (c === CLOSE_ARRAY) {
      pos++;
      return false;
    }
    return true;
  }
  pos++;
  if (c === CLOSE_ARRAY) return false;
  if (c !== COMMA) throw NOT_WALKED;
  return true;
}

// --- The request's levels -----------------------------------------------------------------------------

const K_RESOURCE_SPANS = 1;
const TOP_KEYS = keyTable({ resourceSpans: K_RESOURCE_SPANS });
const K_RESOURCE = 1;
const K_SCOPE_SPANS = 2;
const RESOURCE_SPANS_KEYS = keyTable({ resource: K_RESOURCE, scopeSpans: K_SCOPE_SPANS });
const K_SCOPE = 1;
const K_SPANS = 2;
const SCOPE_SPANS_KEYS = keyTable({ scope: K_SCOPE, spans: K_SPANS });

function readRequest(maxLen: number): IngestBatch {
  const batch = newBatch();
  expect(OPEN_OBJECT);
  let seen = false;
  for (let first = true; nextMember(first); first = false) {
    const key = readKey(TOP_KEYS);
    if (key === ESCAPED_KEY) throw NOT_WALKED;
    if (key === K_RESOURCE_SPANS) {
      if (seen) throw NOT_WALKED; // a repeated key: JSON.parse's last-wins is the object path's
      seen = true;
      const c = ws();
      if (c === OPEN_ARRAY) {
        pos++;
        for (let f = true; nextElement(f); f = false) readResourceSpans(batch, maxLen);
      } else if (c === 0x6e) literal(NULL);
      else throw NOT_WALKED; // the object path's 400
    } else skipValue(0);
  }
  if (ws() !== -1) throw NOT_WALKED; // text after the object: JSON.parse's error
  return batch;
}

function readResourceSpans(batch: IngestBatch, maxLen: number): void {
  if (ws() !== OPEN_OBJECT) throw NOT_WALKED;
  pos++;
  let resource: OtlpResourceSpans['resource'];
  let process: Process | undefined;
  let known: Process | undefined; // the process of a resource read before (same bytes)
  let resourceAt = -1;
  let resourceEnd = -1;
  let resourceSeen = false;
  // The resource's process, once: remembered by the resource's bytes.
  const processNow = (): Process => {
    if (known !== undefined) return known;
    const made = processFor(resource, maxLen);
    if (resourceAt >= 0) resources.remember(buf, resourceAt, resourceEnd, maxLen, resource, made);
    return made;
  };
  let scopeSpansAt = -1; // scope spans before the resource: read once the object is done
  for (let first = true; nextMember(first); first = false) {
    const key = readKey(RESOURCE_SPANS_KEYS);
    if (key === ESCAPED_KEY) throw NOT_WALKED;
    if (key === K_RESOURCE) {
      if (resourceSeen) throw NOT_WALKED;
      resourceSeen = true;
      ws();
      resourceAt = pos;
      skipValue(0);
      resourceEnd = pos;
      const hit = resources.find(buf, resourceAt, resourceEnd, maxLen);
      if (hit !== undefined) {
        resource = hit.resource;
        known = hit.process;
      } else resource = parsedFrom(resourceAt) as OtlpResourceSpans['resource'];
    } else if (key === K_SCOPE_SPANS) {
      if (scopeSpansAt >= 0 || process !== undefined) throw NOT_WALKED;
      if (!resourceSeen) {
        ws();
        scopeSpansAt = pos;
        skipValue(0);
      } else {
        process = processNow();
        readScopeSpansList(batch, resource, process, maxLen);
      }
    } else skipValue(0);
  }
  // The object path reads every resource, with spans or without (an unreadable one is its answer).
  if (process === undefined) process = processNow();
  if (scopeSpansAt >= 0) {
    const after = pos;
    pos = scopeSpansAt;
    readScopeSpansList(batch, resource, process, maxLen);
    pos = after;
  }
}

const resources = new ResourceCache<OtlpResourceSpans['resource']>();

/** The resource's process; a resource the reference refuses is left to the object path. */
function processFor(resource: OtlpResourceSpans['resource'], maxLen: number): Process {
  const process = processOf(resource, maxLen);
  if (typeof process === 'string') throw NOT_WALKED;
  return process;
}

function readScopeSpansList(
  batch: IngestBatch,
  resource: OtlpResourceSpans['resource'],
  process: Process,
  maxLen: number,
): void {
  const c = ws();
  if (c !== OPEN_ARRAY) {
    skipValue(0); // not a list: no spans, as the object path reads it
    return;
  }
  pos++;
  for (let first = true; nextElement(first); first = false) {
    if (ws() !== OPEN_OBJECT) throw NOT_WALKED;
    pos++;
    let scope: OtlpScopeSpans['scope'];
    let scopeSeen = false;
    let scopeParts: TagPart[] = [];
    let spansAt = -1;
    let spansSeen = false;
    for (let f = true; nextMember(f); f = false) {
      const key = readKey(SCOPE_SPANS_KEYS);
      if (key === ESCAPED_KEY) throw NOT_WALKED;
      if (key === K_SCOPE) {
        if (scopeSeen) throw NOT_WALKED;
        scopeSeen = true;
        ws();
        const start = pos;
        skipValue(0);
        scope = parsedFrom(start) as OtlpScopeSpans['scope'];
        scopeParts = scope && typeof scope === 'object' ? scopeTags(scope.name, scope.version) : [];
      } else if (key === K_SPANS) {
        if (spansSeen) throw NOT_WALKED;
        spansSeen = true;
        ws();
        if (!scopeSeen) {
          spansAt = pos;
          skipValue(0);
        } else readSpans(batch, resource, scope, scopeParts, process, maxLen);
      } else skipValue(0);
    }
    if (spansAt >= 0) {
      const after = pos;
      pos = spansAt;
      readSpans(batch, resource, scope, scopeParts, process, maxLen);
      pos = after;
    }
  }
}

function readSpans(
  batch: IngestBatch,
  resource: OtlpResourceSpans['resource'],
  scope: OtlpScopeSpans['scope'],
  scopeParts: TagPart[],
  process: Process,
  maxLen: number,
): void {
  if (ws() !== OPEN_ARRAY) {
    skipValue(0); // not a list: no spans
    return;
  }
  pos++;
  for (let first = true; nextElement(first); first = false) {
    const start = pos;
    const fast = ws() === OPEN_OBJECT ? readSpan(scopeParts, process, maxLen) : FALLBACK;
    if (fast !== FALLBACK) batch.spans.push(fast);
    else {
      // Anything this reader does not take: the span alone through JSON.parse and the object path.
      parsedSpans++;
      pos = start;
      ws();
      const at = pos;
      skipValue(0);
      ingestParsedSpan(batch, resource, scope, parsedFrom(at), scopeParts, process, maxLen);
    }
  }
}

// --- A span -------------------------------------------------------------------------------------------

const K_TRACE_ID = 1;
const K_SPAN_ID = 2;
const K_PARENT = 3;
const K_NAME = 4;
const K_KIND = 5;
const K_START = 6;
const K_END = 7;
const K_ATTRIBUTES = 8;
const K_EVENTS = 9;
const K_STATUS = 10;
const K_TRACE_STATE = 11;
const K_LINKS = 12;
const SPAN_KEYS = keyTable({
  traceId: K_TRACE_ID,
  spanId: K_SPAN_ID,
  parentSpanId: K_PARENT,
  name: K_NAME,
  kind: K_KIND,
  startTimeUnixNano: K_START,
  endTimeUnixNano: K_END,
  attributes: K_ATTRIBUTES,
  events: K_EVENTS,
  status: K_STATUS,
  traceState: K_TRACE_STATE,
  links: K_LINKS,
});
const K_CODE = 1;
const K_MESSAGE = 2;
const STATUS_KEYS = keyTable({ code: K_CODE, message: K_MESSAGE });
const K_TIME = 1;
const K_EVENT_NAME = 2;
const K_EVENT_ATTRIBUTES = 3;
const EVENT_KEYS = keyTable({ timeUnixNano: K_TIME, name: K_EVENT_NAME, attributes: K_EVENT_ATTRIBUTES });

const DURATION_WARNING = 'end time before start time; duration set to 0';

// A timestamp split as µs and the remaining ns, exactly (set by `readNanos`).
let us = 0;
let remNs = 0;

/**
 * Reads a span (the cursor on its `{`) as the object path's fast span would convert it; FALLBACK (the
 * cursor anywhere in it) for anything else, which the caller then hands to the object path.
 */
function readSpan(scopeParts: TagPart[], process: Process, maxLen: number): IngestSpan | typeof FALLBACK {
  pos++;
  let seen = 0;
  let traceHex: string | undefined;
  let spanID: string | undefined;
  let parentSpanID = '';
  let operationName = '';
  let kind = 0;
  let startUs = 0;
  let startRem = 0;
  let endUs = 0;
  let endRem = 0;
  let code = 0;
  let message = '';
  let traceState = '';
  // The reference's order: the duration's warning, then cut values of attributes, then of events.
  let attributeWarnings: string[] | null = null;
  let eventWarnings: string[] | null = null;
  let logs: string[] | null = null;
  const tags = new TagCollector();
  for (let i = 0; i < scopeParts.length; i++) tags.tag(scopeParts[i] as TagPart);
  let place = 0;
  for (let first = true; nextMember(first); first = false) {
    const key = readSpanKey(place++);
    if (key === ESCAPED_KEY) return FALLBACK;
    if (key === UNKNOWN_KEY) {
      skipValue(0);
      continue;
    }
    const bit = 1 << key;
    if ((seen & bit) !== 0) return FALLBACK; // repeated: JSON.parse keeps the last one
    seen |= bit;
    const c = ws();
    switch (key) {
      case K_TRACE_ID:
        if (c !== QUOTE) return FALLBACK;
        scanString();
        traceHex = traceIdText();
        if (traceHex === undefined) return FALLBACK;
        break;
      case K_SPAN_ID:
        if (c !== QUOTE) return FALLBACK;
        scanString();
        spanID = spanIdText();
        if (spanID === undefined) return FALLBACK;
        break;
      case K_PARENT:
        if (c !== QUOTE) return FALLBACK;
        scanString();
        if (strEnd !== strStart) {
          const hex = spanIdText();
          if (hex !== undefined) parentSpanID = hex;
          else if (!allZeroes16()) return FALLBACK; // sixteen zeroes: no parent
        }
        break;
      case K_NAME:
        if (c !== QUOTE) return FALLBACK;
        scanString();
        operationName = internName(stringText());
        break;
      case K_KIND:
        if (!isNumberStart(c)) return FALLBACK; // named enums, null: the object path
        scanNumber();
        if (!numInt || numValue < 0) return FALLBACK;
        kind = numValue;
        break;
      case K_START:
      case K_END:
        if (!readNanos(c)) return FALLBACK;
        if (key === K_START) {
          startUs = us;
          startRem = remNs;
        } else {
          endUs = us;
          endRem = remNs;
        }
        break;
      case K_ATTRIBUTES: {
        if (c !== OPEN_ARRAY) return FALLBACK;
        pos++;
        let index = 0;
        for (let f = true; nextElement(f); f = false) {
          const part = readAttribute(maxLen, index++);
          if (part === FALLBACK) return FALLBACK;
          if (cut !== undefined) attributeWarnings = pushTo(attributeWarnings, cut);
          tags.tag(part);
        }
        break;
      }
      case K_EVENTS: {
        if (c !== OPEN_ARRAY) return FALLBACK;
        pos++;
        for (let f = true; nextElement(f); f = false) {
          if (ws() !== OPEN_OBJECT) return FALLBACK;
          if (!readEvent(tags, maxLen)) return FALLBACK;
          logs = pushTo(logs, eventLog);
          if (eventCuts !== null) for (const w of eventCuts) eventWarnings = pushTo(eventWarnings, w);
        }
        break;
      }
      case K_STATUS: {
        if (c !== OPEN_OBJECT) return FALLBACK;
        pos++;
        let statusSeen = 0;
        for (let f = true; nextMember(f); f = false) {
          const k = readKey(STATUS_KEYS);
          if (k === ESCAPED_KEY || (k !== UNKNOWN_KEY && (statusSeen & (1 << k)) !== 0)) return FALLBACK;
          statusSeen |= 1 << k;
          const v = ws();
          if (k === K_CODE) {
            if (!isNumberStart(v)) return FALLBACK;
            scanNumber();
            if (!numInt) return FALLBACK;
            code = numValue;
          } else if (k === K_MESSAGE) {
            if (v !== QUOTE) return FALLBACK;
            scanString();
            message = stringText();
          } else skipValue(0);
        }
        break;
      }
      case K_TRACE_STATE:
        if (c !== QUOTE) return FALLBACK;
        scanString();
        traceState = stringText();
        break;
      case K_LINKS:
        // Only an empty list: links become references through the object path.
        if (c !== OPEN_ARRAY) return FALLBACK;
        pos++;
        if (ws() !== CLOSE_ARRAY) return FALLBACK;
        pos++;
        break;
    }
  }
  if (traceHex === undefined || spanID === undefined) return FALLBACK;
  const spanUs = endUs - startUs;
  if (spanUs > MAX_FAST_DURATION_US || spanUs < -MAX_FAST_DURATION_US) return FALLBACK;
  let durationNs = spanUs * 1000 + (endRem - startRem);
  let warnings: string[] | null = null;
  if (durationNs < 0) {
    warnings = [DURATION_WARNING];
    durationNs = 0;
  }
  if (attributeWarnings !== null)
    warnings = warnings === null ? attributeWarnings : [...warnings, ...attributeWarnings];
  if (eventWarnings !== null) warnings = warnings === null ? eventWarnings : [...warnings, ...eventWarnings];
  trailingTags(tags, kind, code, message, traceState);
  const traceID = traceHex.startsWith(ZERO_HIGH) ? traceHex.slice(16) : traceHex;
  const duration = (durationNs - (durationNs % 1000)) / 1000; // exact, as the reference's BigInt division
  return tags.finish(
    { traceID, spanID, operationName, startTime: startUs, duration, parentSpanID, process },
    null,
    logs === null ? logsPart(NO_LOGS) : logsPart(logs),
    warningsEnd(warnings),
  );
}
const NO_LOGS: string[] = [];

/** Reads a timestamp (string of digits or a plain integer; `c` its first byte) into `us`/`remNs`. */
function readNanos(c: number): boolean {
  if (c === QUOTE) {
    scanString();
    // Digits only; µs accumulate exactly while they stay within a double's integers ("" is 0).
    const b = buf;
    const n = strEnd - strStart;
    let high = 0;
    let low = 0;
    for (let i = 0; i < n; i++) {
      const d = (b[strStart + i] as number) - ZERO;
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
  if (!isNumberStart(c)) return false; // null, objects...: the object path
  scanNumber();
  if (!numInt || numValue < 0) return false;
  remNs = numValue % 1000;
  us = (numValue - remNs) / 1000;
  return true;
}

const traceIds = new IdTextCache(32, 1024);
const spanIds = new IdTextCache(16, 4096);

/** The trace id of the string just scanned, lowercase hex; undefined if not 32 hex digits, not all zero. */
function traceIdText(): string | undefined {
  if (strEnd - strStart !== 32) return undefined;
  const known = traceIds.find(view, strStart);
  if (known !== undefined) return known;
  const hex = hexText(32);
  if (hex !== undefined) traceIds.remember(view, strStart, hex);
  return hex;
}

/** A span id (the string just scanned), as hexText(16): one string for the span and for its children. */
function spanIdText(): string | undefined {
  if (strEnd - strStart !== 16) return undefined;
  const known = spanIds.find(view, strStart);
  if (known !== undefined) return known;
  const hex = hexText(16);
  if (hex !== undefined) spanIds.remember(view, strStart, hex);
  return hex;
}

/** The string just scanned as a lowercase hex id of `digits` digits, not all zero; else undefined. */
function hexText(digits: number): string | undefined {
  if (strEnd - strStart !== digits) return undefined; // (escapes make it longer: the object path)
  const b = buf;
  // One table lookup a digit: every hex digit has the HEX bit (and-ed: all of them are digits), or-ed:
  // whether any is not '0' and whether any is uppercase.
  let all = HEX;
  let any = 0;
  for (let i = strStart; i < strEnd; i++) {
    const k = HEX_CLASS[b[i] as number] as number;
    all &= k;
    any |= k;
  }
  if (all === 0 || any === HEX) return undefined;
  const text = utf8Slice.call(b, strStart, strEnd);
  return (any & HEX_UPPER) !== 0 ? text.toLowerCase() : text;
}

const HEX = 1;
const HEX_NOT_ZERO = 2;
const HEX_UPPER = 4;
/** Per byte: HEX for '0', also HEX_NOT_ZERO for 1-9 and a-f, also HEX_UPPER for A-F; 0 for other bytes. */
const HEX_CLASS = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  if (c === 48) HEX_CLASS[c] = HEX;
  else if ((c > 48 && c <= 57) || (c >= 97 && c <= 102)) HEX_CLASS[c] = HEX | HEX_NOT_ZERO;
  else if (c >= 65 && c <= 70) HEX_CLASS[c] = HEX | HEX_NOT_ZERO | HEX_UPPER;
}

function allZeroes16(): boolean {
  if (strEnd - strStart !== 16) return false;
  for (let i = strStart; i < strEnd; i++) if (buf[i] !== ZERO) return false;
  return true;
}

// The event `readEvent` last read: its log's JSON and the values it cut.
let eventLog = '';
let eventCuts: string[] | null = null;

/** Reads an event (the cursor on its `{`) into a log and its fields; false for the object path. */
function readEvent(tags: TagCollector, maxLen: number): boolean {
  pos++;
  let seen = 0;
  let timestamp = 0;
  let name = '';
  let attributes: TagPart[] | null = null;
  let hasEventAttribute = false;
  let cuts: string[] | null = null;
  for (let first = true; nextMember(first); first = false) {
    const key = readKey(EVENT_KEYS);
    if (key === ESCAPED_KEY) return false;
    if (key === UNKNOWN_KEY) {
      skipValue(0);
      continue;
    }
    if ((seen & (1 << key)) !== 0) return false;
    seen |= 1 << key;
    const c = ws();
    if (key === K_TIME) {
      if (!readNanos(c)) return false;
      timestamp = us;
    } else if (key === K_EVENT_NAME) {
      if (c !== QUOTE) return false;
      scanString();
      name = stringText();
    } else {
      if (c !== OPEN_ARRAY) return false;
      pos++;
      for (let f = true; nextElement(f); f = false) {
        const part = readAttribute(maxLen, MAX_GUESSES);
        if (part === FALLBACK) return false;
        if (cut !== undefined) cuts = pushTo(cuts, cut);
        if (part.key === 'event') hasEventAttribute = true;
        attributes = pushTo(attributes, part);
      }
    }
  }
  const fields: TagPart[] = name !== '' && !hasEventAttribute ? [tagPart('event', 'string', name)] : [];
  if (attributes !== null) for (const a of attributes) fields.push(a);
  for (const f of fields) tags.field(f);
  eventLog = logJson(timestamp, fields);
  eventCuts = cuts;
  return true;
}

// --- An attribute -------------------------------------------------------------------------------------

const K_KEY = 1;
const K_VALUE = 2;
const ATTRIBUTE_KEYS = keyTable({ key: K_KEY, value: K_VALUE });
const V_STRING = 1;
const V_BOOL = 2;
const V_INT = 3;
const V_DOUBLE = 4;
const VALUE_KEYS = keyTable({
  stringValue: V_STRING,
  boolValue: V_BOOL,
  intValue: V_INT,
  doubleValue: V_DOUBLE,
});

/** The warning of the value `readAttribute` last cut, if it cut one. */
let cut: string | undefined;

// Repeated attributes, by their bytes: such an attribute makes no strings and no pool lookup. Only tags
// the pool shares are cached; bounded, and started over when full.
const MAX_CACHED_ATTRIBUTES = 4096;
const MAX_CACHED_ATTRIBUTE_BYTES = 256;
interface CachedAttribute extends KnownBytes {
  maxLen: number;
  part: TagPart;
}
const attributes = new Map<number, CachedAttribute>();
/** The cached attribute last found at each place of a span's attributes (the first few places). */
const MAX_GUESSES = 32;
const guesses: (CachedAttribute | undefined)[] = [];
/** 1 where the attribute last read at that place was not one the pool shares. */
const oneOff = new Uint8Array(MAX_GUESSES);

/** Whether `cached` is the attribute at `start` (then the cursor moves past it). */
function matches(cached: CachedAttribute, start: number, maxLen: number): boolean {
  if (cached.maxLen !== maxLen || !equalAt(cached, start)) return false;
  pos = start + cached.bytes.length;
  return true;
}

/** A copy of the body's bytes from `start` to the cursor, with their words. */
function knownBytes(start: number): KnownBytes {
  return copyKnown(buf, start, pos);
}

/** Whether the body holds `known`'s bytes at `start`. */
function equalAt(known: KnownBytes, start: number): boolean {
  return knownAt(known, buf, view, start, end);
}

function cachedAttribute(start: number, maxLen: number, part: TagPart): CachedAttribute {
  const { bytes, words } = knownBytes(start);
  return { bytes, words, maxLen, part };
}

/**
 * Reads one attribute (the cursor before its `{`) as the object path's attributePart makes it: a key and a
 * value of one scalar member; FALLBACK for anything else.
 */
function readAttribute(maxLen: number, index: number): TagPart | typeof FALLBACK {
  cut = undefined;
  if (ws() !== OPEN_OBJECT) return FALLBACK;
  const start = pos;
  // A repeated attribute is found by its bytes, not read: a JSON object ends where its text says, so the
  // same bytes from here are the same attribute.
  // First the attribute found at this place in the span before (spans of a service repeat them in order).
  const guess = index < MAX_GUESSES ? guesses[index] : undefined;
  if (guess !== undefined && matches(guess, start, maxLen)) return guess.part;
  // A place whose attribute was a one-off last time (ids, urls) is not probed: it is read.
  const probe = index >= MAX_GUESSES || oneOff[index] === 0;
  const h = probe ? probeHash(start) : 0;
  if (h !== 0) {
    const hit = attributes.get(h);
    if (hit !== undefined && matches(hit, start, maxLen)) {
      if (index < MAX_GUESSES) guesses[index] = hit;
      return hit.part;
    }
  }
  pos++;
  let keyStart = -1;
  let keyEnd = -1;
  let keyEscaped = false;
  let kind = 0;
  let valueStart = 0;
  let valueEnd = 0;
  let valueEscaped = false;
  let valueInt = false;
  let valueNumber = 0;
  let valueTrue = false;
  for (let first = true; nextMember(first); first = false) {
    const key = readKey(ATTRIBUTE_KEYS);
    if (key === ESCAPED_KEY) return FALLBACK;
    const c = ws();
    if (key === K_KEY) {
      if (keyStart >= 0 || c !== QUOTE) return FALLBACK;
      scanString();
      keyStart = strStart;
      keyEnd = strEnd;
      keyEscaped = strEscaped;
    } else if (key === K_VALUE) {
      if (kind !== 0 || c !== OPEN_OBJECT) return FALLBACK;
      pos++;
      // Exactly one scalar member: anything else (none, several, arrays, maps, bytes) the object path.
      if (!nextMember(true)) return FALLBACK;
      kind = readKey(VALUE_KEYS);
      const v = ws();
      if (kind === V_STRING) {
        if (v !== QUOTE) return FALLBACK;
        scanString();
        valueStart = strStart;
        valueEnd = strEnd;
        valueEscaped = strEscaped;
      } else if (kind === V_BOOL) {
        if (v === 0x74) {
          literal(TRUE);
          valueTrue = true;
        } else if (v === 0x66) literal(FALSE);
        else return FALLBACK;
      } else if (kind === V_INT) {
        if (v === QUOTE) {
          scanString();
          if (!readIntText()) return FALLBACK;
        } else {
          if (!isNumberStart(v)) return FALLBACK;
          scanNumber();
          if (!numInt) return FALLBACK;
          intValue = numValue;
        }
        valueNumber = intValue;
        valueInt = true;
      } else if (kind === V_DOUBLE) {
        if (!isNumberStart(v)) return FALLBACK;
        scanNumber();
        valueStart = numStart;
        valueEnd = numEnd;
      } else return FALLBACK;
      if (nextMember(false)) return FALLBACK;
    } else skipValue(0);
  }
  if (keyStart < 0 || kind === 0) return FALLBACK;
  const key = keyEscaped
    ? (JSON.parse(utf8Slice.call(buf, keyStart - 1, keyEnd + 1)) as string)
    : keyText(keyStart, keyEnd, index);
  let part: TagPart;
  if (kind === V_STRING) {
    strStart = valueStart;
    strEnd = valueEnd;
    strEscaped = valueEscaped;
    const text = stringText();
    if (text.length <= maxLen) part = tagPart(key, 'string', text);
    else {
      cut = cutWarning(key, text.length, maxLen);
      part = tagPart(key, 'string', text.slice(0, maxLen));
    }
  } else if (kind === V_BOOL) part = tagPart(key, 'bool', valueTrue);
  else if (valueInt) part = tagPart(key, 'int64', valueNumber);
  else part = tagPart(key, 'float64', Number(utf8Slice.call(buf, valueStart, valueEnd)));
  const shared = isShared(part);
  if (index < MAX_GUESSES) oneOff[index] = shared ? 0 : 1;
  if (h !== 0 && cut === undefined && shared) {
    if (attributes.size >= MAX_CACHED_ATTRIBUTES) attributes.clear();
    const cached = cachedAttribute(start, maxLen, part);
    attributes.set(h, cached);
    if (index < MAX_GUESSES) guesses[index] = cached;
  }
  return part;
}

let intValue = 0;

/** The key last read at each place (one-off values repeat their keys): the same string again. */
const keysAt: ({ bytes: Buffer; key: string } | undefined)[] = [];
const MAX_PLACED_KEY_BYTES = 128;

/** The text of an unescaped key, the string read at this place before when the bytes are the same. */
function keyText(start: number, stop: number, index: number): string {
  const n = stop - start;
  if (index >= MAX_GUESSES || n > MAX_PLACED_KEY_BYTES) return utf8Slice.call(buf, start, stop);
  const known = keysAt[index];
  if (known !== undefined && known.bytes.length === n && sameBytes(buf, start, known.bytes, n))
    return known.key;
  const key = utf8Slice.call(buf, start, stop);
  keysAt[index] = { bytes: Buffer.from(buf.subarray(start, stop)), key };
  return key;
}

/**
 * A hash of an attribute's bytes from its `{` through its first `}}` (where one written as exporters write
 * it ends), within MAX_CACHED_ATTRIBUTE_BYTES; 0 when there is none. Only a probe: a hit is compared.
 */
function probeHash(start: number): number {
  const b = buf;
  const stop = Math.min(end - 1, start + MAX_CACHED_ATTRIBUTE_BYTES);
  let h = 0x811c9dc5;
  for (let i = start; i < stop; i++) {
    const c = b[i] as number;
    h = Math.imul(h ^ c, 0x01000193);
    if (c === CLOSE_OBJECT && b[i + 1] === CLOSE_OBJECT) return h === 0 ? 1 : h;
  }
  return 0;
}

/** An intValue string (just scanned) as the object path takes it: -?\d{1,15}, into `intValue` (-0 is 0). */
function readIntText(): boolean {
  if (strEscaped) return false;
  let i = strStart;
  let negative = false;
  if (buf[i] === MINUS) {
    negative = true;
    i++;
  }
  const digits = strEnd - i;
  if (digits < 1 || digits > 15) return false;
  let value = 0;
  for (; i < strEnd; i++) {
    const d = (buf[i] as number) - ZERO;
    if (d < 0 || d > 9) return false;
    value = value * 10 + d;
  }
  intValue = negative && value !== 0 ? -value : value;
  return true;
}

/** `list` with `item` appended, made on first use. */
function pushTo<T>(list: T[] | null, item: T): T[] {
  if (list === null) return [item];
  list.push(item);
  return list;
}

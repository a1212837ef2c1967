// The recorded below-total answer (`recording-rules.ts`: ~165,000 samples, 24.6 MB at 5,000 workloads) read
// straight from Prometheus' JSON bytes into bucket groups: no text decoded, no object per sample, one string per
// edge instead of one per sample. Prometheus writes that answer in one fixed shape; anything else (escapes,
// non-ASCII bytes, other labels, extra fields) is left to the generic parse — the result is then the same.
import { isAscii } from 'node:buffer';
import type { BucketGroup } from './latency-cache';

export const PREFIX = ascii('{"status":"success","data":{"resultType":"vector","result":[');
const LE_LABEL = ascii('","le":"');
const VALUE_START = ascii('"},"value":[');
/** What JSON does not allow raw in a string. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for exactly those
export const CONTROL = /[\u0000-\u001f]/;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const DOT = 0x2e;
const ZERO = 0x30;
/** Integers up to this are exact doubles (Clinger's fast path below). */
const MAX_EXACT = 2 ** 53;
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, i) => 10 ** i);

export function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/**
 * `groupBuckets(samples)` (and how many samples there were) of an answer whose every sample has the labels `label` and `le` only (a `sum by (le,
 * label)`), read from the body's bytes; undefined when the body is not exactly that shape (the caller parses it
 * the generic way). Groups in the order their first kept sample comes, buckets in the samples' order; a sample
 * whose bound or value is not a number (NaN, ±Inf value) is left out, as `groupBuckets` does.
 */
export function groupBucketsOfBody(
  body: Buffer,
  label: string,
): { groups: BucketGroup[]; samples: number } | undefined {
  const start = ascii(`{"metric":{"${label}":"`);
  if (!startsWith(body, 0, PREFIX)) return undefined;
  // ASCII without escapes: every string ends at its next quote (found by indexOf, not byte by byte), and its
  // bytes are its characters. Control characters (which JSON does not allow raw in a string) are looked for
  // where a string is kept: a new group's key, a number not read by the fast path.
  if (!isAscii(body) || body.indexOf(BACKSLASH) >= 0) return undefined;
  let i = PREFIX.length;
  const groups: BucketGroup[] = [];
  const byKey = new Map<string, BucketGroup>();
  // Prometheus answers a `sum by` in the order of its input series, sorted by their labels: an edge's samples
  // come one after another, so most samples belong to the group of the one before (compared byte by byte).
  let prev: BucketGroup | undefined;
  let prevAt = 0;
  let prevLen = -1;
  let samples = 0;
  if (body[i] === 0x5d) i++;
  else
    for (;;) {
      if (!startsWith(body, i, start)) return undefined;
      const keyAt = i + start.length;
      // Most samples are of the group before: its key's bytes then a quote (no quote searched for).
      const same =
        prev !== undefined && body[keyAt + prevLen] === QUOTE && sameBytes(body, keyAt, prevAt, prevLen);
      const keyEnd = same ? keyAt + prevLen : body.indexOf(QUOTE, keyAt);
      if (keyEnd < 0 || !startsWith(body, keyEnd, LE_LABEL)) return undefined;
      const leAt = keyEnd + LE_LABEL.length;
      const leEnd = quoteAfter(body, leAt);
      if (leEnd < 0) return undefined;
      i = sampleEnd(body, leEnd);
      if (i < 0) return undefined;
      samples++;

      const le = leOf(body, leAt, leEnd);
      const value = sampleValue(body, valueSpan.at, valueSpan.end);
      if (le === undefined || value === undefined) return undefined;
      if (!Number.isNaN(le) && Number.isFinite(value)) {
        let g: BucketGroup | undefined;
        if (same) g = prev as BucketGroup;
        else {
          const key = latin1(body, keyAt, keyEnd);
          g = byKey.get(key);
          if (!g) {
            if (CONTROL.test(key)) return undefined;
            g = { labels: { [label]: key }, buckets: [] };
            byKey.set(key, g);
            groups.push(g);
          }
          prev = g;
          prevAt = keyAt;
          prevLen = keyEnd - keyAt;
        }
        g.buckets.push([le, value]);
      }

      if (body[i] === COMMA) i++;
      else if (body[i] === 0x5d) {
        i++;
        break;
      } else return undefined;
    }
  return answerEnds(body, i) ? { groups, samples } : undefined;
}

/** Where the value string of the sample `sampleEnd` last read lies in the body (no object made per sample). */
export const valueSpan = { at: 0, end: 0 };

/**
 * The end of a sample from the closing quote of its last label, `"},"value":[<time>,"<value>"]}`: the index after
 * it, with its value string's bounds in `valueSpan` (the timestamp is checked, not kept); -1 when it is not that.
 */
export function sampleEnd(body: Buffer, at: number): number {
  if (!startsWith(body, at, VALUE_START)) return -1;
  const timeAt = at + VALUE_START.length;
  // The timestamp: one JSON number up to the comma (read here: a search is a call into C++ per sample).
  const comma = jsonNumberEnd(body, timeAt);
  if (body[comma] !== COMMA || body[comma + 1] !== QUOTE) return -1;
  const valueAt = comma + 2;
  const valueEnd = quoteAfter(body, valueAt);
  if (valueEnd < 0 || body[valueEnd + 1] !== 0x5d || body[valueEnd + 2] !== 0x7d) return -1;
  valueSpan.at = valueAt;
  valueSpan.end = valueEnd;
  return valueEnd + 3;
}

/** After the result list's `]`: `}}` and nothing but whitespace to the end (no warnings, no other field). */
export function answerEnds(body: Buffer, i: number): boolean {
  if (body[i] !== 0x7d || body[i + 1] !== 0x7d) return false;
  let k = i + 2;
  while (k < body.length && (body[k] === 0x0a || body[k] === 0x0d || body[k] === 0x20)) k++;
  return k === body.length;
}

export function startsWith(body: Uint8Array, at: number, what: Uint8Array): boolean {
  if (at + what.length > body.length) return false;
  for (let k = 0; k < what.length; k++) if (body[at + k] !== what[k]) return false;
  return true;
}

/**
 * The end of the JSON number `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` that starts at `from` (the index
 * after its longest match: what follows it is the caller's to check); -1 when none starts there.
 */
function jsonNumberEnd(body: Uint8Array, from: number): number {
  let k = from;
  if (body[k] === 0x2d) k++;
  if (body[k] === ZERO) k++;
  else {
    const at = k;
    k = digitsEnd(body, k);
    if (k === at) return -1;
  }
  if (body[k] === DOT) {
    const at = ++k;
    k = digitsEnd(body, k);
    if (k === at) return -1;
  }
  if (body[k] === 0x65 || body[k] === 0x45) {
    k++;
    if (body[k] === 0x2b || body[k] === 0x2d) k++;
    const at = k;
    k = digitsEnd(body, k);
    if (k === at) return -1;
  }
  return k;
}

function digitsEnd(body: Uint8Array, k: number): number {
  while (k < body.length && (body[k] as number) >= ZERO && (body[k] as number) <= ZERO + 9) k++;
  return k;
}

/** The index of the first quote from `from` on (a short string: read here, not searched for); -1 when none. */
function quoteAfter(body: Uint8Array, from: number): number {
  for (let k = from; k < body.length; k++) if (body[k] === QUOTE) return k;
  return -1;
}

function sameBytes(body: Uint8Array, a: number, b: number, len: number): boolean {
  for (let k = 0; k < len; k++) if (body[a + k] !== body[b + k]) return false;
  return true;
}

function latin1(body: Buffer, from: number, to: number): string {
  return body.toString('latin1', from, to);
}

/** A bucket bound, as `groupBuckets` reads `le` (`+Inf`, else `Number`); undefined: not a JSON string. */
function leOf(body: Buffer, from: number, to: number): number | undefined {
  const fast = decimalOf(body, from, to);
  if (typeof fast === 'number') return fast;
  const text = latin1(body, from, to);
  if (fast === LONG) return Number(text);
  if (CONTROL.test(text)) return undefined;
  return text === '+Inf' ? Number.POSITIVE_INFINITY : Number(text);
}

/** A sample's value, as `promFloat` reads it; undefined: not a JSON string. */
export function sampleValue(body: Buffer, from: number, to: number): number | undefined {
  const fast = decimalOf(body, from, to);
  if (typeof fast === 'number') return fast;
  const text = latin1(body, from, to);
  // Digits and a point only (a rate's 17 digits, say): `Number` reads it, no control character to look for.
  if (fast === LONG) return Number(text);
  if (CONTROL.test(text)) return undefined;
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

/** `decimalOf`'s answer for `digits[.digits]` past its fast path. */
const LONG = 'long';

/**
 * `digits[.digits]` whose digits make an integer below 2^53 with at most 22 after the point: that integer and
 * the power of ten are exact doubles, so one division is the correctly rounded value — what `Number` answers
 * (Clinger's fast path). `LONG`: `digits[.digits]` past that; anything else undefined.
 */
function decimalOf(body: Uint8Array, from: number, to: number): number | typeof LONG | undefined {
  if (from === to) return undefined;
  let m = 0;
  let point = -1;
  for (let k = from; k < to; k++) {
    const c = body[k] as number;
    if (c === DOT) {
      if (point >= 0 || k === from || k === to - 1) return undefined;
      point = k;
      continue;
    }
    const d = c - ZERO;
    if (d < 0 || d > 9) return undefined;
    m = m * 10 + d;
  }
  if (m >= MAX_EXACT) return LONG;
  if (point < 0) return m;
  const decimals = to - point - 1;
  return decimals < POWERS_OF_TEN.length ? m / (POWERS_OF_TEN[decimals] as number) : LONG;
}

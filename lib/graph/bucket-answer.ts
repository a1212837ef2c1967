// The recorded below-total answer (`recording-rules.ts`: ~165,000 samples, 24.6 MB at 5,000 workloads) read
// straight from Prometheus' JSON bytes into bucket groups: no text decoded, no object per sample, one string per
// edge instead of one per sample. Prometheus writes that answer in one fixed shape; anything else (escapes,
// non-ASCII bytes, other labels, extra fields) is left to the generic parse — the result is then the same.
import { isAscii } from 'node:buffer';
import { type BucketGroup, type GatheredGroup, packBucketGroups } from './latency-cache';

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
  const gathered = gatherBucketsOfBody(body, label);
  return gathered && { groups: packGathered(gathered, label), samples: gathered.samples };
}

/** The gathered samples' groups, labelled `{ [label]: key }`, their buckets views of one array. */
export function packGathered(gathered: GatheredSamples, label: string): BucketGroup[] {
  const pairs = new Float64Array(2 * gathered.count);
  const starts = samplesByGroup(gathered, pairs);
  const groups: BucketGroup[] = new Array(gathered.keys.length);
  for (let g = 0; g < groups.length; g++)
    groups[g] = {
      labels: { [label]: gathered.keys[g] as string },
      buckets: pairs.subarray(starts[g], starts[g + 1]),
    };
  return groups;
}

/**
 * The kept samples of an answer read by `gatherBucketsOfBody`, in the body's order, in arrays reused from one
 * answer to the next (valid until the next call): no array, object or view per group, so a reading's buckets are
 * copied once, into the arrays the reading keeps (`groupBucketsOfBody`, or `completeGathered` for the below-total
 * series, completed as they are laid out).
 */
export interface GatheredSamples {
  /** Each group's key (its label's value), in the order its first kept sample comes. */
  keys: string[];
  /** The kept samples: `group[s]` is sample s's index in `keys`, `pairs[2s]` its bound and `pairs[2s + 1]` its rate. */
  group: Int32Array;
  pairs: Float64Array;
  /** Kept samples. */
  count: number;
  /** Samples read, kept or not. */
  samples: number;
}

/**
 * The most samples whose arrays are kept for the next answer (20 bytes a sample: 10 MB; a 5,000-workload mesh's
 * below-total answer has ~165,000). A bigger answer's arrays are its own, collected once it is laid out.
 */
export const GATHERED_SAMPLES_KEPT = 1 << 19;
const GATHERED_FIRST = 1 << 12;
let gatheredGroups = new Int32Array(GATHERED_FIRST);
let gatheredPairs = new Float64Array(2 * GATHERED_FIRST);

/** `groupBucketsOfBody`'s read of the body, its samples gathered (see `GatheredSamples`); undefined as it is. */
export function gatherBucketsOfBody(body: Buffer, label: string): GatheredSamples | undefined {
  const gathered = gather(body, label);
  // Grown past what is kept (read or refused): the arrays are this answer's alone.
  if (gatheredGroups.length > GATHERED_SAMPLES_KEPT) {
    gatheredGroups = new Int32Array(GATHERED_FIRST);
    gatheredPairs = new Float64Array(2 * GATHERED_FIRST);
  }
  return gathered;
}

function gather(body: Buffer, label: string): GatheredSamples | undefined {
  const start = ascii(`{"metric":{"${label}":"`);
  if (!startsWith(body, 0, PREFIX)) return undefined;
  // ASCII without escapes: every string ends at its next quote (found by indexOf, not byte by byte), and its
  // bytes are its characters. Control characters (which JSON does not allow raw in a string) are looked for
  // where a string is kept: a new group's key, a number not read by the fast path.
  if (!isAscii(body) || body.indexOf(BACKSLASH) >= 0) return undefined;
  let i = PREFIX.length;
  const keys: string[] = [];
  const byKey = new Map<string, number>();
  // Prometheus answers a `sum by` in the order of its input series, sorted by their labels: an edge's samples
  // come one after another, so most samples belong to the group of the one before (compared byte by byte).
  let prev = -1;
  let prevAt = 0;
  let prevLen = -1;
  let samples = 0;
  let count = 0;
  if (body[i] === 0x5d) i++;
  else
    for (;;) {
      if (!startsWith(body, i, start)) return undefined;
      const keyAt = i + start.length;
      // Most samples are of the group before: its key's bytes then a quote (no quote searched for).
      const same = prev >= 0 && body[keyAt + prevLen] === QUOTE && sameBytes(body, keyAt, prevAt, prevLen);
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
        if (!same) {
          const key = latin1(body, keyAt, keyEnd);
          let g = byKey.get(key);
          if (g === undefined) {
            if (CONTROL.test(key)) return undefined;
            g = keys.length;
            byKey.set(key, g);
            keys.push(key);
          }
          prev = g;
          prevAt = keyAt;
          prevLen = keyEnd - keyAt;
        }
        if (count === gatheredGroups.length) {
          gatheredGroups = grown(gatheredGroups, new Int32Array(2 * count));
          gatheredPairs = grown(gatheredPairs, new Float64Array(4 * count));
        }
        gatheredGroups[count] = prev;
        gatheredPairs[2 * count] = le;
        gatheredPairs[2 * count + 1] = value;
        count++;
      }

      if (body[i] === COMMA) i++;
      else if (body[i] === 0x5d) {
        i++;
        break;
      } else return undefined;
    }
  if (!answerEnds(body, i)) return undefined;
  return { keys, group: gatheredGroups, pairs: gatheredPairs, count, samples };
}

function grown<T extends Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/**
 * The gathered samples' pairs written to `to` group by group (in `keys`' order, each group's in the body's
 * order); answers where each group's pairs start in `to` (in numbers, not pairs), the last entry the end.
 */
export function samplesByGroup(gathered: GatheredSamples, to: Float64Array): Int32Array {
  const { keys, group, pairs, count } = gathered;
  const starts = new Int32Array(keys.length + 1);
  for (let s = 0; s < count; s++) {
    const g = (group[s] as number) + 1;
    starts[g] = (starts[g] as number) + 1;
  }
  for (let g = 0; g < keys.length; g++) starts[g + 1] = (starts[g + 1] as number) * 2 + (starts[g] as number);
  const next = starts.slice(0, keys.length);
  for (let s = 0; s < count; s++) {
    const g = group[s] as number;
    const at = next[g] as number;
    to[at] = pairs[2 * s] as number;
    to[at + 1] = pairs[2 * s + 1] as number;
    next[g] = at + 2;
  }
  return starts;
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
export const LONG = 'long';

/**
 * `digits[.digits]` whose digits make an integer below 2^53 with at most 22 after the point: that integer and
 * the power of ten are exact doubles, so one division is the correctly rounded value — what `Number` answers
 * (Clinger's fast path). `LONG`: `digits[.digits]` past that; anything else undefined.
 */
export function decimalOf(body: Uint8Array, from: number, to: number): number | typeof LONG | undefined {
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
  if (m >= MAX_EXACT) return longDecimal(body, from, to, point);
  if (point < 0) return m;
  const decimals = to - point - 1;
  return decimals < POWERS_OF_TEN.length ? m / (POWERS_OF_TEN[decimals] as number) : LONG;
}

/** 10^8: the low digits of a long decimal, read apart (`longDecimal`). */
const LOW_DIGITS = 8;
const LOW_SCALE = 10 ** LOW_DIGITS;
/** The high digits times 10^8 are exact below this (10^8 is 5^8 · 2^8, and 5^8 · this is 2^53). */
const MAX_HIGH = MAX_EXACT / 5 ** LOW_DIGITS;
/** Veltkamp's splitter for doubles: 2^27 + 1. */
const SPLITTER = 134_217_729;
/** How far from the rounding boundary a residual must be to be trusted (its own rounding is 2^-53 of it). */
const MARGIN = 1 - 2 ** -40;

/**
 * `digits[.digits]` whose integer of all digits is 2^53 or more (a rate's 17 digits), correctly rounded without
 * a string: a candidate from the digits, corrected once by its residual, then proved to be within half a unit in
 * the last place of the decimal (the residual computed exactly but for one last rounding, by Dekker's product of
 * the candidate and the exact power of ten). `LONG` (read by `Number`) when that cannot be proved: too many
 * digits, a residual too near the boundary (a tie, say), a candidate at a power of two.
 */
function longDecimal(body: Uint8Array, from: number, to: number, point: number): number | typeof LONG {
  const decimals = point < 0 ? 0 : to - point - 1;
  if (decimals >= POWERS_OF_TEN.length) return LONG;
  // The integer of every digit, m = high · 10^8 + low, both parts exact.
  let high = 0;
  let low = 0;
  let lowAt = to - LOW_DIGITS;
  if (point >= lowAt) lowAt--;
  for (let k = from; k < to; k++) {
    if (k === point) continue;
    const d = (body[k] as number) - ZERO;
    if (k < lowAt) high = high * 10 + d;
    else low = low * 10 + d;
  }
  if (high >= MAX_HIGH) return LONG;
  const scaled = high * LOW_SCALE;
  const power = POWERS_OF_TEN[decimals] as number;
  let y = (scaled + low) / power;
  for (let pass = 0; pass < 2; pass++) {
    const r = residual(y, power, scaled, low);
    // Half the unit in the last place of y (y is a normal double here: m ≥ 2^53, 10^d ≤ 10^22), in units of m.
    const half = halfUlpOf(y) * power;
    if (Math.abs(r) < half * MARGIN) return half === 0 ? LONG : y;
    if (pass === 0) y += r / power;
  }
  return LONG;
}

/**
 * m − y · 10^d for m = scaled + low (scaled exact, ~m; low < 10^8), rounded once: y · 10^d is p + e exactly
 * (Dekker), p an integer near m (≥ 2^53), so scaled − p (Sterbenz) and the sum with low are exact.
 */
function residual(y: number, power: number, scaled: number, low: number): number {
  const p = y * power;
  const yc = SPLITTER * y;
  const yh = yc - (yc - y);
  const yl = y - yh;
  const pc = SPLITTER * power;
  const ph = pc - (pc - power);
  const pl = power - ph;
  const e = yh * ph - p + yh * pl + yl * ph + yl * pl;
  return scaled - p + low - e;
}

const BITS = new Float64Array(1);
const WORDS = new Uint32Array(BITS.buffer);
/** Which of a double's two 32-bit words holds its sign and exponent (the second on a little-endian machine). */
const HIGH_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
/** 2^(e − 1076) for each biased exponent e: half the unit in the last place of a normal double with it. */
const HALF_ULPS = Float64Array.from({ length: 2048 }, (_, e) => 2 ** (e - 1076));

/**
 * Half the unit in the last place of a positive normal double; 0 for a power of two, whose unit below is half the
 * one above (the caller leaves it to `Number`).
 */
function halfUlpOf(y: number): number {
  BITS[0] = y;
  const high = WORDS[HIGH_WORD] as number;
  if ((high & 0xfffff) === 0 && WORDS[1 - HIGH_WORD] === 0) return 0;
  return HALF_ULPS[(high >>> 20) & 0x7ff] as number;
}

const METRIC_START = ascii('{"metric":{');
const LE_NAME = ascii('le');

/**
 * `groupBuckets(samples)` (and how many samples there were) of an answer whose samples have any labels, one of
 * them `le`, in the same order (Prometheus sorts them by name) — the dense recorded series averaged over a
 * window the rules do not record, or the raw histogram (~300,000 samples of seven labels, ~85 MB at 5,000
 * workloads): read from the body's bytes, no object per sample, a group's labels made once. A sample's group is
 * found by a hash of its label values but `le`, checked byte by byte against the group's first sample. Undefined
 * when the body is not that shape (the caller parses it the generic way), or a sample has no `le`.
 */
export function groupLabelledBucketsOfBody(
  body: Buffer,
): { groups: BucketGroup[]; samples: number } | undefined {
  if (!startsWith(body, 0, PREFIX)) return undefined;
  // ASCII without escapes: every string ends at its next quote, and its bytes are its characters.
  if (!isAscii(body) || body.indexOf(BACKSLASH) >= 0) return undefined;
  const read = new LabelledSamples();
  let i = PREFIX.length;
  if (body[i] === 0x5d) i++;
  else
    for (;;) {
      const next = read.sample(body, i);
      if (next < 0) return undefined;
      i = next + 1;
      if (body[next] === 0x5d) break;
    }
  return answerEnds(body, i) ? { groups: packBucketGroups(read.groups), samples: read.samples } : undefined;
}

/** The groups of `groupLabelledBucketsOfBody`, a sample at a time. */
class LabelledSamples {
  readonly groups: GatheredGroup[] = [];
  // Each group's key bytes as two spans of the body (before `le`'s pair, after it), by a hash of its values.
  private readonly byHash = new Map<number, KeyedGroup | KeyedGroup[]>();
  samples = 0;

  /**
   * Reads the sample at `i` and keeps it: the index of the separator after it (`,` or `]`); -1 when it is not
   * the shape read here.
   */
  sample(body: Buffer, i: number): number {
    const n = body.length;
    if (!startsWith(body, i, METRIC_START)) return -1;
    const keyAt = i + METRIC_START.length;
    // The label pairs `"name":"value"`, comma-separated, to the `}`: where `le`'s pair is, and a hash of the
    // other values (the names are checked when a group is made: a sample of a group has its names).
    let k = keyAt;
    let hash = 0x811c9dc5;
    let leAt = -1;
    let leEnd = -1;
    let pairAt = -1;
    let pairEnd = -1;
    if (body[k] !== QUOTE) return -1;
    for (;;) {
      const nameAt = k + 1;
      let q = nameAt;
      while (q < n && body[q] !== QUOTE) q++;
      if (body[q + 1] !== 0x3a || body[q + 2] !== QUOTE) return -1;
      let v = q + 3;
      if (q - nameAt === 2 && body[nameAt] === LE_NAME[0] && body[nameAt + 1] === LE_NAME[1]) {
        if (leAt >= 0) return -1;
        leAt = v;
        while (v < n && body[v] !== QUOTE) v++;
        leEnd = v;
        pairAt = k;
        pairEnd = v + 1;
      } else {
        for (; v < n; v++) {
          const c = body[v] as number;
          if (c === QUOTE) break;
          hash = Math.imul(hash ^ c, 0x01000193);
        }
        hash = Math.imul(hash ^ QUOTE, 0x01000193);
      }
      if (v >= n) return -1;
      k = v + 1;
      if (body[k] === COMMA && body[k + 1] === QUOTE) k++;
      else break;
    }
    if (body[k] !== 0x7d || leAt < 0) return -1;
    const keyEnd = k;
    const end = sampleEnd(body, k - 1);
    if (end < 0 || (body[end] !== COMMA && body[end] !== 0x5d)) return -1;

    const le = leOf(body, leAt, leEnd);
    const value = sampleValue(body, valueSpan.at, valueSpan.end);
    if (le === undefined || value === undefined) return -1;
    if (!Number.isNaN(le) && Number.isFinite(value)) {
      const found = this.byHash.get(hash);
      let g: KeyedGroup | undefined;
      if (found !== undefined) {
        if (!Array.isArray(found)) {
          if (sameKey(body, found, keyAt, pairAt, pairEnd, keyEnd)) g = found;
        } else
          for (const c of found)
            if (sameKey(body, c, keyAt, pairAt, pairEnd, keyEnd)) {
              g = c;
              break;
            }
      }
      if (!g) {
        const labels = namesSorted(body, keyAt, keyEnd)
          ? labelsOf(body, keyAt, pairAt, pairEnd, keyEnd)
          : undefined;
        if (!labels) return -1;
        g = { labels, pairs: [], at: keyAt, pairAt, pairEnd, end: keyEnd };
        if (found === undefined) this.byHash.set(hash, g);
        else if (Array.isArray(found)) found.push(g);
        else this.byHash.set(hash, [found, g]);
        this.groups.push(g);
      }
      g.pairs.push(le, value);
    }
    this.samples++;
    return end;
  }
}

/**
 * A group and where its first sample's labels are in the body: from `at` to `end` (the `}`), but the `le` pair
 * `pairAt`..`pairEnd`.
 */
interface KeyedGroup extends GatheredGroup {
  at: number;
  pairAt: number;
  pairEnd: number;
  end: number;
}

/** Whether a sample's labels but `le` are the group's bytes (so the same names and values, in the same order). */
function sameKey(
  body: Buffer,
  g: KeyedGroup,
  at: number,
  pairAt: number,
  pairEnd: number,
  end: number,
): boolean {
  return (
    g.pairAt - g.at === pairAt - at &&
    g.end - g.pairEnd === end - pairEnd &&
    sameBytes(body, g.at, at, pairAt - at) &&
    sameBytes(body, g.pairEnd, pairEnd, end - pairEnd)
  );
}

/**
 * Whether the label names of the metric `at`..`end` (`"name":"value"` pairs, no quote inside) are in Prometheus'
 * order: sorted, each once. Then a sample with a group's bytes but `le` has `le` at the same place.
 */
function namesSorted(body: Buffer, at: number, end: number): boolean {
  let prevAt = -1;
  let prevEnd = -1;
  let k = at;
  while (k < end) {
    const nameAt = k + 1;
    const nameEnd = quoteAfter(body, nameAt);
    if (prevAt >= 0 && !bytesBefore(body, prevAt, prevEnd, nameAt, nameEnd)) return false;
    prevAt = nameAt;
    prevEnd = nameEnd;
    k = quoteAfter(body, nameEnd + 3) + 2;
  }
  return true;
}

/** Whether the bytes `a`..`aEnd` sort strictly before `b`..`bEnd`. */
function bytesBefore(body: Buffer, a: number, aEnd: number, b: number, bEnd: number): boolean {
  const n = Math.min(aEnd - a, bEnd - b);
  for (let k = 0; k < n; k++) {
    const x = body[a + k] as number;
    const y = body[b + k] as number;
    if (x !== y) return x < y;
  }
  return aEnd - a < bEnd - b;
}

/** The labels but `le` of a sample, as `JSON.parse` and `groupBuckets` make them; undefined: a control character. */
function labelsOf(
  body: Buffer,
  at: number,
  pairAt: number,
  pairEnd: number,
  end: number,
): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  const pairs = latin1(body, at, pairAt) + latin1(body, pairEnd, end);
  if (CONTROL.test(pairs)) return undefined;
  // Each pair is `"name":"value"` with no quote inside (checked by the caller), separated by commas.
  const parts = pairs.split('"');
  for (let p = 1; p + 2 < parts.length; p += 4) {
    const name = parts[p] as string;
    // JSON.parse makes `__proto__` an own property; an assignment would set the prototype.
    if (name === '__proto__') return undefined;
    labels[name] = parts[p + 2] as string;
  }
  return labels;
}

// The request rates' answer (`joinedRequestRateQuery`: ~31,000 samples, 9.8 MB at 5,000 workloads; every graph,
// polled too, reads it) split straight from Prometheus' JSON bytes, as `bucket-answer.ts` reads the below-total
// answer: no text decoded, no object per sample but the `Sample` the graph keeps, one string per series (its joined
// labels, the key of the kept split, `splitJoinedRequest`), numbers by the fast path. Prometheus writes the answer
// of a `sum by (request)` in one fixed shape; anything else (escapes, non-ASCII bytes, other labels or fields, raw
// control characters) is left to the generic parse and `splitJoinedRequests` — the samples are then the same.
import { isAscii } from 'node:buffer';
import {
  answerEnds,
  ascii,
  CONTROL,
  PREFIX,
  sampleEnd,
  sampleValue,
  startsWith,
  valueSpan,
} from './bucket-answer';
import { REQUEST_JOINED, splitJoinedRequest } from './promql';
import { destinationOnlyCallersOf, type Sample, type SeriesKeys, seriesKeysOf } from './series';

/**
 * The last answer read, kept until the next one: its bytes, where each series' joined labels lie in them and
 * what they split into. A graph polled again reads the same series in the same order (only the rates move), so
 * a series whose bytes are those at the same place in the last answer takes its labels object from there: no
 * string made, no memo looked up by a ~400-character key. One answer (bounded by `MESHLENS_PROMETHEUS_MAX_BYTES`).
 */
interface KeptAnswer {
  body: Buffer;
  /** `keyAt[n]`, `keyEnd[n]`: where series n's joined labels lie in `body`. */
  keyAt: number[];
  keyEnd: number[];
  labels: Readonly<Record<string, string>>[];
  /** What else the graph reads of each series' labels (`seriesKeysOf`). */
  keys: SeriesKeys[];
  /** The namespaces the series name (`namespacesOf`), once asked for. */
  namespaces?: readonly string[];
  /** Each labels object's place, made when a series is not where it was (one came or went). */
  placeOf?: Map<Readonly<Record<string, string>>, number>;
}
let kept: KeptAnswer | undefined;
/**
 * The two buffers the last answer's bytes are copied into, in turn: an answer's own buffer, kept until the
 * next one, would die in the old generation each time (its ~10 MB freed only by a full collection).
 */
const copies: (Buffer | undefined)[] = [undefined, undefined];
let turn = 0;

/**
 * The body's bytes in the copy the last answer is not in: sized to the body and 1/64 more, shrunk when far
 * larger. The same view at another time (a cold graph, each at its own second) answers a few hundred bytes more
 * or less (its rates' digits): a copy sized to the byte was made anew for 12 of 39 such answers (the bench's
 * kept data, 5,000 workloads), and each 10 MB copy dropped waited in the old generation for a full collection.
 */
function keptCopy(body: Buffer): Buffer {
  turn ^= 1;
  const copy = sizedCopy(turn, body.length);
  body.copy(copy, 0, 0, body.length);
  return copy;
}

/** Copy `t`, at least `length` bytes (made anew as `keptCopy` says). */
function sizedCopy(t: number, length: number): Buffer {
  let copy = copies[t];
  if (copy === undefined || copy.length < length || copy.length > 2 * length + 65_536) {
    copy = Buffer.allocUnsafeSlow(length + (length >> 6));
    copies[t] = copy;
  }
  return copy;
}

const START = ascii(`{"metric":{"${REQUEST_JOINED}":"`);
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;

/**
 * The answers of the source reporter's and the destination reporter's joined rates (read as two queries at once:
 * Prometheus evaluates each on a core of its own) read as the one answer of the two queries joined by `or`: the
 * first's series, then the second's — what `or` answers, as the two never share a series (the reporter is the
 * first label joined). Undefined when either is not of the one shape (the caller parses both). The two are joined
 * straight into the copy the last answer is not in, which is then kept as it is (one ~10 MB copy at 5,000
 * workloads, not a joined buffer copied again). Joined and read in one go: nothing runs in between.
 */
export function requestSamplesOfAnswers(first: Buffer, second: Buffer): RequestsOfBody | undefined {
  const a = resultEnd(first);
  const b = resultEnd(second);
  if (a === undefined || b === undefined) return undefined;
  if (a === PREFIX.length) return requestSamplesOfBody(second);
  if (b === PREFIX.length) return requestSamplesOfBody(first);
  const { body, keep } = joined(first, a, second);
  return readBody(body, keep);
}

/**
 * The two answers joined in the copy the last answer is not in (the first's series, `,`, the second's, its end):
 * `keep` makes it the kept copy.
 */
function joined(first: Buffer, a: number, second: Buffer): { body: Buffer; keep: () => Buffer } {
  const length = a + 1 + second.length - PREFIX.length;
  const free = turn ^ 1;
  const copy = sizedCopy(free, length);
  first.copy(copy, 0, 0, a);
  copy[a] = COMMA;
  second.copy(copy, a + 1, PREFIX.length);
  return {
    body: copy.subarray(0, length),
    keep: () => {
      turn = free;
      return copy;
    },
  };
}

/**
 * The source reporter's answer read as it lands, while the destination reporter's is still being answered (the
 * two land tens of milliseconds apart): `finishJoinedRead` then reads only the destination's series — what
 * `requestSamplesOfAnswers` gives for the two, with the same one copy. `read` undefined: nothing read ahead.
 */
export interface BegunRead {
  first: Buffer;
  /** Where the first answer's result array closes (its `]`). */
  end: number;
  read?: SamplesRead;
}

export function beginJoinedRead(first: Buffer): BegunRead {
  const a = resultEnd(first);
  if (a === undefined || a === PREFIX.length || !isAscii(first) || first.indexOf(BACKSLASH) >= 0)
    return { first, end: -1 };
  const read = newRead();
  return readSamples(read, first, PREFIX.length) === a + 1 ? { first, end: a, read } : { first, end: -1 };
}

/**
 * `requestSamplesOfAnswers(begun.first, second)`, the first's series read already: the two joined into the copy
 * the last answer is not in and the read resumed after the first's series. Read in one go as that does when the
 * first could not be read ahead, when another answer was kept since (the series were compared with the one before
 * it, whose buffer this copy may be) or when the second is empty.
 */
export function finishJoinedRead(begun: BegunRead, second: Buffer): RequestsOfBody | undefined {
  const { first, read, end: a } = begun;
  const b = resultEnd(second);
  if (read === undefined || read.last !== kept || !read.split || b === undefined || b === PREFIX.length)
    return requestSamplesOfAnswers(first, second);
  if (!isAscii(second) || second.indexOf(BACKSLASH) >= 0) return undefined;
  const { body, keep } = joined(first, a, second);
  const i = readSamples(read, body, a + 1);
  if (i === undefined || !answerEnds(body, i)) return undefined;
  return readDone(read, keep);
}

/** Where the result array of an answer of the one shape closes (its `]`, before `}}` and white space). */
function resultEnd(body: Buffer): number | undefined {
  if (!startsWith(body, 0, PREFIX)) return undefined;
  let e = body.length;
  while (e > 0 && (body[e - 1] === 0x0a || body[e - 1] === 0x0d || body[e - 1] === 0x20)) e--;
  const close = e - 3;
  if (close < PREFIX.length || body[close] !== 0x5d || !answerEnds(body, close + 1)) return undefined;
  // Not a `]` that closes something else (an empty answer is `[]`, a sample ends `"]}`).
  return close === PREFIX.length || body[close - 1] === 0x7d ? close : undefined;
}

/** The request samples, and the callers only their destination reports (`destinationOnlyCallers`) of them. */
export type RequestsOfBody =
  | {
      samples: Sample[];
      callers: () => string[];
      /** `namespacesOf(samples)`: of the answer before when its series are these, in this order. */
      namespaces: () => string[];
    }
  /** A value does not split. */
  | { samples: undefined };

/**
 * What `splitJoinedRequests(samplesOfAnswer(JSON.parse(body)))` gives, read from the body's bytes: `samples`
 * undefined when a value does not split (the caller asks for the labelled series, as after the parse).
 * Undefined when the body is not exactly the shape Prometheus writes (the caller parses it the generic way).
 */
export function requestSamplesOfBody(body: Buffer): RequestsOfBody | undefined {
  return readBody(body, () => keptCopy(body));
}

/** `requestSamplesOfBody`: `keep` gives the buffer the answer is kept in (its bytes the body's from 0). */
function readBody(body: Buffer, keep: () => Buffer): RequestsOfBody | undefined {
  if (!startsWith(body, 0, PREFIX)) return undefined;
  // ASCII without escapes: every string ends at its next quote, and its bytes are its characters.
  if (!isAscii(body) || body.indexOf(BACKSLASH) >= 0) return undefined;
  const read = newRead();
  let i = PREFIX.length;
  if (body[i] === 0x5d) i++;
  else {
    const end = readSamples(read, body, i);
    if (end === undefined) return undefined;
    i = end;
  }
  if (!answerEnds(body, i)) return undefined;
  return readDone(read, keep);
}

/** A read of an answer's samples under way: what it found so far, compared with the last answer's. */
interface SamplesRead {
  samples: Sample[];
  keys: SeriesKeys[];
  keyAts: number[];
  keyEnds: number[];
  /** The answer kept when the read began, its series compared with. */
  last: KeptAnswer | undefined;
  /** The series of the last answer the next one is compared with. */
  next: number;
  /** Every series so far at its place in the last answer (its namespaces then are those of the last answer). */
  inPlace: boolean;
  split: boolean;
}

function newRead(): SamplesRead {
  const last = kept;
  return {
    samples: [],
    keys: [],
    keyAts: [],
    keyEnds: [],
    last,
    next: 0,
    inPlace: last !== undefined,
    split: true,
  };
}

/**
 * Reads the samples from `i` (the first's `{`) to the `]` that closes the result: the place after it, undefined
 * when the bytes are not the one shape.
 */
function readSamples(read: SamplesRead, body: Buffer, i: number): number | undefined {
  const { samples, keys, keyAts, keyEnds, last } = read;
  let { next, inPlace, split } = read;
  for (;;) {
    if (!startsWith(body, i, START)) return undefined;
    const keyAt = i + START.length;
    const keyEnd = body.indexOf(QUOTE, keyAt);
    if (keyEnd < 0) return undefined;
    i = sampleEnd(body, keyEnd);
    if (i < 0) return undefined;
    const value = sampleValue(body, valueSpan.at, valueSpan.end);
    if (value === undefined) return undefined;
    if (
      split &&
      last !== undefined &&
      next < last.labels.length &&
      sameKey(body, keyAt, keyEnd, last, next)
    ) {
      // Bytes read and checked before (no control character): the labels they split into.
      samples.push({ labels: last.labels[next] as Readonly<Record<string, string>>, value });
      keys.push(last.keys[next] as SeriesKeys);
      inPlace &&= next === samples.length - 1;
      next++;
    } else {
      const joined = body.toString('latin1', keyAt, keyEnd);
      // JSON allows no raw control character in a string (the parse would refuse the answer).
      if (CONTROL.test(joined)) return undefined;
      if (split) {
        const labels = splitJoinedRequest(joined);
        if (labels) {
          samples.push({ labels, value });
          keys.push(seriesKeysOf(labels));
          inPlace = false;
          // Compare the next series with the one after this one's place in the last answer.
          if (last !== undefined) {
            last.placeOf ??= placesOf(last.labels);
            const place = last.placeOf.get(labels);
            if (place !== undefined) next = place + 1;
          }
        }
        // Read on to the end: a body that is not the shape is the parse's to answer (an error, say).
        else split = false;
      }
    }
    keyAts.push(keyAt);
    keyEnds.push(keyEnd);
    if (body[i] === COMMA) i++;
    else if (body[i] === 0x5d) {
      read.next = next;
      read.inPlace = inPlace;
      read.split = split;
      return i + 1;
    } else return undefined;
  }
}

/** The read's samples, its answer kept (in the buffer `keep` gives) for the next read to compare with. */
function readDone(read: SamplesRead, keep: () => Buffer): RequestsOfBody {
  if (!read.split) return { samples: undefined };
  const { samples, keys, last } = read;
  const answer: KeptAnswer = {
    body: keep(),
    keyAt: read.keyAts,
    keyEnd: read.keyEnds,
    labels: samples.map((s) => s.labels),
    keys,
  };
  // The same series in the same order: the same namespaces.
  if (read.inPlace && last !== undefined && last.labels.length === samples.length)
    answer.namespaces = last.namespaces;
  kept = answer;
  return {
    samples,
    callers: () => destinationOnlyCallersOf(samples, keys),
    namespaces: () => {
      answer.namespaces ??= namespacesOfKeys(keys);
      return [...answer.namespaces];
    },
  };
}

function namespacesOfKeys(keys: readonly SeriesKeys[]): string[] {
  const out = new Set<string>();
  for (const k of keys) for (const ns of k.namespaces) out.add(ns);
  return [...out].sort();
}

function sameKey(body: Buffer, at: number, end: number, last: KeptAnswer, n: number): boolean {
  const lastAt = last.keyAt[n] as number;
  const lastEnd = last.keyEnd[n] as number;
  return lastEnd - lastAt === end - at && body.compare(last.body, lastAt, lastEnd, at, end) === 0;
}

function placesOf(
  labels: readonly Readonly<Record<string, string>>[],
): Map<Readonly<Record<string, string>>, number> {
  const places = new Map<Readonly<Record<string, string>>, number>();
  for (let n = 0; n < labels.length; n++) places.set(labels[n] as Readonly<Record<string, string>>, n);
  return places;
}

/** Forgets the last answer read (tests). */
export function forgetKeptRatesAnswer(): void {
  kept = undefined;
}

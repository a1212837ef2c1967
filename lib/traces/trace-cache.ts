// Recently read trace answers (Jaeger's text, unparsed), shared by the trace page's server prefetch and the
// trace routes: a trace too big to embed in the page is fetched by the browser right after, and must cost
// Jaeger no second read and the server no parse.
import 'server-only';
import type { JaegerResult } from '@/lib/jaeger/client';
import type { Trace } from '@/lib/jaeger/model';
import { readTraceAnswer, type TraceAnswer } from '@/lib/jaeger/trace-answer';
import { jaeger } from './server';

/** How long a read trace is served from memory (env `MESHLENS_TRACE_CACHE_TTL_MS`). */
export const TRACE_CACHE_TTL_MS = 10_000;
/** Bytes of answers kept in memory at most, over all cached traces (env `MESHLENS_TRACE_CACHE_MAX_BYTES`). */
export const TRACE_CACHE_MAX_BYTES = 256 * 2 ** 20;

/**
 * Answers above this many bytes go to the browser uncompressed (env `MESHLENS_TRACE_COMPRESS_MAX_BYTES`):
 * gzip costs the server about a second of CPU per 46 MiB (100,000 spans), more than sending it on a LAN.
 */
export const TRACE_COMPRESS_MAX_BYTES = 4 * 2 ** 20;

export function traceCompressMaxBytes(): number {
  return envNumber('MESHLENS_TRACE_COMPRESS_MAX_BYTES', TRACE_COMPRESS_MAX_BYTES);
}

function envNumber(name: string, fallback: number): number {
  const text = process.env[name];
  const n = Number(text);
  return text !== undefined && text !== '' && Number.isFinite(n) && n >= 0 ? n : fallback;
}

interface Entry {
  result: Promise<JaegerResult<TraceAnswer>>;
  expires: number;
  bytes: number;
  /** The most that is known of the answer's size while it arrives (declared length or bytes so far). */
  seen: number;
  /** Who waits to learn whether the answer passes a size (`TraceAnswerRead.exceeds`). */
  waiters: { limit: number; resolve: (exceeds: boolean) => void }[];
}
const cache = new Map<string, Entry>();

function evict(now: number, maxBytes: number): void {
  let total = 0;
  for (const [id, e] of cache) {
    if (e.expires <= now) cache.delete(id);
    else total += e.bytes;
  }
  // Oldest first (Map keeps insertion order).
  for (const [id, e] of cache) {
    if (total <= maxBytes) break;
    cache.delete(id);
    total -= e.bytes;
  }
}

/** The trace's answer by canonical id: from memory when read within the TTL (or being read now), else from Jaeger. */
export function getTraceAnswerCached(traceId: string): Promise<JaegerResult<TraceAnswer>> {
  return entryFor(traceId).result;
}

function entryFor(traceId: string): Entry {
  const now = Date.now();
  const ttl = envNumber('MESHLENS_TRACE_CACHE_TTL_MS', TRACE_CACHE_TTL_MS);
  const maxBytes = envNumber('MESHLENS_TRACE_CACHE_MAX_BYTES', TRACE_CACHE_MAX_BYTES);
  const hit = cache.get(traceId);
  if (hit && hit.expires > now) return hit;
  const entry: Entry = {
    result: Promise.resolve({ ok: false, error: { kind: 'unavailable', message: 'not read yet' } }),
    expires: now + ttl,
    bytes: 0,
    seen: 0,
    waiters: [],
  };
  const settle = (exceeds: (limit: number) => boolean | undefined) => {
    entry.waiters = entry.waiters.filter((w) => {
      const answer = exceeds(w.limit);
      if (answer !== undefined) w.resolve(answer);
      return answer === undefined;
    });
  };
  entry.result = jaeger().getTraceAnswer(traceId, (received, declared) => {
    entry.seen = Math.max(received, declared ?? 0);
    settle((limit) => (entry.seen > limit ? true : undefined));
  });
  cache.set(traceId, entry);
  void entry.result.then((r) => {
    // Failures are not kept: the next read asks Jaeger again.
    if (!r.ok) cache.delete(traceId);
    else entry.bytes = r.value.bytes.byteLength;
    entry.seen = entry.bytes;
    settle((limit) => entry.bytes > limit);
    evict(Date.now(), maxBytes);
  });
  return entry;
}

/** A trace's answer being read (or read): its result, and whether it is longer than a size. */
export interface TraceAnswerRead {
  result: Promise<JaegerResult<TraceAnswer>>;
  /**
   * Whether the answer is longer than `limit` bytes: known at its headers when Jaeger declares its length,
   * else as soon as that many bytes arrived, else once read (a failed read is not longer).
   */
  exceeds(limit: number): Promise<boolean>;
}

export function readTraceAnswerCached(traceId: string): TraceAnswerRead {
  const entry = entryFor(traceId);
  return {
    result: entry.result,
    exceeds: (limit) => {
      if (entry.seen > limit) return Promise.resolve(true);
      return new Promise((resolve) => {
        entry.waiters.push({ limit, resolve });
        // Already read (a cache hit): decided now.
        void entry.result.then(() => {
          const i = entry.waiters.findIndex((w) => w.resolve === resolve);
          if (i >= 0) {
            entry.waiters.splice(i, 1);
            resolve(entry.bytes > limit);
          }
        });
      });
    },
  };
}

/** The trace read (leniently, as `JaegerClient.getTrace` does) from its cached answer. */
export async function getTraceCached(traceId: string): Promise<JaegerResult<Trace>> {
  const answer = await getTraceAnswerCached(traceId);
  return answer.ok ? readTraceAnswer(answer.value) : answer;
}

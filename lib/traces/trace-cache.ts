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
  const now = Date.now();
  const ttl = envNumber('MESHLENS_TRACE_CACHE_TTL_MS', TRACE_CACHE_TTL_MS);
  const maxBytes = envNumber('MESHLENS_TRACE_CACHE_MAX_BYTES', TRACE_CACHE_MAX_BYTES);
  const hit = cache.get(traceId);
  if (hit && hit.expires > now) return hit.result;
  const entry: Entry = { result: jaeger().getTraceAnswer(traceId), expires: now + ttl, bytes: 0 };
  cache.set(traceId, entry);
  void entry.result.then((r) => {
    // Failures are not kept: the next read asks Jaeger again.
    if (!r.ok) cache.delete(traceId);
    else entry.bytes = r.value.bytes.byteLength;
    evict(Date.now(), maxBytes);
  });
  return entry.result;
}

/** The trace read (leniently, as `JaegerClient.getTrace` does) from its cached answer. */
export async function getTraceCached(traceId: string): Promise<JaegerResult<Trace>> {
  const answer = await getTraceAnswerCached(traceId);
  return answer.ok ? readTraceAnswer(answer.value) : answer;
}

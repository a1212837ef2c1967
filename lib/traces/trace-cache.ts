// Recently read traces, shared by the trace page's server prefetch and GET /api/traces/{id}: a trace too
// big to embed in the page is fetched by the browser right after, and must not cost Jaeger a second read.
import 'server-only';
import type { JaegerResult } from '@/lib/jaeger/client';
import type { Trace } from '@/lib/jaeger/model';
import { jaeger } from './server';

/** How long a read trace is served from memory (env `MESHLENS_TRACE_CACHE_TTL_MS`). */
export const TRACE_CACHE_TTL_MS = 10_000;
/** Spans kept in memory at most, over all cached traces (env `MESHLENS_TRACE_CACHE_MAX_SPANS`). */
export const TRACE_CACHE_MAX_SPANS = 300_000;

function envNumber(name: string, fallback: number): number {
  const n = Number(process.env[name]);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

interface Entry {
  result: Promise<JaegerResult<Trace>>;
  expires: number;
  spans: number;
}
const cache = new Map<string, Entry>();

function evict(now: number, maxSpans: number): void {
  let total = 0;
  for (const [id, e] of cache) {
    if (e.expires <= now) cache.delete(id);
    else total += e.spans;
  }
  // Oldest first (Map keeps insertion order).
  for (const [id, e] of cache) {
    if (total <= maxSpans) break;
    cache.delete(id);
    total -= e.spans;
  }
}

/** The trace by canonical id: from memory when read within the TTL (or being read now), else from Jaeger. */
export function getTraceCached(traceId: string): Promise<JaegerResult<Trace>> {
  const now = Date.now();
  const ttl = envNumber('MESHLENS_TRACE_CACHE_TTL_MS', TRACE_CACHE_TTL_MS);
  const maxSpans = envNumber('MESHLENS_TRACE_CACHE_MAX_SPANS', TRACE_CACHE_MAX_SPANS);
  const hit = cache.get(traceId);
  if (hit && hit.expires > now) return hit.result;
  const entry: Entry = { result: jaeger().getTrace(traceId), expires: now + ttl, spans: 0 };
  cache.set(traceId, entry);
  void entry.result.then((r) => {
    // Failures are not kept: the next read asks Jaeger again.
    if (!r.ok) cache.delete(traceId);
    else entry.spans = r.value.spans.length;
    evict(Date.now(), maxSpans);
  });
  return entry.result;
}

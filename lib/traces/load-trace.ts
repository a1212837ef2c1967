// One trace for a server component's prefetch: the same answer as GET /api/traces/{traceId}.
import 'server-only';
import { parseTraceId } from '@/lib/jaeger/trace-id';
import type { TraceResponse } from './api-types';
import { jaegerApiError } from './jaeger-errors';
import { getTraceCached } from './trace-cache';

/**
 * Traces above this many spans are not embedded in the page (env `MESHLENS_TRACE_PREFETCH_MAX_SPANS`): the
 * page's payload would carry a second copy of a huge trace; the browser fetches it as JSON instead.
 */
export const PREFETCH_MAX_SPANS = 5_000;

/** Throws on failure: a failed prefetch is not handed to the page, whose own fetch then shows the error. */
export async function loadTrace(traceId: string): Promise<TraceResponse> {
  const id = parseTraceId(traceId);
  if (!id.ok) throw new Error(`not a trace id: ${id.error}`);
  const result = await getTraceCached(id.id);
  if (!result.ok) throw new Error(jaegerApiError(result.error).message);
  const env = Number(process.env.MESHLENS_TRACE_PREFETCH_MAX_SPANS);
  const max = Number.isFinite(env) && env >= 0 ? env : PREFETCH_MAX_SPANS;
  if (result.value.spans.length > max)
    throw new Error('too big to embed in the page; fetched by the browser');
  return { trace: result.value };
}

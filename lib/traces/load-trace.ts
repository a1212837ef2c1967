// One trace for a server component's prefetch: the same answer as GET /api/traces/{traceId}, but only for a
// trace small enough to embed in the page; a bigger one is left to the browser, which reads Jaeger's bytes.
import 'server-only';
import { readTraceAnswer } from '@/lib/jaeger/trace-answer';
import { parseTraceId } from '@/lib/jaeger/trace-id';
import type { TraceResponse } from './api-types';
import { jaegerApiError } from './jaeger-errors';
import { readTraceAnswerCached } from './trace-cache';

/**
 * Answers above this many bytes are not embedded in the page (env `MESHLENS_TRACE_PREFETCH_MAX_BYTES`): the
 * page's payload would carry a second copy of a huge trace, and the server would parse it only to
 * serialise it again; the page preloads Jaeger's bytes for the browser to read instead.
 */
export const PREFETCH_MAX_BYTES = 1024 * 1024;

export function prefetchMaxBytes(): number {
  const env = Number(process.env.MESHLENS_TRACE_PREFETCH_MAX_BYTES);
  return process.env.MESHLENS_TRACE_PREFETCH_MAX_BYTES && Number.isFinite(env) && env >= 0
    ? env
    : PREFETCH_MAX_BYTES;
}

/** Throws on failure: a failed prefetch is not handed to the page, whose own fetch then shows the error. */
export async function loadTrace(traceId: string): Promise<TraceResponse> {
  const id = parseTraceId(traceId);
  if (!id.ok) throw new Error(`not a trace id: ${id.error}`);
  // Decided as the answer arrives: the page's HTML does not wait for the last byte of a big trace.
  const read = readTraceAnswerCached(id.id);
  if (await read.exceeds(prefetchMaxBytes())) {
    throw new Error('too big to embed in the page; read by the browser');
  }
  const answer = await read.result;
  if (!answer.ok) throw new Error(jaegerApiError(answer.error).message);
  const result = readTraceAnswer(answer.value);
  if (!result.ok) throw new Error(jaegerApiError(result.error).message);
  return { trace: result.value };
}

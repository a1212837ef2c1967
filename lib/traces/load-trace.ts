// One trace for a server component's prefetch: the same answer as GET /api/traces/{traceId}.
import 'server-only';
import { parseTraceId } from '@/lib/jaeger/trace-id';
import type { TraceResponse } from './api-types';
import { jaegerApiError } from './jaeger-errors';
import { jaeger } from './server';

/** Throws on failure: a failed prefetch is not handed to the page, whose own fetch then shows the error. */
export async function loadTrace(traceId: string): Promise<TraceResponse> {
  const id = parseTraceId(traceId);
  if (!id.ok) throw new Error(`not a trace id: ${id.error}`);
  const result = await jaeger().getTrace(id.id);
  if (!result.ok) throw new Error(jaegerApiError(result.error).message);
  return { trace: result.value };
}

// GET /api/traces/{traceId} — one trace in Jaeger's JSON model.

import { answerError, answerInvalid, answerJson } from '@/lib/http/answer';
import { parseTraceId } from '@/lib/jaeger/trace-id';
import type { TraceResponse } from '@/lib/traces/api-types';
import { jaegerApiError } from '@/lib/traces/jaeger-errors';
import { getTraceCached } from '@/lib/traces/trace-cache';

export const dynamic = 'force-dynamic';

export async function GET(
  _request: Request,
  ctx: { params: Promise<{ traceId: string }> },
): Promise<Response> {
  const id = parseTraceId((await ctx.params).traceId);
  if (!id.ok) return answerInvalid(`not a trace id: ${id.error}`);
  const result = await getTraceCached(id.id);
  return result.ok
    ? answerJson({ trace: result.value } satisfies TraceResponse)
    : answerError(jaegerApiError(result.error));
}

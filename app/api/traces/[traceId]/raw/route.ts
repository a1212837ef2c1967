// GET /api/traces/{traceId}/raw — the trace's answer as Jaeger wrote it (v1 `{data: [trace]}` or v3 OTLP under
// `result`, named by `x-jaeger-api`), passed through unparsed; the browser reads it leniently itself
// (`readTraceAnswerBody`), so a 100,000-span trace costs the server no parse and no serialisation.
import { answerError, answerInvalid } from '@/lib/http/answer';
import { parseTraceId } from '@/lib/jaeger/trace-id';
import { jaegerApiError } from '@/lib/traces/jaeger-errors';
import { getTraceAnswerCached, traceCompressMaxBytes } from '@/lib/traces/trace-cache';

export const dynamic = 'force-dynamic';

export async function GET(
  _request: Request,
  ctx: { params: Promise<{ traceId: string }> },
): Promise<Response> {
  const id = parseTraceId((await ctx.params).traceId);
  if (!id.ok) return answerInvalid(`not a trace id: ${id.error}`);
  const result = await getTraceAnswerCached(id.id);
  if (!result.ok) return answerError(jaegerApiError(result.error));
  const { bytes, api } = result.value;
  return new Response(bytes, {
    headers: {
      'content-type': 'application/json',
      // `no-transform` keeps Next's gzip off a big answer: a second of server CPU for 46 MiB.
      'cache-control': bytes.byteLength > traceCompressMaxBytes() ? 'no-store, no-transform' : 'no-store',
      'x-content-type-options': 'nosniff',
      'x-jaeger-api': api,
    },
  });
}

// GET /api/traces?service=&operation=&tags=&errors=&minDuration=&maxDuration=&lookback=&limit= — trace search
// through Jaeger's query API; without a service, every service is searched.
import { answerError, answerInvalid, answerJson } from '@/lib/http/answer';
import { jaegerApiError } from '@/lib/traces/jaeger-errors';
import { parseSearchState } from '@/lib/traces/search-params';
import { jaeger } from '@/lib/traces/server';
import { searchTraces } from '@/lib/traces/trace-search';

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  const parsed = parseSearchState(new URL(request.url).searchParams);
  if (!parsed.ok) return answerInvalid(parsed.errors);
  const result = await searchTraces(jaeger(), parsed.state, Date.now());
  return result.ok ? answerJson(result.value) : answerError(jaegerApiError(result.error));
}

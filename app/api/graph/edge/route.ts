// GET /api/graph/edge?source=&target=&host=&duration=&range=&queryTime= — time series behind one edge.
import { buildDrilldown, parseDrilldownParams } from '@/lib/graph/drilldown';
import { answerError, answerJson } from '@/lib/http/answer';
import { prometheus } from '@/lib/prometheus/server';

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  const params = parseDrilldownParams('edge', new URL(request.url).searchParams);
  if (!params.ok) return answerError({ code: 'bad_request', message: params.message });
  const result = await buildDrilldown(params.value, prometheus());
  return result.ok ? answerJson(result.value) : answerError(result.error);
}

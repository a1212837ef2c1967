// GET /api/graph/node?id=&host=&duration=&range=&queryTime= — time series behind one node.
import { buildDrilldown, parseDrilldownParams } from '@/lib/graph/drilldown';
import { badRequest, ok, prometheusFailure } from '@/lib/graph/http';
import { prometheus } from '@/lib/prometheus/server';

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  const params = parseDrilldownParams('node', new URL(request.url).searchParams);
  if (!params.ok) return badRequest(params.message);
  const result = await buildDrilldown(params.value, prometheus());
  return result.ok ? ok(result.value) : prometheusFailure(result.error);
}

// GET /api/graph?namespaces=&graphType=&duration=&queryTime= — the service graph (Kiali's parameters).
import { buildGraph } from '@/lib/graph/build-graph';
import { badRequest, ok, prometheusFailure } from '@/lib/graph/http';
import { parseGraphParams } from '@/lib/graph/params';
import { graphDeps } from '@/lib/graph/server';

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  const params = parseGraphParams(new URL(request.url).searchParams);
  if (!params.ok) return badRequest(params.message);
  const result = await buildGraph(params.value, graphDeps());
  return result.ok ? ok(result.graph, result.timings) : prometheusFailure(result.error);
}

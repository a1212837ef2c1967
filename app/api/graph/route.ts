// GET /api/graph?namespaces=&graphType=&duration=&queryTime= — the service graph (Kiali's parameters).
import { buildGraph } from '@/lib/graph/build-graph';
import { parseGraphParams } from '@/lib/graph/params';
import { graphDeps } from '@/lib/graph/server';
import { answerError, answerJson } from '@/lib/http/answer';

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  const params = parseGraphParams(new URL(request.url).searchParams);
  if (!params.ok) return answerError({ code: 'bad_request', message: params.message });
  const result = await buildGraph(params.value, graphDeps());
  return result.ok ? answerJson(result.graph, { timings: result.timings }) : answerError(result.error);
}

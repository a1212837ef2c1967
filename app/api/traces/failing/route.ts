// GET /api/traces/failing?node= | ?source=&target= [&graphType=&injectServiceNodes=&lookback=&limit=] — recent
// error traces through a graph node or along an edge, each with the span that failed there.
import { z } from 'zod';
import { GRAPH_TYPES } from '@/lib/graph/types';
import { answerError, answerInvalid, answerJson } from '@/lib/http/answer';
import { jaegerApiError } from '@/lib/traces/jaeger-errors';
import { parseSearchState } from '@/lib/traces/search-params';
import { jaeger } from '@/lib/traces/server';
import { findFailingRequests } from '@/lib/traces/trace-search';

export const dynamic = 'force-dynamic';

const nodeId = z.string().min(1).max(600);
const Params = z.union([
  z.object({ node: nodeId }).strict(),
  z.object({ source: nodeId, target: nodeId }).strict(),
]);

export async function GET(request: Request): Promise<Response> {
  const sp = new URL(request.url).searchParams;
  const element = Params.safeParse(
    Object.fromEntries(['node', 'source', 'target'].flatMap((k) => (sp.get(k) ? [[k, sp.get(k)]] : []))),
  );
  if (!element.success) return answerInvalid('give either node, or source and target (graph node ids)');
  const graphType = z
    .enum(GRAPH_TYPES)
    .default('versionedApp')
    .safeParse(sp.get('graphType') ?? undefined);
  if (!graphType.success) return answerInvalid(`graphType: one of ${GRAPH_TYPES.join(', ')}`);
  const search = parseSearchState(
    new URLSearchParams({ lookback: sp.get('lookback') ?? '1h', limit: sp.get('limit') ?? '10' }),
  );
  if (!search.ok) return answerInvalid(search.errors);
  const result = await findFailingRequests(
    jaeger(),
    {
      element: element.data,
      graph: { graphType: graphType.data, injectServiceNodes: sp.get('injectServiceNodes') !== 'false' },
      state: search.state,
    },
    Date.now(),
  );
  return result.ok ? answerJson(result.value) : answerError(jaegerApiError(result.error));
}

// The graph for the graph page's prefetch: the same answer as GET /api/graph, built in the server. A
// graph past PREFETCH_MAX_NODES is not put in the page: it waits for the browser's own request instead
// (see `prefetch-handoff.ts`).
import 'server-only';
import { type GraphQuery, graphSearch } from '../queries/graph';
import { buildGraph } from './build-graph';
import { parseGraphParams } from './params';
import { offerGraph } from './prefetch-handoff';
import { graphDeps } from './server';
import type { Graph } from './types';

/**
 * Most nodes a graph handed to the page inside its HTML may have (`MESHLENS_GRAPH_PREFETCH_MAX_NODES`):
 * the 1,000-workload mesh (~2,000 nodes) is; the 5,000-workload one (~15,000) is streamed to the browser.
 */
export const PREFETCH_MAX_NODES = 3000;

function prefetchMaxNodes(): number {
  const v = Number(process.env.MESHLENS_GRAPH_PREFETCH_MAX_NODES);
  return Number.isInteger(v) && v >= 0 ? v : PREFETCH_MAX_NODES;
}

export type PageGraph =
  /** Small enough to be put in the page, as JSON gives it. */
  | { fits: true; graph: Graph }
  /** Too large: offered to the browser's own request (`handoff`), else only given back. */
  | { fits: false; graph: Graph };

/**
 * The graph for the page. Past `PREFETCH_MAX_NODES` it is not put in the page as it is: it is left for the
 * browser's request when `handoff` (the default), and given back so the page may put a smaller stand-in
 * (its namespaces) in instead. Throws on failure: a failed prefetch is not handed to the page, whose own
 * fetch then shows the error.
 */
export async function loadGraph(q: GraphQuery, { handoff = true } = {}): Promise<PageGraph> {
  // Parsed as the route handler parses its URL, so the page accepts exactly what the API accepts.
  const search = graphSearch(q);
  const params = parseGraphParams(new URLSearchParams(search));
  if (!params.ok) throw new Error(params.message);
  const result = await buildGraph(params.value, graphDeps());
  if (!result.ok) throw new Error(result.error.message);
  if (result.graph.elements.nodes.length > prefetchMaxNodes()) {
    if (handoff) offerGraph(search, result.graph);
    return { fits: false, graph: result.graph };
  }
  // The route handler answers JSON; the page gets the same values (no `undefined` or NaN JSON drops).
  return { fits: true, graph: JSON.parse(JSON.stringify(result.graph)) as Graph };
}

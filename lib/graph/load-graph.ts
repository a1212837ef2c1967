// The graph for the graph page's prefetch: the same answer as GET /api/graph, built in the server.
import 'server-only';
import { type GraphQuery, graphSearch } from '../queries/graph';
import { buildGraph } from './build-graph';
import { parseGraphParams } from './params';
import { graphDeps } from './server';
import type { Graph } from './types';

/** Throws on failure: a failed prefetch is not handed to the page, whose own fetch then shows the error. */
export async function loadGraph(q: GraphQuery): Promise<Graph> {
  // Parsed as the route handler parses its URL, so the page accepts exactly what the API accepts.
  const params = parseGraphParams(new URLSearchParams(graphSearch(q)));
  if (!params.ok) throw new Error(params.message);
  const result = await buildGraph(params.value, graphDeps());
  if (!result.ok) throw new Error(result.error.message);
  // The route handler answers JSON; the page gets the same values (no `undefined` or NaN JSON drops).
  return JSON.parse(JSON.stringify(result.graph)) as Graph;
}

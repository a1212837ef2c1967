// The service graph (home page). The interactive view is a client leaf; it reads its state from the URL.
// The server builds the first graph (the fast one, without latency) and hands it to the client's query
// cache, so the canvas draws as soon as the page's scripts have loaded; the page shell streams first. A
// large graph is streamed to the browser's own request instead (see `lib/graph/load-graph.ts`): for a view
// known to be that large the page does not wait for it, its head preloads that request, which waits for
// the build the render started (`startLargeGraph`). Drawn by namespace (`auto`), a large graph's namespaces
// are put in the page, read by the graph's summary (`lib/graph/namespace-summary.ts`: the rates and health
// of every node and edge, without the rest).
import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import type { Metadata } from 'next';
import { Suspense } from 'react';
import { preload } from 'react-dom';
import {
  type Aggregation,
  AUTO_GROUP_NODES,
  aggregateGraph,
  countNodes,
  resolveAggregation,
} from '@/components/graph/aggregate';
import { GraphView } from '@/components/graph/graph-view';
import { readGraphViewState } from '@/components/graph/graph-view-state';
import { loadGraph, PREFETCH_MAX_NODES } from '@/lib/graph/load-graph';
import { lastGraphSize, readGraphSummary, rememberGraphSize } from '@/lib/graph/namespace-summary';
import { parseGraphParams } from '@/lib/graph/params';
import { offerGraph } from '@/lib/graph/prefetch-handoff';
import { graphDeps } from '@/lib/graph/server';
import type { Graph } from '@/lib/graph/types';
import { pageGraphPath } from '@/lib/graph-page/lean-graph';
import { getQueryClient } from '@/lib/queries/get-query-client';
import { type GraphQuery, graphQueryOptions, graphSearch } from '@/lib/queries/graph';

export const metadata: Metadata = { title: 'Graph · Meshlens' };

/** `MESHLENS_TEST_HOOKS=1` (set by the e2e setup and the benchmark): the page exposes its cytoscape instance. */
const TEST_HOOKS_ENV = 'MESHLENS_TEST_HOOKS';

type SearchParams = Record<string, string | string[] | undefined>;

function toSearchParams(raw: SearchParams): URLSearchParams {
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v === 'string') out.set(k, v);
    else if (Array.isArray(v) && v[0] !== undefined) out.set(k, v[0]);
  }
  return out;
}

/** A grouped graph as the page hands it over: JSON's values (no `undefined` or NaN that JSON drops). */
function asJson(g: Graph): Graph {
  return JSON.parse(JSON.stringify(g)) as Graph;
}

/**
 * The namespaces of a view drawn by namespace when it opens, from the graph's summary (a read and a walk of
 * the request rates only); undefined when the view is not that large, or the summary is not to be had
 * (the page then builds the graph as for any view). The summary is read first for a view not seen yet
 * or last seen that large; a view last seen smaller is built whole at once.
 */
async function summaryNamespaces(query: GraphQuery): Promise<Graph | undefined> {
  const view = graphSearch({ ...query, queryTime: undefined });
  const last = lastGraphSize(view);
  if (last !== undefined && last <= AUTO_GROUP_NODES) return undefined;
  const params = parseGraphParams(new URLSearchParams(graphSearch(query)));
  if (!params.ok) return undefined;
  const deps = graphDeps();
  const time = params.value.queryTime ?? Math.floor(deps.now?.() ?? Date.now() / 1000);
  const summary = await readGraphSummary(params.value, deps, time).catch(() => undefined);
  if (!summary?.ok) return undefined;
  rememberGraphSize(view, countNodes(summary.value));
  return resolveAggregation(summary.value, 'auto') === 'none'
    ? undefined
    : asJson(aggregateGraph(summary.value, 'auto'));
}

/**
 * Every node of a view last built too large for the page: its build is started and offered, while still
 * running, to the browser's request, which the page's head preloads — so that request is sent as the HTML
 * arrives, not once the page's scripts have loaded and the build has ended, and the answer's bytes come
 * while the scripts load. The page itself does not wait for the build. Not for a view not seen yet, or last
 * seen smaller: that one is built in the render and, when it fits, put in the page.
 */
function startLargeGraph(query: GraphQuery): boolean {
  const view = graphSearch({ ...query, queryTime: undefined });
  const last = lastGraphSize(view);
  if (last === undefined || last <= PREFETCH_MAX_NODES) return false;
  const built = loadGraph(query, { handoff: false }).then((page) => {
    rememberGraphSize(view, countNodes(page.graph));
    return page.graph;
  });
  // Taken by the browser's request (which builds its own when this fails); never left unhandled.
  built.catch(() => {});
  offerGraph(graphSearch(query), built);
  // Matches the client's plain `fetch(pageGraphPath(q))` (same URL, CORS mode, credentials).
  preload(pageGraphPath(query), { as: 'fetch', crossOrigin: 'anonymous' });
  return true;
}

async function PrefetchedGraphView({
  query,
  group,
  exposeCy,
}: {
  query: GraphQuery;
  group: Aggregation;
  exposeCy: boolean;
}) {
  const queryClient = getQueryClient();
  // Drawn grouped (`auto`), a graph too large to draw node by node is drawn first from its namespaces
  // (the full graph, with latency, follows as on every page).
  const standIn = group === 'auto';
  // Every node of a view known to be too large: built for the browser's request, the page not waiting.
  const started = !standIn && startLargeGraph(query);
  let graph = standIn ? await summaryNamespaces(query) : undefined;
  if (!graph && !started) {
    // A graph too large for the page is not put in it: grouped, its namespaces are; otherwise the
    // browser's request gets it, built already.
    const page = await loadGraph(query, { handoff: !standIn }).catch(() => undefined);
    if (page) rememberGraphSize(graphSearch({ ...query, queryTime: undefined }), countNodes(page.graph));
    graph =
      page?.fits === true
        ? page.graph
        : page && standIn && resolveAggregation(page.graph, 'auto') !== 'none'
          ? asJson(aggregateGraph(page.graph, 'auto'))
          : undefined;
    if (page && !page.fits && !graph) offerGraph(graphSearch(query), page.graph);
  }
  const first = graph;
  if (first) await queryClient.prefetchQuery(graphQueryOptions(query, async () => first));
  return (
    <HydrationBoundary state={dehydrate(queryClient)}>
      <GraphView exposeCy={exposeCy} />
    </HydrationBoundary>
  );
}

export default async function GraphPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const state = readGraphViewState(toSearchParams(await searchParams));
  // The query `useGraphData` asks first (the fast graph, without latency).
  const first: GraphQuery = {
    namespaces: state.namespaces,
    graphType: state.graphType,
    duration: state.duration,
    queryTime: state.at,
    latency: false,
    rateGrpc: state.grpcRate,
  };
  return (
    <Suspense fallback={<p className="p-4 text-sm text-slate-600 dark:text-slate-400">Loading the graph…</p>}>
      <PrefetchedGraphView query={first} group={state.group} exposeCy={process.env[TEST_HOOKS_ENV] === '1'} />
    </Suspense>
  );
}

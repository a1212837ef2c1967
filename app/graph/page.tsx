// The service graph (home page). The interactive view is a client leaf; it reads its state from the URL.
// The server builds the first graph (the fast one, without latency) and hands it to the client's query
// cache, so the canvas draws as soon as the page's scripts have loaded; the page shell streams first. A
// large graph is streamed to the browser's own request instead (see `lib/graph/load-graph.ts`), or, when
// it is drawn by namespace (`auto`), its namespaces are put in the page.
import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import type { Metadata } from 'next';
import { Suspense } from 'react';
import { type Aggregation, aggregateGraph, resolveAggregation } from '@/components/graph/aggregate';
import { GraphView } from '@/components/graph/graph-view';
import { readGraphViewState } from '@/components/graph/graph-view-state';
import { loadGraph } from '@/lib/graph/load-graph';
import { offerGraph } from '@/lib/graph/prefetch-handoff';
import type { Graph } from '@/lib/graph/types';
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
  // A graph too large for the page is not put in it: drawn grouped (`auto`) it is drawn first from its
  // namespaces, which are (the full graph, with latency, follows as on every page); otherwise the
  // browser's request gets it, built already.
  const standIn = group === 'auto';
  const page = await loadGraph(query, { handoff: !standIn }).catch(() => undefined);
  const graph =
    page?.fits === true
      ? page.graph
      : page && standIn && resolveAggregation(page.graph, 'auto') !== 'none'
        ? (JSON.parse(JSON.stringify(aggregateGraph(page.graph, 'auto'))) as Graph)
        : undefined;
  if (page && !page.fits && !graph) offerGraph(graphSearch(query), page.graph);
  if (graph) await queryClient.prefetchQuery(graphQueryOptions(query, async () => graph));
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
  };
  return (
    <Suspense fallback={<p className="p-4 text-sm text-slate-600 dark:text-slate-400">Loading the graph…</p>}>
      <PrefetchedGraphView query={first} group={state.group} exposeCy={process.env[TEST_HOOKS_ENV] === '1'} />
    </Suspense>
  );
}

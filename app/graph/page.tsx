// The service graph (home page). The interactive view is a client leaf; it reads its state from the URL.
// The server starts the first graph request: a preload hint in the HTML's head makes the browser fetch
// the graph while the page's scripts load and hydrate (about a second at scale), and the client's
// identical request takes that answer instead of starting then.
import type { Metadata } from 'next';
import { Suspense } from 'react';
import { preload } from 'react-dom';
import { GraphView } from '@/components/graph/graph-view';
import { readGraphViewState } from '@/components/graph/graph-view-state';
import { graphSearch } from '@/lib/queries/graph';

export const metadata: Metadata = { title: 'Graph · Meshlens' };

type SearchParams = Record<string, string | string[] | undefined>;

function toSearchParams(raw: SearchParams): URLSearchParams {
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v === 'string') out.set(k, v);
    else if (Array.isArray(v) && v[0] !== undefined) out.set(k, v[0]);
  }
  return out;
}

export default async function GraphPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const state = readGraphViewState(toSearchParams(await searchParams));
  // The same URL `useGraphData` asks first (the fast graph, without latency).
  const first = graphSearch({
    namespaces: state.namespaces,
    graphType: state.graphType,
    duration: state.duration,
    queryTime: state.at,
    latency: false,
  });
  preload(`/api/graph?${first}`, { as: 'fetch', crossOrigin: 'anonymous' });
  return (
    <Suspense fallback={<p className="p-4 text-sm text-slate-500">Loading the graph…</p>}>
      <GraphView />
    </Suspense>
  );
}

'use client';
// The graph for the page, fast first: the topology and rates without latency (one cheap query) to draw at
// once, then — once that is drawn, so the two do not compete for the machine — the full graph with
// p50/p95/p99 (the bucket query is most of the cost at scale), which is what keeps polling. Polling pauses
// while the tab is hidden.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { Graph } from '@/lib/graph/types';
import { type ColumnGraph, fromColumns, isColumnGraph } from '@/lib/graph-page/columns';
import { pageGraphPath } from '@/lib/graph-page/lean-graph';
import { fetchJson } from '@/lib/queries/fetch-json';
import { type GraphQuery, graphQueryOptions } from '@/lib/queries/graph';
import { pinnedLatencyAskMs } from './pinned-latency';

/**
 * The page's first graph: a plain GET (the server page preloads a very large graph's answer with
 * `<link rel=preload as=fetch>`, which only the same request uses). Its lean answer comes in columns
 * (`lib/graph-page/columns.ts`).
 */
async function fetchPageGraph(path: string, signal?: AbortSignal): Promise<Graph> {
  const body = await fetchJson<Graph | ColumnGraph>(path, signal, { plain: true });
  return isColumnGraph(body) ? fromColumns(body) : body;
}

export interface GraphData {
  data?: Graph;
  /** The latest failure (the polling query's, else the first paint's); null when all is well. */
  error: Error | null;
  isPending: boolean;
  isFetching: boolean;
  refetch: () => void;
}

/**
 * `drawn`: the canvas has laid out a graph (the full query waits for it, unless the fast one failed or
 * had nothing to draw).
 */
export function useGraphData(q: GraphQuery, refreshMs: number | false, drawn = true): GraphData {
  // The fast query runs first, alone: at scale the full one keeps Prometheus busy for seconds.
  // The fast graph is the first paint only (the server page may have built it): never refetched itself.
  // Asked in the page's format: a very large graph comes lean, its details with the full graph (see
  // `lib/graph-page/lean-graph.ts`); a smaller one whole, as the server page prefetches it.
  const fast = useQuery({
    ...graphQueryOptions({ ...q, latency: false }),
    queryFn: ({ signal }) => fetchPageGraph(pageGraphPath(q), signal),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const nothingToDraw = fast.data !== undefined && fast.data.elements.nodes.length === 0;
  const fastSettled = fast.isError || nothingToDraw || (fast.data !== undefined && drawn);
  const full = useQuery({
    ...graphQueryOptions({ ...q, latency: true }),
    enabled: fastSettled,
    // Polled; or, pinned at a moment, asked again a few times while its answer lacks latency (`pinned-latency.ts`).
    refetchInterval: (query) =>
      refreshMs !== false
        ? refreshMs
        : q.queryTime !== undefined && pinnedLatencyAskMs(query.state.data, query.state.dataUpdateCount),
    refetchIntervalInBackground: false,
    placeholderData: keepPreviousData,
  });
  const current = full.data !== undefined && !full.isPlaceholderData;
  const data = current ? full.data : (fast.data ?? full.data);
  return {
    data,
    error: full.error ?? (current ? null : fast.error),
    isPending: data === undefined && !full.isError && !fast.isError,
    isFetching: full.isFetching || fast.isFetching,
    refetch: () => void full.refetch(),
  };
}

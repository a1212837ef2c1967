'use client';
// The graph for the page, fast first: the topology and rates without latency (one cheap query) to draw at
// once, then the full graph with p50/p95/p99 (the bucket query is most of the cost at scale), which is
// what keeps polling. Polling pauses while the tab is hidden.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { Graph } from '@/lib/graph/types';
import { type GraphQuery, graphQueryOptions } from '@/lib/queries/graph';

export interface GraphData {
  data?: Graph;
  /** The latest failure (the polling query's, else the first paint's); null when all is well. */
  error: Error | null;
  isPending: boolean;
  isFetching: boolean;
  refetch: () => void;
}

export function useGraphData(q: GraphQuery, refreshMs: number | false): GraphData {
  // The fast query runs first, alone: at scale the full one keeps Prometheus busy for seconds.
  const fast = useQuery({ ...graphQueryOptions({ ...q, latency: false }) });
  const fastSettled = fast.data !== undefined || fast.isError;
  const full = useQuery({
    ...graphQueryOptions({ ...q, latency: true }),
    enabled: fastSettled,
    refetchInterval: refreshMs,
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

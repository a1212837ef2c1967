// The graph's data: query keys and one `queryOptions` per resource (the graph, a node's and an edge's
// drilldown), shared by the server page (which prefetches) and the client components.
import { queryOptions } from '@tanstack/react-query';
import type { Drilldown } from '@/lib/graph/drilldown';
import type { Graph, GraphType } from '@/lib/graph/types';
import { fetchJson } from './fetch-json';

export interface GraphQuery {
  namespaces: string[];
  graphType: GraphType;
  /** Prometheus duration: `60s`, `5m`… */
  duration: string;
  /** Unix seconds to take the graph at; undefined = now. */
  queryTime?: number;
  /** Include p50/p95/p99 (default true); without, the graph answers much faster at scale. */
  latency?: boolean;
  /** Kiali's gRPC rate (`requests` by default): calls, or messages sent, received or both. */
  rateGrpc?: 'requests' | 'sent' | 'received' | 'total';
}

export const graphKeys = {
  all: ['graph'] as const,
  graph: (q: GraphQuery) =>
    [
      'graph',
      q.graphType,
      q.duration,
      q.namespaces.join(','),
      q.queryTime ?? 'now',
      q.latency === false ? 'no-latency' : 'full',
      q.rateGrpc ?? 'requests',
    ] as const,
  node: (id: string, host: string | undefined, duration: string, range: string, at?: number) =>
    ['graph', 'node', id, host ?? '', duration, range, at ?? 'now'] as const,
  edge: (source: string, target: string, duration: string, range: string, at?: number) =>
    ['graph', 'edge', source, target, duration, range, at ?? 'now'] as const,
};

export function graphSearch(q: GraphQuery): string {
  const p = new URLSearchParams({ graphType: q.graphType, duration: q.duration });
  if (q.namespaces.length > 0) p.set('namespaces', q.namespaces.join(','));
  if (q.queryTime !== undefined) p.set('queryTime', String(q.queryTime));
  if (q.latency === false) p.set('latency', 'false');
  if (q.rateGrpc && q.rateGrpc !== 'requests') p.set('rateGrpc', q.rateGrpc);
  return p.toString();
}

/** `load`: how the server page builds the graph itself (the same answer as the route handler). */
export function graphQueryOptions(q: GraphQuery, load?: () => Promise<Graph>) {
  return queryOptions({
    queryKey: graphKeys.graph(q),
    queryFn: load ?? (({ signal }) => fetchJson<Graph>(`/api/graph?${graphSearch(q)}`, signal)),
  });
}

export function nodeDrilldownOptions(
  id: string,
  host: string | undefined,
  duration: string,
  at?: number,
  range = '30m',
) {
  const p = new URLSearchParams({ id, duration, range });
  if (host) p.set('host', host);
  if (at !== undefined) p.set('queryTime', String(at));
  return queryOptions({
    queryKey: graphKeys.node(id, host, duration, range, at),
    queryFn: ({ signal }) => fetchJson<Drilldown>(`/api/graph/node?${p}`, signal),
  });
}

export function edgeDrilldownOptions(
  source: string,
  target: string,
  duration: string,
  at?: number,
  range = '30m',
) {
  const p = new URLSearchParams({ source, target, duration, range });
  if (at !== undefined) p.set('queryTime', String(at));
  return queryOptions({
    queryKey: graphKeys.edge(source, target, duration, range, at),
    queryFn: ({ signal }) => fetchJson<Drilldown>(`/api/graph/edge?${p}`, signal),
  });
}

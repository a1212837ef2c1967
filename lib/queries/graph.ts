// react-query options for the graph and its drilldowns: keys in one place, fetches of our own route
// handlers only, error answers turned into `ApiFailure` values the UI shows in words.
import { queryOptions } from '@tanstack/react-query';
import type { Drilldown } from '@/lib/graph/drilldown';
import type { Graph, GraphType } from '@/lib/graph/types';

export interface GraphQuery {
  namespaces: string[];
  graphType: GraphType;
  /** Prometheus duration: `60s`, `5m`… */
  duration: string;
  /** Unix seconds to take the graph at; undefined = now. */
  queryTime?: number;
  /** Include p50/p95/p99 (default true); without, the graph answers much faster at scale. */
  latency?: boolean;
}

/** An error answered by the backend: `{error: {code, message}}`, or the network failing. */
export class ApiFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    // No request headers of our own: the graph page's first request is preloaded by the server's HTML,
    // and the browser hands the preloaded answer only to a request that matches it.
    res = await fetch(path, { signal });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiFailure('dashboard_unreachable', 'The dashboard server cannot be reached.', 0);
  }
  const body = (await res.json().catch(() => undefined)) as
    | { error?: { code?: string; message?: string } }
    | undefined;
  if (!res.ok) {
    throw new ApiFailure(
      body?.error?.code ?? 'http_error',
      body?.error?.message ?? `The dashboard answered ${res.status}.`,
      res.status,
    );
  }
  return body as T;
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
  return p.toString();
}

export function graphQueryOptions(q: GraphQuery) {
  return queryOptions({
    queryKey: graphKeys.graph(q),
    queryFn: ({ signal }) => getJson<Graph>(`/api/graph?${graphSearch(q)}`, signal),
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
    queryFn: ({ signal }) => getJson<Drilldown>(`/api/graph/node?${p}`, signal),
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
    queryFn: ({ signal }) => getJson<Drilldown>(`/api/graph/edge?${p}`, signal),
  });
}

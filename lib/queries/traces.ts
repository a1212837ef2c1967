// The trace views' data: query keys and one `queryOptions` per resource of the trace route handlers,
// shared by server pages (which prefetch) and client components.
import { queryOptions } from '@tanstack/react-query';
import type {
  ExemplarsResponse,
  FailingRequestsResponse,
  OperationsResponse,
  ServicesResponse,
  TraceResponse,
  TraceSearchResponse,
} from '@/lib/traces/api-types';
import { fetchJson, retryUnlessFinal } from './fetch-json';

export const traceKeys = {
  services: ['traces', 'services'] as const,
  operations: (service: string) => ['traces', 'operations', service] as const,
  search: (query: string) => ['traces', 'search', query] as const,
  trace: (traceId: string) => ['traces', 'trace', traceId] as const,
  failing: (query: string) => ['traces', 'failing', query] as const,
  exemplars: (query: string) => ['traces', 'exemplars', query] as const,
};

/** Service and operation names change rarely. */
const NAMES_STALE_MS = 30_000;
/** A trace changes only while late spans arrive; refetching on focus is enough. */
const TRACE_STALE_MS = 60_000;

export const traceServicesOptions = () =>
  queryOptions({
    queryKey: traceKeys.services,
    queryFn: ({ signal }) => fetchJson<ServicesResponse>('/api/traces/services', signal),
    staleTime: NAMES_STALE_MS,
  });

export const traceOperationsOptions = (service: string) =>
  queryOptions({
    queryKey: traceKeys.operations(service),
    queryFn: ({ signal }) =>
      fetchJson<OperationsResponse>(`/api/traces/operations?${new URLSearchParams({ service })}`, signal),
    staleTime: NAMES_STALE_MS,
    enabled: service !== '',
  });

/** `query`: the search's URL parameters (as the /traces page keeps them). */
export const traceSearchOptions = (query: string) =>
  queryOptions({
    queryKey: traceKeys.search(query),
    queryFn: ({ signal }) => fetchJson<TraceSearchResponse>(`/api/traces?${query}`, signal),
    retry: retryUnlessFinal,
  });

/** `load`: how a server page reads the trace itself (the same answer as the route handler). */
export const traceOptions = (traceId: string, load?: () => Promise<TraceResponse>) =>
  queryOptions({
    queryKey: traceKeys.trace(traceId),
    queryFn:
      load ??
      (({ signal }) => fetchJson<TraceResponse>(`/api/traces/${encodeURIComponent(traceId)}`, signal)),
    staleTime: TRACE_STALE_MS,
    retry: retryUnlessFinal,
    // No request while nothing is chosen.
    enabled: traceId !== '',
  });

export const failingRequestsOptions = (query: string, refetchIntervalMs: number | false) =>
  queryOptions({
    queryKey: traceKeys.failing(query),
    queryFn: ({ signal }) => fetchJson<FailingRequestsResponse>(`/api/traces/failing?${query}`, signal),
    refetchInterval: refetchIntervalMs,
    retry: retryUnlessFinal,
  });

export const exemplarsOptions = (query: string, refetchIntervalMs: number | false) =>
  queryOptions({
    queryKey: traceKeys.exemplars(query),
    queryFn: ({ signal }) => fetchJson<ExemplarsResponse>(`/api/exemplars?${query}`, signal),
    refetchInterval: refetchIntervalMs,
    retry: retryUnlessFinal,
  });

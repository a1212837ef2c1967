'use client';
// The trace views' data in the browser: one react-query hook per resource of the trace route handlers,
// query keys kept here. Failed answers become `TraceApiFailure` errors carrying the handler's code.
import { queryOptions, useQuery } from '@tanstack/react-query';
import type {
  ExemplarsResponse,
  FailingRequestsResponse,
  OperationsResponse,
  ServicesResponse,
  TraceApiErrorCode,
  TraceResponse,
  TraceSearchResponse,
} from '@/lib/traces/api-types';
import { isApiError } from '@/lib/traces/api-types';
import { traceKeys } from './trace-keys';

export class TraceApiFailure extends Error {
  constructor(
    readonly code: TraceApiErrorCode | 'network',
    message: string,
  ) {
    super(message);
  }
}

async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { signal, headers: { accept: 'application/json' } });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new TraceApiFailure('network', `The dashboard server did not answer: ${String(err)}`);
  }
  const body: unknown = await res.json().catch(() => undefined);
  if (isApiError(body)) throw new TraceApiFailure(body.error.code, body.error.message);
  if (!res.ok || body === undefined) throw new TraceApiFailure('network', `${url} answered ${res.status}`);
  return body as T;
}

/**
 * Only a dropped connection to our own server is retried (once): the handlers' answers are final or say
 * a backend is down, which the page should show at once rather than after a retry.
 */
function retryUnlessFinal(count: number, error: Error): boolean {
  return error instanceof TraceApiFailure && error.code === 'network' && count < 1;
}

export const servicesQuery = () =>
  queryOptions({
    queryKey: traceKeys.services,
    queryFn: ({ signal }) => getJson<ServicesResponse>('/api/traces/services', signal),
    staleTime: 30_000,
  });

export const operationsQuery = (service: string) =>
  queryOptions({
    queryKey: traceKeys.operations(service),
    queryFn: ({ signal }) =>
      getJson<OperationsResponse>(`/api/traces/operations?${new URLSearchParams({ service })}`, signal),
    staleTime: 30_000,
    enabled: service !== '',
  });

/** `query`: the search's URL parameters (as the /traces page keeps them). */
export const traceSearchQuery = (query: string) =>
  queryOptions({
    queryKey: traceKeys.search(query),
    queryFn: ({ signal }) => getJson<TraceSearchResponse>(`/api/traces?${query}`, signal),
    retry: retryUnlessFinal,
  });

export const traceQuery = (traceId: string) =>
  queryOptions({
    queryKey: traceKeys.trace(traceId),
    queryFn: ({ signal }) => getJson<TraceResponse>(`/api/traces/${encodeURIComponent(traceId)}`, signal),
    // A trace changes only while late spans arrive; refetching on focus is enough.
    staleTime: 60_000,
    retry: retryUnlessFinal,
  });

export const failingRequestsQuery = (query: string, refetchIntervalMs: number | false) =>
  queryOptions({
    queryKey: traceKeys.failing(query),
    queryFn: ({ signal }) => getJson<FailingRequestsResponse>(`/api/traces/failing?${query}`, signal),
    refetchInterval: refetchIntervalMs,
    retry: retryUnlessFinal,
  });

export const exemplarsQuery = (query: string, refetchIntervalMs: number | false) =>
  queryOptions({
    queryKey: traceKeys.exemplars(query),
    queryFn: ({ signal }) => getJson<ExemplarsResponse>(`/api/exemplars?${query}`, signal),
    refetchInterval: refetchIntervalMs,
    retry: retryUnlessFinal,
  });

export const useServices = () => useQuery(servicesQuery());
export const useOperations = (service: string) => useQuery(operationsQuery(service));
export const useTraceSearch = (query: string, enabled = true) =>
  useQuery({ ...traceSearchQuery(query), enabled });
/** No request while `traceId` is empty (nothing chosen yet). */
export const useTrace = (traceId: string) => useQuery({ ...traceQuery(traceId), enabled: traceId !== '' });

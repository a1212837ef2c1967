// The trace views' data: query keys and one `queryOptions` per resource of the trace route handlers,
// shared by server pages (which prefetch) and client components.
import { queryOptions } from '@tanstack/react-query';
import type { ApiErrorBody } from '@/lib/http/answer';
import type { JaegerResult } from '@/lib/jaeger/client';
import type { Trace } from '@/lib/jaeger/model';
import { badAnswer, readTraceAnswerBody } from '@/lib/jaeger/trace-answer';
import type {
  ExemplarsResponse,
  FailingRequestsResponse,
  OperationsResponse,
  ServicesResponse,
  TraceResponse,
  TraceSearchResponse,
} from '@/lib/traces/api-types';
import { jaegerApiError } from '@/lib/traces/jaeger-errors';
import { ApiFailure, fetchJson, retryUnlessFinal, UNREACHABLE } from './fetch-json';

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

/** Where the browser reads a trace: Jaeger's answer passed through (the page preloads it for big traces). */
export const traceAnswerPath = (traceId: string) => `/api/traces/${encodeURIComponent(traceId)}/raw`;

/** Status of the failures a trace read in the tab can end in (as `GET /api/traces/{id}` would answer them). */
const READ_FAILURE_STATUS: Record<string, number> = { trace_not_found: 404, jaeger_unavailable: 503 };

/**
 * A trace read in the tab from Jaeger's own answer: parsed once (`Response.json()`, no text copy kept),
 * then read leniently as the server reads it. A failed answer is the `{error}` the other routes send.
 */
export async function fetchTrace(traceId: string, signal?: AbortSignal): Promise<TraceResponse> {
  let res: Response;
  try {
    // No extra headers or options: the request must match the page's `<link rel=preload as=fetch>`.
    res = await fetch(traceAnswerPath(traceId), { signal });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiFailure(UNREACHABLE, 'The dashboard server cannot be reached.', 0);
  }
  const api = res.headers.get('x-jaeger-api');
  if (!res.ok || (api !== 'v1' && api !== 'v3')) {
    // The route's own failure: `{error: {code, message}}` as every trace route answers it.
    const error = ((await res.json().catch(() => undefined)) as Partial<ApiErrorBody> | undefined)?.error;
    if (typeof error?.code === 'string') {
      throw new ApiFailure(error.code, String(error.message), res.status, error.fields);
    }
    throw new ApiFailure('http_error', `The dashboard answered ${res.status}.`, res.status);
  }
  let read: JaegerResult<Trace>;
  try {
    read = readTraceAnswerBody(api, await res.json());
  } catch {
    read = badAnswer(res.status, 'not JSON');
  }
  if (read.ok) return { trace: read.value };
  const failure = jaegerApiError(read.error);
  throw new ApiFailure(failure.code, failure.message, READ_FAILURE_STATUS[failure.code] ?? 502);
}

/**
 * A trace asked for by id is read again, a few times, while the backend does not have it: a trace opened
 * from a fresh exemplar or log line may still be on its way (the sidecars batch their spans for up to 2 s,
 * Jaeger's collectors queue them too). About 6 s in all, then "not found" is shown.
 */
export const TRACE_NOT_FOUND_RETRIES = 3;

export function retryTraceRead(count: number, error: Error): boolean {
  if (error instanceof ApiFailure && error.code === 'trace_not_found') return count < TRACE_NOT_FOUND_RETRIES;
  return retryUnlessFinal(count, error);
}

/** 1 s, 2 s, 3 s between the reads of a trace not found yet. */
export const traceRetryDelay = (count: number) => 1000 * (count + 1);

/** `load`: how a server page reads the trace itself (the same answer as the route handler). */
export const traceOptions = (traceId: string, load?: () => Promise<TraceResponse>) =>
  queryOptions({
    queryKey: traceKeys.trace(traceId),
    queryFn: load ?? (({ signal }) => fetchTrace(traceId, signal)),
    staleTime: TRACE_STALE_MS,
    retry: retryTraceRead,
    retryDelay: traceRetryDelay,
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

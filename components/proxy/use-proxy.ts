// The Proxy tab's data: one query per (workload, view, instance), polled while visible.
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import type { ProxyAnswer, ProxyView } from '@/lib/proxy-config/types';
import { fetchJson, retryUnlessFinal } from '@/lib/queries/fetch-json';

/** The sidecar's state changes under traffic (endpoints, ejections, the log): read again this often. */
export const PROXY_POLL_MS = 10_000;

export const proxyKeys = {
  view: (namespace: string, workload: string, view: ProxyView, instance: string | undefined) =>
    ['proxy', namespace, workload, view, instance ?? ''] as const,
};

export const proxyOptions = (
  namespace: string,
  workload: string,
  view: ProxyView,
  instance: string | undefined,
) =>
  queryOptions({
    queryKey: proxyKeys.view(namespace, workload, view, instance),
    queryFn: ({ signal }) =>
      fetchJson<ProxyAnswer>(
        `/api/proxy/${encodeURIComponent(namespace)}/${encodeURIComponent(workload)}?${new URLSearchParams({
          view,
          ...(instance ? { instance } : {}),
        })}`,
        signal,
      ),
    refetchInterval: PROXY_POLL_MS,
    placeholderData: keepPreviousData,
    retry: retryUnlessFinal,
  });

export function useProxy(namespace: string, workload: string, view: ProxyView, instance: string | undefined) {
  return useQuery(proxyOptions(namespace, workload, view, instance));
}

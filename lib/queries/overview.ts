// The Overview's data: one `queryOptions` shared by the server page (which prefetches) and the cards.
import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import type { Overview } from '@/lib/inventory/overview';
import { fetchJson, retryUnlessFinal } from './fetch-json';

export const OVERVIEW_POLL_MS = 15_000;

export const overviewKeys = {
  overview: (duration: string) => ['overview', duration] as const,
};

export const overviewOptions = (duration: string, load?: () => Promise<Overview>) =>
  queryOptions({
    queryKey: overviewKeys.overview(duration),
    queryFn:
      load ??
      (({ signal }) => fetchJson<Overview>(`/api/overview?${new URLSearchParams({ duration })}`, signal)),
    refetchInterval: OVERVIEW_POLL_MS,
    placeholderData: keepPreviousData,
    retry: retryUnlessFinal,
  });

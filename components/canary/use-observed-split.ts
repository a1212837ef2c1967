'use client';
// The live observed split from Prometheus, polled while the tab is visible.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { ObservedWindow } from '@/lib/canary/observed';
import { canaryKeys, fetchObserved } from './api';

export const OBSERVED_POLL_MS = 5_000;

export function useObservedSplit(namespace: string, name: string, window: ObservedWindow) {
  return useQuery({
    queryKey: canaryKeys.observed(namespace, name, window),
    queryFn: () => fetchObserved(namespace, name, window),
    refetchInterval: OBSERVED_POLL_MS,
    placeholderData: keepPreviousData,
  });
}

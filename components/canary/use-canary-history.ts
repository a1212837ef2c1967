'use client';
// The change history of the service's VirtualService (the control plane's audit log).
import { useQuery } from '@tanstack/react-query';
import { canaryKeys, fetchHistory } from './api';

export const HISTORY_POLL_MS = 10_000;

export function useCanaryHistory(namespace: string, name: string) {
  return useQuery({
    queryKey: canaryKeys.history(namespace, name),
    queryFn: () => fetchHistory(namespace, name),
    refetchInterval: HISTORY_POLL_MS,
  });
}

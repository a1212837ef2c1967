'use client';
// The service's canary state. Read once and kept: the form edits against the resourceVersion it was
// read at, so a concurrent change surfaces as a conflict on Apply rather than being swallowed.
import { useQuery } from '@tanstack/react-query';
import { canaryKeys, fetchService, type ServiceAnswer } from './api';

export function useServiceState(namespace: string, name: string, initialData?: ServiceAnswer) {
  return useQuery({
    queryKey: canaryKeys.service(namespace, name),
    queryFn: () => fetchService(namespace, name),
    ...(initialData ? { initialData } : {}),
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
  });
}

'use client';
// Apply and rollback: mutations whose outcome (applied, conflict, invalid, unavailable) is a value.
// Whatever happened, the service state and history are read again.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ApplyRequest, RollbackRequest } from '@/lib/canary/apply-plan';
import { canaryKeys, postRollback, putSplit } from '@/lib/queries/canary';

function useRefresh(namespace: string, name: string) {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: canaryKeys.history(namespace, name) }),
      queryClient.invalidateQueries({ queryKey: canaryKeys.service(namespace, name) }),
    ]);
}

export function useApplySplit(namespace: string, name: string) {
  const refresh = useRefresh(namespace, name);
  return useMutation({
    mutationFn: (request: ApplyRequest) => putSplit(namespace, name, request),
    onSuccess: (outcome) => (outcome.ok ? refresh() : undefined),
  });
}

export function useRollback(namespace: string, name: string) {
  const refresh = useRefresh(namespace, name);
  return useMutation({
    mutationFn: (request: RollbackRequest) => postRollback(namespace, name, request),
    onSuccess: (outcome) => (outcome.ok ? refresh() : undefined),
  });
}

// The canary panel's data: query keys, one `queryOptions` per resource of its route handlers, and the
// writes (Apply, rollback), whose outcome — applied, conflict, invalid, unavailable — is a value.
import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import type { ApplyOutcome, ApplyRequest, RollbackRequest } from '@/lib/canary/apply-plan';
import type { HistoryItem } from '@/lib/canary/history';
import type { ObservedSplit, ObservedWindow } from '@/lib/canary/observed';
import type { CanaryState } from '@/lib/canary/service-state';
import { ApiFailure, fetchJson, send } from './fetch-json';

/** `GET /api/services/{namespace}/{name}` */
export interface ServiceAnswer {
  state: CanaryState;
  warnings: string[];
}

export const OBSERVED_POLL_MS = 5_000;
export const HISTORY_POLL_MS = 10_000;

export const canaryKeys = {
  all: ['canary'] as const,
  service: (namespace: string, name: string) => ['canary', 'service', namespace, name] as const,
  observed: (namespace: string, name: string, window: ObservedWindow) =>
    ['canary', 'observed', namespace, name, window] as const,
  history: (namespace: string, name: string) => ['canary', 'history', namespace, name] as const,
};

const base = (namespace: string, name: string) =>
  `${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;

/**
 * Read once and kept: the form edits against the resourceVersion it was read at, so a concurrent change
 * surfaces as a conflict on Apply rather than being swallowed. `load`: how a server page reads it itself.
 */
export const serviceStateOptions = (namespace: string, name: string, load?: () => Promise<ServiceAnswer>) =>
  queryOptions({
    queryKey: canaryKeys.service(namespace, name),
    queryFn:
      load ?? (({ signal }) => fetchJson<ServiceAnswer>(`/api/services/${base(namespace, name)}`, signal)),
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
  });

/** The live observed split from Prometheus, polled while the tab is visible. */
export const observedSplitOptions = (namespace: string, name: string, window: ObservedWindow) =>
  queryOptions({
    queryKey: canaryKeys.observed(namespace, name, window),
    queryFn: ({ signal }) =>
      fetchJson<ObservedSplit>(`/api/services/${base(namespace, name)}/observed?window=${window}`, signal),
    refetchInterval: OBSERVED_POLL_MS,
    placeholderData: keepPreviousData,
  });

/** The change history of the service's VirtualService (the control plane's audit log). */
export const canaryHistoryOptions = (namespace: string, name: string) =>
  queryOptions({
    queryKey: canaryKeys.history(namespace, name),
    queryFn: ({ signal }) =>
      fetchJson<{ items: HistoryItem[] }>(`/api/services/${base(namespace, name)}/history`, signal).then(
        (b) => b.items,
      ),
    refetchInterval: HISTORY_POLL_MS,
  });

async function write(method: 'PUT' | 'POST', path: string, json: unknown): Promise<ApplyOutcome> {
  try {
    const { status, body } = await send(path, { method, json });
    return (
      (body as ApplyOutcome | undefined) ?? {
        ok: false,
        kind: 'error',
        message: `The dashboard answered ${status}.`,
      }
    );
  } catch (err) {
    if (err instanceof ApiFailure) return { ok: false, kind: 'unavailable', message: err.message };
    throw err;
  }
}

export const putSplit = (namespace: string, name: string, request: ApplyRequest) =>
  write('PUT', `/api/canary/${base(namespace, name)}`, request);

export const postRollback = (namespace: string, name: string, request: RollbackRequest) =>
  write('POST', `/api/canary/${base(namespace, name)}/rollback`, request);

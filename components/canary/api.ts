// The canary panel's view of its route handlers: answer types, query keys (all in one place) and
// fetchers. A query failing throws its message in words; a write answers its outcome as a value.
import type { ApplyOutcome, ApplyRequest, RollbackRequest } from '@/lib/canary/apply-plan';
import type { HistoryItem } from '@/lib/canary/history';
import type { ObservedSplit, ObservedWindow } from '@/lib/canary/observed';
import type { CanaryState } from '@/lib/canary/service-state';

export interface ServiceAnswer {
  state: CanaryState;
  warnings: string[];
}

export const canaryKeys = {
  all: ['canary'] as const,
  service: (namespace: string, name: string) => ['canary', 'service', namespace, name] as const,
  observed: (namespace: string, name: string, window: ObservedWindow) =>
    ['canary', 'observed', namespace, name, window] as const,
  history: (namespace: string, name: string) => ['canary', 'history', namespace, name] as const,
};

const base = (namespace: string, name: string) =>
  `${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;

async function getJson<T>(url: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: 'application/json' } });
  } catch {
    throw new Error('The dashboard server cannot be reached.');
  }
  const body = (await res.json().catch(() => null)) as ({ ok?: boolean; message?: string } & T) | null;
  if (!res.ok || !body || body.ok === false)
    throw new Error(body?.message ?? `The dashboard answered ${res.status}.`);
  return body;
}

export const fetchService = (namespace: string, name: string) =>
  getJson<ServiceAnswer>(`/api/services/${base(namespace, name)}`);

export const fetchObserved = (namespace: string, name: string, window: ObservedWindow) =>
  getJson<ObservedSplit>(`/api/services/${base(namespace, name)}/observed?window=${window}`);

export const fetchHistory = (namespace: string, name: string) =>
  getJson<{ items: HistoryItem[] }>(`/api/services/${base(namespace, name)}/history`).then((b) => b.items);

async function write(method: 'PUT' | 'POST', url: string, body: unknown): Promise<ApplyOutcome> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch {
    return { ok: false, kind: 'unavailable', message: 'The dashboard server cannot be reached.' };
  }
  const outcome = (await res.json().catch(() => null)) as ApplyOutcome | null;
  return outcome ?? { ok: false, kind: 'error', message: `The dashboard answered ${res.status}.` };
}

export const putSplit = (namespace: string, name: string, request: ApplyRequest) =>
  write('PUT', `/api/canary/${base(namespace, name)}`, request);

export const postRollback = (namespace: string, name: string, request: RollbackRequest) =>
  write('POST', `/api/canary/${base(namespace, name)}/rollback`, request);

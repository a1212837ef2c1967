// The Istio Config pages' data: one queryOptions for the whole list (every resource with its findings)
// and one for a resource, keys in one place; the writes (create, replace, delete) answer outcomes as values.
import { queryOptions } from '@tanstack/react-query';
import { resourceApi } from '@/lib/istio-config/kinds';
import type { IstioConfigList, IstioOutcome, IstioResourceAnswer } from '@/lib/istio-config/outcome';
import type { MeshKindName } from '@/lib/mesh-config/kinds';
import type { MeshResource } from '@/lib/mesh-config/schema';
import { ApiFailure, fetchJson, send } from './fetch-json';

/** The list is polled, so that another user's change shows without a reload. */
export const ISTIO_LIST_POLL_MS = 10_000;

export const istioKeys = {
  all: ['istio'] as const,
  list: () => ['istio', 'list'] as const,
  resource: (kind: MeshKindName, namespace: string, name: string) =>
    ['istio', 'resource', kind, namespace, name] as const,
};

export const istioConfigOptions = (load?: () => Promise<IstioOutcome<IstioConfigList>>) =>
  queryOptions({
    queryKey: istioKeys.list(),
    queryFn: load
      ? () => load().then(unwrap)
      : ({ signal }) => fetchJson<IstioConfigList>('/api/istio', signal),
    refetchInterval: ISTIO_LIST_POLL_MS,
  });

/** Read once and kept: the editor edits against the resourceVersion it was read at. */
export const istioResourceOptions = (
  kind: MeshKindName,
  namespace: string,
  name: string,
  load?: () => Promise<IstioOutcome<IstioResourceAnswer>>,
) =>
  queryOptions({
    queryKey: istioKeys.resource(kind, namespace, name),
    queryFn: load
      ? () => load().then(unwrap)
      : ({ signal }) => fetchJson<IstioResourceAnswer>(resourceApi(kind, namespace, name), signal),
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
  });

/** A server page's own read, as the browser's fetch would see it (a failure thrown in words). */
function unwrap<T>(outcome: IstioOutcome<T>): T {
  if (!outcome.ok) throw new ApiFailure(outcome.kind, outcome.message, 0);
  return outcome as T;
}

async function write<T>(
  method: 'POST' | 'PUT' | 'DELETE',
  path: string,
  json?: unknown,
): Promise<IstioOutcome<T>> {
  try {
    const { status, body } = await send(path, { method, ...(json === undefined ? {} : { json }) });
    return (
      (body as IstioOutcome<T> | undefined) ?? {
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

export const createIstioResource = (resource: unknown) =>
  write<IstioResourceAnswer>('POST', '/api/istio', { resource });

export const replaceIstioResource = (resource: MeshResource) =>
  write<IstioResourceAnswer>(
    'PUT',
    resourceApi(resource.kind, resource.metadata.namespace ?? 'default', resource.metadata.name),
    { resource },
  );

export const deleteIstioResource = (kind: MeshKindName, namespace: string, name: string) =>
  write<object>('DELETE', resourceApi(kind, namespace, name));

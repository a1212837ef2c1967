// The Istio Config list's filters as URL state (`/istio?kind=VirtualService&namespace=bookinfo&validity=error`)
// and the rows they keep. Pure; the list reads and writes it through the router.
import { MESH_KINDS, type MeshKindName } from '@/lib/mesh-config/kinds';
import type { MeshResource } from '@/lib/mesh-config/schema';
import { resourceKey, type Validation, type Validity, validityOf } from '@/lib/mesh-config/validations';

export const VALIDITIES = ['valid', 'warning', 'error'] as const;

export interface ListState {
  kind?: MeshKindName;
  namespace?: string;
  validity?: Validity;
}

export function readListState(params: URLSearchParams): ListState {
  const kind = MESH_KINDS.find((k) => k === params.get('kind'));
  const namespace = params.get('namespace') || undefined;
  const validity = VALIDITIES.find((v) => v === params.get('validity'));
  return {
    ...(kind ? { kind } : {}),
    ...(namespace ? { namespace } : {}),
    ...(validity ? { validity } : {}),
  };
}

export function writeListState(state: ListState): string {
  const p = new URLSearchParams();
  if (state.kind) p.set('kind', state.kind);
  if (state.namespace) p.set('namespace', state.namespace);
  if (state.validity) p.set('validity', state.validity);
  const q = p.toString();
  return q ? `?${q}` : '';
}

export interface Row {
  resource: MeshResource;
  namespace: string;
  validity: Validity;
  findings: Validation[];
}

/** Each resource with its findings and validity, filtered, ordered by namespace, kind and name. */
export function rowsOf(
  items: readonly MeshResource[],
  validations: readonly Validation[],
  state: ListState,
): Row[] {
  const byKey = new Map<string, Validation[]>();
  for (const v of validations) byKey.set(resourceKey(v), [...(byKey.get(resourceKey(v)) ?? []), v]);
  return items
    .map((resource) => {
      const namespace = resource.metadata.namespace ?? 'default';
      const findings =
        byKey.get(resourceKey({ kind: resource.kind, namespace, name: resource.metadata.name })) ?? [];
      return { resource, namespace, findings, validity: validityOf(findings) };
    })
    .filter(
      (r) =>
        (!state.kind || r.resource.kind === state.kind) &&
        (!state.namespace || r.namespace === state.namespace) &&
        (!state.validity || r.validity === state.validity),
    )
    .sort(
      (a, b) =>
        a.namespace.localeCompare(b.namespace) ||
        a.resource.kind.localeCompare(b.resource.kind) ||
        a.resource.metadata.name.localeCompare(b.resource.metadata.name),
    );
}

export function namespacesOf(items: readonly MeshResource[]): string[] {
  return [...new Set(items.map((r) => r.metadata.namespace ?? 'default'))].sort();
}

// The kinds the Istio Config pages show, and how a URL names one: Kiali's plural (`virtualservices`) or
// the kind itself (`VirtualService`), any case. Derived from lib/mesh-config/kinds.ts, so new kinds appear.
import { MESH_KINDS, type MeshKindName, PLURALS } from '../mesh-config/kinds';

export function kindOfSegment(segment: string): MeshKindName | undefined {
  const s = segment.toLowerCase();
  return MESH_KINDS.find((k) => PLURALS[k] === s || k.toLowerCase() === s);
}

/** The URL segment of a kind: its plural, as Kiali's links have it. */
export const segmentOf = (kind: MeshKindName): string => PLURALS[kind];

/** `/namespaces/bookinfo/istio/virtualservices/reviews`: the detail page of a resource. */
export function detailHref(kind: MeshKindName, namespace: string, name: string): string {
  return `/namespaces/${encodeURIComponent(namespace)}/istio/${segmentOf(kind)}/${encodeURIComponent(name)}`;
}

/** `/api/istio/bookinfo/virtualservices/reviews`: the route handler of a resource. */
export function resourceApi(kind: MeshKindName, namespace: string, name: string): string {
  return `/api/istio/${encodeURIComponent(namespace)}/${segmentOf(kind)}/${encodeURIComponent(name)}`;
}

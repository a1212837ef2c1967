// Kubernetes REST paths of the mesh kinds, each derived from the kind's own apiVersion (Istio's kinds
// span API groups): `/apis/<group>/<version>[/namespaces/<ns>]/<plural>[/<name>]`. Free of zod.
import { apiVersionOf, MESH_KINDS, type MeshKindName, PLURALS } from './kinds';

/** The API group of a kind (`networking.istio.io`). */
export function groupOf(kind: MeshKindName): string {
  return apiVersionOf(kind).split('/')[0] as string;
}

/** `virtualservices.networking.istio.io`: how Kubernetes names a resource type in messages. */
export function qualifiedResource(kind: MeshKindName): string {
  return `${PLURALS[kind]}.${groupOf(kind)}`;
}

/** The collection path of a kind in a namespace, or across all namespaces; with a name, the object's. */
export function resourcePath(kind: MeshKindName, namespace?: string, name?: string): string {
  const ns = namespace === undefined ? '' : `/namespaces/${encodeURIComponent(namespace)}`;
  const tail = name === undefined ? '' : `/${encodeURIComponent(name)}`;
  return `/apis/${apiVersionOf(kind)}${ns}/${PLURALS[kind]}${tail}`;
}

/** Every group/version served, in the order the kinds are declared. */
export function groupVersions(): string[] {
  return [...new Set(MESH_KINDS.map(apiVersionOf))];
}

/** The kinds of one group/version. */
export function kindsOf(groupVersion: string): MeshKindName[] {
  return MESH_KINDS.filter((k) => apiVersionOf(k) === groupVersion);
}

/** The kind a group/version and plural name, or undefined. */
export function kindByPlural(groupVersion: string, plural: string): MeshKindName | undefined {
  return MESH_KINDS.find((k) => PLURALS[k] === plural && apiVersionOf(k) === groupVersion);
}

// The REST paths of the control plane, parsed into what they address. Kubernetes' own layout for
// Istio's CRDs, each kind under its own API group, so one client talks to this control plane or to a
// real cluster. Paths are built from the kinds' apiVersions (lib/mesh-config/api-paths).
import { kindByPlural, resourcePath as pathOf } from '../../../lib/mesh-config/api-paths';
import { PLURALS } from '../../../lib/mesh-config/kinds';
import type { MeshKind } from '../../../lib/mesh-config/schema';

export interface ResourcePath {
  kind: MeshKind;
  plural: string;
  /** Absent for the all-namespaces collection (`/apis/<group>/<version>/{plural}`). */
  namespace?: string;
  name?: string;
}

/** The resource path a URL path names, or undefined when it names none. */
export function parseResourcePath(pathname: string): ResourcePath | undefined {
  if (!pathname.startsWith('/apis/')) return undefined;
  let parts: string[];
  try {
    parts = pathname
      .slice('/apis/'.length)
      .split('/')
      .filter((p) => p !== '')
      .map((p) => decodeURIComponent(p));
  } catch {
    return undefined; // malformed percent-encoding names nothing
  }
  const [group, version] = parts.splice(0, 2);
  if (group === undefined || version === undefined) return undefined;
  let namespace: string | undefined;
  if (parts[0] === 'namespaces') {
    namespace = parts[1];
    if (namespace === undefined) return undefined;
    parts.splice(0, 2);
  }
  const [plural, name, ...rest] = parts;
  if (plural === undefined || rest.length > 0) return undefined;
  const kind = kindByPlural(`${group}/${version}`, plural) as MeshKind | undefined;
  if (!kind) return undefined;
  if (name !== undefined && namespace === undefined) return undefined;
  return {
    kind,
    plural: PLURALS[kind],
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name ? { name } : {}),
  };
}

/** The collection URL of a kind in a namespace, or across all namespaces. */
export function collectionPath(kind: MeshKind, namespace?: string): string {
  return pathOf(kind, namespace);
}

export function resourcePath(kind: MeshKind, namespace: string, name: string): string {
  return pathOf(kind, namespace, name);
}

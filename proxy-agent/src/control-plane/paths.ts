// The REST paths of the control plane, parsed into what they address. Kubernetes' own layout for
// Istio's CRDs, so one client talks to this control plane or to a real cluster.
import { type MeshKind, PLURALS } from '../../../lib/mesh-config/schema';

export const API_PREFIX = '/apis/networking.istio.io/v1';

const KIND_BY_PLURAL = new Map<string, MeshKind>(
  (Object.entries(PLURALS) as [MeshKind, string][]).map(([kind, plural]) => [plural, kind]),
);

export interface ResourcePath {
  kind: MeshKind;
  plural: string;
  /** Absent for the all-namespaces collection (`/apis/networking.istio.io/v1/{plural}`). */
  namespace?: string;
  name?: string;
}

/** The resource path a URL path names, or undefined when it names none. */
export function parseResourcePath(pathname: string): ResourcePath | undefined {
  if (!pathname.startsWith(`${API_PREFIX}/`)) return undefined;
  let parts: string[];
  try {
    parts = pathname
      .slice(API_PREFIX.length + 1)
      .split('/')
      .filter((p) => p !== '')
      .map((p) => decodeURIComponent(p));
  } catch {
    return undefined; // malformed percent-encoding names nothing
  }
  let namespace: string | undefined;
  if (parts[0] === 'namespaces') {
    namespace = parts[1];
    if (namespace === undefined) return undefined;
    parts.splice(0, 2);
  }
  const [plural, name, ...rest] = parts;
  if (plural === undefined || rest.length > 0) return undefined;
  const kind = KIND_BY_PLURAL.get(plural);
  if (!kind) return undefined;
  if (name !== undefined && namespace === undefined) return undefined;
  return { kind, plural, ...(namespace !== undefined ? { namespace } : {}), ...(name ? { name } : {}) };
}

/** The collection URL of a kind in a namespace, or across all namespaces. */
export function collectionPath(kind: MeshKind, namespace?: string): string {
  const ns = namespace === undefined ? '' : `/namespaces/${encodeURIComponent(namespace)}`;
  return `${API_PREFIX}${ns}/${PLURALS[kind]}`;
}

export function resourcePath(kind: MeshKind, namespace: string, name: string): string {
  return `${collectionPath(kind, namespace)}/${encodeURIComponent(name)}`;
}

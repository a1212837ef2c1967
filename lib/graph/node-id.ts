// Node ids (`wl:ns:name`, `app:ns:app[:version]`, `svc:ns:name`, `unknown`) read back into the identity
// they stand for, validated, so that a drilldown request names a node without naming any PromQL.
import { CLUSTER_DOMAIN } from '../mesh-config/labels';

export type NodeRef =
  | { kind: 'unknown' }
  | { kind: 'workload'; namespace: string; workload: string }
  | { kind: 'app'; namespace: string; app: string; version?: string }
  | { kind: 'service'; namespace: string; name: string; host: string; external: boolean };

const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Kubernetes label values and names (workloads, apps, versions). */
const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,251}[A-Za-z0-9])?$/;
/** DNS names (external hosts). */
const HOST = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;

export function isHost(v: string): boolean {
  return HOST.test(v);
}

export function parseNodeId(id: string): NodeRef | undefined {
  if (id === 'unknown') return { kind: 'unknown' };
  const [kind, namespace, a, b, ...rest] = id.split(':');
  if (rest.length > 0 || namespace === undefined || !NAMESPACE.test(namespace) || a === undefined)
    return undefined;
  if (!LABEL_VALUE.test(a)) return undefined;
  if (b !== undefined && !LABEL_VALUE.test(b)) return undefined;
  switch (kind) {
    case 'wl':
      return b === undefined ? { kind: 'workload', namespace, workload: a } : undefined;
    case 'app':
      return b === undefined
        ? { kind: 'app', namespace, app: a }
        : { kind: 'app', namespace, app: a, version: b };
    case 'svc': {
      if (b !== undefined) return undefined;
      // Service names are DNS labels (no dot); a dotted name is an external host (ServiceEntry).
      const external = a.includes('.');
      if (external && !HOST.test(a)) return undefined;
      return {
        kind: 'service',
        namespace,
        name: a,
        host: external ? a : `${a}.${namespace}.${CLUSTER_DOMAIN}`,
        external,
      };
    }
    default:
      return undefined;
  }
}

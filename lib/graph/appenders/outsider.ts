// Outsiders (Kiali's `outsider` appender): nodes of namespaces that were not asked for, drawn because
// they talk to one that was. Unknown callers, external hosts and egress clusters belong to no namespace.
import type { TrafficMap } from '../traffic-map';

export function appendOutsiders(map: TrafficMap, namespaces: readonly string[]): void {
  if (namespaces.length === 0) return;
  const requested = new Set(namespaces);
  for (const n of map.nodes.values()) {
    const { nodeType, namespace } = n.spec;
    n.isOutside =
      nodeType !== 'unknown' && !n.isServiceEntry && !n.spec.isEgressCluster && !requested.has(namespace);
  }
}

// The mesh's services, as the config knows them: MESH_INTERNAL ServiceEntry hosts, DestinationRule
// hosts and the apps of registered workloads. A Kubernetes host `name.namespace.svc.cluster.local`
// names the service `name` in `namespace`.
import { CLUSTER_DOMAIN, LABEL_APP, LABEL_CANONICAL_NAME } from '../mesh-config/labels';
import type { DestinationRule, ServiceEntry, WorkloadEntry } from '../mesh-config/schema';
import { qualifyHost } from '../mesh-config/validate';
import type { ServiceRef } from './virtual-service';

/** The service a host names, or undefined for a host outside the cluster domain. */
export function serviceOfHost(host: string): ServiceRef | undefined {
  const suffix = `.${CLUSTER_DOMAIN}`;
  if (!host.endsWith(suffix)) return undefined;
  const [name, namespace, ...rest] = host.slice(0, -suffix.length).split('.');
  if (!name || !namespace || rest.length > 0) return undefined;
  return { name, namespace, host };
}

export function servicesFrom(
  serviceEntries: readonly ServiceEntry[],
  destinationRules: readonly DestinationRule[],
  workloadEntries: readonly WorkloadEntry[],
): ServiceRef[] {
  const byHost = new Map<string, ServiceRef>();
  const add = (ref: ServiceRef | undefined) => {
    if (ref && !byHost.has(ref.host)) byHost.set(ref.host, ref);
  };
  for (const se of serviceEntries) {
    if (se.spec.location === 'MESH_EXTERNAL') continue;
    const ns = se.metadata.namespace ?? 'default';
    for (const h of se.spec.hosts) {
      const host = qualifyHost(h, ns);
      add(serviceOfHost(host) ?? { name: se.metadata.name, namespace: ns, host });
    }
  }
  for (const dr of destinationRules)
    add(serviceOfHost(qualifyHost(dr.spec.host, dr.metadata.namespace ?? 'default')));
  for (const we of workloadEntries) {
    const labels = { ...we.metadata.labels, ...we.spec.labels };
    const app = labels[LABEL_CANONICAL_NAME] ?? labels[LABEL_APP];
    if (app) add(serviceOfHost(qualifyHost(app, we.metadata.namespace ?? 'default')));
  }
  return [...byHost.values()].sort(
    (a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name),
  );
}

/** The service named `name` (in `namespace` when given, else the only one of that name). */
export function findService(
  services: readonly ServiceRef[],
  name: string,
  namespace?: string,
): ServiceRef | undefined {
  const named = services.filter(
    (s) => s.name === name && (namespace === undefined || s.namespace === namespace),
  );
  return named.length === 1 ? named[0] : named.find((s) => s.namespace === 'default');
}

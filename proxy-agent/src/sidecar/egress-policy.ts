// Where an outbound request may go: a service this workload's Sidecar scope imports, or — for a host
// outside the registry or the scope — PassthroughCluster (ALLOW_ANY) or BlackHoleCluster (REGISTRY_ONLY),
// labelled as Istio labels them: destination_service_name is the cluster, destination_service the host.

import { hostImports, type NamespacedHost, parseNamespacedHost } from '../../../lib/mesh-config/egress-hosts';
import { LABEL_WORKLOAD } from '../../../lib/mesh-config/labels';
import { MESH_ROOT_NAMESPACE } from '../../../lib/mesh-config/references';
import type { OutboundTrafficMode, Sidecar } from '../../../lib/mesh-config/schema';
import { lookupService, type MeshModel, type ServiceConfig, UNKNOWN, workloadKey } from './mesh-model';
import type { ServiceIdentity, WorkloadIdentity } from './telemetry-types';

export const PASSTHROUGH_CLUSTER = 'PassthroughCluster';
export const BLACKHOLE_CLUSTER = 'BlackHoleCluster';

/** The policy for one workload: the Sidecar that applies (if any), its scope and the outbound mode. */
export interface EgressPolicy {
  /** `Sidecar ns/name`, or undefined when none applies (everything in the registry is in scope). */
  sidecar: string | undefined;
  /** The Sidecar's egress hosts; undefined: no Sidecar egress, the whole registry. */
  hosts: readonly NamespacedHost[] | undefined;
  mode: OutboundTrafficMode;
}

export type EgressDecision =
  | { kind: 'service'; service: ServiceConfig }
  | { kind: 'passthrough' | 'blackhole'; identity: ServiceIdentity; reason: string };

/**
 * The Sidecar that applies to a workload, as Istio picks it: one in its namespace selecting its labels,
 * else its namespace's one without a selector, else the root namespace's one without a selector; the
 * oldest on a tie (the model keeps them in creation order).
 */
export function applicableSidecar(
  sidecars: readonly Sidecar[],
  namespace: string,
  labels: Readonly<Record<string, string>>,
): Sidecar | undefined {
  const inNs = (ns: string) => sidecars.filter((s) => (s.metadata.namespace ?? 'default') === ns);
  const own = inNs(namespace);
  const selecting = own.find((s) => {
    const sel = s.spec.workloadSelector?.labels;
    return sel !== undefined && Object.entries(sel).every(([k, v]) => labels[k] === v);
  });
  return (
    selecting ??
    own.find((s) => s.spec.workloadSelector === undefined) ??
    inNs(MESH_ROOT_NAMESPACE).find((s) => s.spec.workloadSelector === undefined)
  );
}

/** The policy of a workload under a model (pure). */
export function egressPolicyOf(model: MeshModel, self: WorkloadIdentity): EgressPolicy {
  const entry = model.workloadEntries.get(workloadKey(self.namespace, self.workload));
  const labels = entry?.labels ?? { app: self.app, version: self.version, [LABEL_WORKLOAD]: self.workload };
  const sidecar = applicableSidecar(model.sidecars, self.namespace, labels);
  const egress = sidecar?.spec.egress;
  const hosts = egress?.flatMap((l) =>
    l.hosts.map(parseNamespacedHost).filter((h): h is NamespacedHost => typeof h !== 'string'),
  );
  return {
    sidecar: sidecar && `Sidecar ${sidecar.metadata.namespace ?? 'default'}/${sidecar.metadata.name}`,
    hosts,
    mode: sidecar?.spec.outboundTrafficPolicy?.mode ?? model.outboundMode,
  };
}

const cache = new WeakMap<MeshModel, WeakMap<WorkloadIdentity, EgressPolicy>>();

/**
 * egressPolicyOf, computed once per model and identity object (a config swap makes a new model; a
 * sidecar's identities are fixed objects): keyed by reference, as a per-request `namespace/workload`
 * string key cost a string hash on every request.
 */
export function egressPolicy(model: MeshModel, self: WorkloadIdentity): EgressPolicy {
  let bySelf = cache.get(model);
  if (bySelf === undefined) {
    bySelf = new WeakMap();
    cache.set(model, bySelf);
  }
  let policy = bySelf.get(self);
  if (policy === undefined) {
    policy = egressPolicyOf(model, self);
    bySelf.set(self, policy);
  }
  return policy;
}

/** Is a service in the policy's scope? */
export function inScope(policy: EgressPolicy, service: ServiceConfig, ownNamespace: string): boolean {
  if (policy.hosts === undefined) return true;
  const names = [service.fqdn, service.identity.service];
  return policy.hosts.some((h) => hostImports(h, ownNamespace, service.configNamespace, names));
}

/** Istio's labels for traffic to an egress cluster: the host as destination_service, the rest unknown. */
export function egressIdentity(cluster: string, host: string): ServiceIdentity {
  return { service: host || UNKNOWN, serviceName: cluster, serviceNamespace: UNKNOWN };
}

/**
 * Where a request for `hostname` goes from `self`. Undefined for a request that names no host (no route,
 * NR, as before). A gateway proxy (no Sidecar applies to gateways in Istio) sees the whole registry and
 * forwards nothing it does not know.
 */
export function decideEgress(
  model: MeshModel,
  self: WorkloadIdentity,
  hostname: string,
): EgressDecision | undefined {
  if (hostname === '') return undefined;
  const service = lookupService(model, hostname);
  if (model.gateways !== undefined) return service && { kind: 'service', service };
  const policy = egressPolicy(model, self);
  if (service !== undefined && inScope(policy, service, self.namespace)) return { kind: 'service', service };
  const why =
    service === undefined
      ? `${hostname} is not in the service registry`
      : `${hostname} is outside the egress hosts of ${policy.sidecar}`;
  const host = hostname.toLowerCase();
  if (policy.mode === 'REGISTRY_ONLY')
    return {
      kind: 'blackhole',
      identity: egressIdentity(BLACKHOLE_CLUSTER, host),
      reason: `${why} and outboundTrafficPolicy is REGISTRY_ONLY${policy.sidecar ? ` (${policy.sidecar})` : ''}`,
    };
  return {
    kind: 'passthrough',
    identity: egressIdentity(PASSTHROUGH_CLUSTER, host),
    reason: `${why}: ALLOW_ANY`,
  };
}

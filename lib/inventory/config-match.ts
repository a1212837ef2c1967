// Which Istio config applies to a service (by host) or to a workload (by namespace and selector), as
// Kiali lists it on its pages: VirtualServices, DestinationRules and ServiceEntries by host;
// PeerAuthentications and Sidecars namespace-wide, mesh-wide (root namespace) or by selector.
import { qualifyHost } from '../mesh-config/references';
import type { DestinationRule, ServiceEntry, VirtualService, WorkloadEntry } from '../mesh-config/schema';
import type { ConfigRef } from './types';

/** Istio's default root namespace: a PeerAuthentication or Sidecar there without a selector is mesh-wide. */
export const DEFAULT_ROOT_NAMESPACE = 'istio-system';

/** A resource that picks workloads by labels (PeerAuthentication, Sidecar); no selector = namespace-wide. */
export interface SelectorResource {
  namespace: string;
  name: string;
  selector?: Record<string, string>;
}

export interface MeshConfigInput {
  virtualServices: VirtualService[];
  destinationRules: DestinationRule[];
  serviceEntries: ServiceEntry[];
  workloadEntries: WorkloadEntry[];
  peerAuthentications: SelectorResource[];
  sidecars: SelectorResource[];
}

export const EMPTY_CONFIG: MeshConfigInput = {
  virtualServices: [],
  destinationRules: [],
  serviceEntries: [],
  workloadEntries: [],
  peerAuthentications: [],
  sidecars: [],
};

const nsOf = (r: { metadata: { namespace?: string } }) => r.metadata.namespace ?? 'default';

/** An Istio host (`reviews`, `reviews.bookinfo.svc.cluster.local`, `*.example.com`, `*`) seen from `ns`, against an FQDN. */
export function hostMatches(pattern: string, namespace: string, fqdn: string): boolean {
  const p = qualifyHost(pattern.toLowerCase(), namespace);
  const h = fqdn.toLowerCase();
  if (p === '*') return true;
  if (p.startsWith('*.')) return h.endsWith(p.slice(1));
  return p === h;
}

/** Every label of `selector` is on the workload (an empty selector selects everything). */
export function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** The VirtualServices, DestinationRules and ServiceEntries of a service's host. */
export function configForHost(fqdn: string, c: MeshConfigInput): ConfigRef[] {
  const out: ConfigRef[] = [];
  const reason = `host ${fqdn}`;
  for (const vs of c.virtualServices)
    if (vs.spec.hosts.some((h) => hostMatches(h, nsOf(vs), fqdn)))
      out.push({ kind: 'VirtualService', namespace: nsOf(vs), name: vs.metadata.name, reason });
  for (const dr of c.destinationRules)
    if (hostMatches(dr.spec.host, nsOf(dr), fqdn))
      out.push({ kind: 'DestinationRule', namespace: nsOf(dr), name: dr.metadata.name, reason });
  for (const se of c.serviceEntries)
    if (se.spec.hosts.some((h) => hostMatches(h, nsOf(se), fqdn)))
      out.push({ kind: 'ServiceEntry', namespace: nsOf(se), name: se.metadata.name, reason });
  return out;
}

function bySelector(
  kind: 'PeerAuthentication' | 'Sidecar',
  items: readonly SelectorResource[],
  namespace: string,
  labels: Record<string, string>,
  rootNamespace: string,
): ConfigRef[] {
  const out: ConfigRef[] = [];
  for (const r of items) {
    const ref = { kind, namespace: r.namespace, name: r.name };
    if (r.selector && Object.keys(r.selector).length > 0) {
      // Istio ignores a selector in the root namespace (a workload policy lives in its own namespace).
      if (r.namespace === namespace && r.namespace !== rootNamespace && selects(r.selector, labels))
        out.push({ ...ref, reason: `selector ${formatLabels(r.selector)}` });
    } else if (r.namespace === namespace) out.push({ ...ref, reason: 'namespace-wide' });
    else if (r.namespace === rootNamespace) out.push({ ...ref, reason: 'mesh-wide' });
  }
  return out;
}

/** PeerAuthentications, Sidecars and ServiceEntries (by workloadSelector) that pick a workload. */
export function configForWorkload(
  namespace: string,
  labels: Record<string, string>,
  c: MeshConfigInput,
  rootNamespace = DEFAULT_ROOT_NAMESPACE,
): ConfigRef[] {
  const out = [
    ...bySelector('PeerAuthentication', c.peerAuthentications, namespace, labels, rootNamespace),
    ...bySelector('Sidecar', c.sidecars, namespace, labels, rootNamespace),
  ];
  for (const se of c.serviceEntries) {
    const sel = se.spec.workloadSelector?.labels;
    if (sel && nsOf(se) === namespace && selects(sel, labels))
      out.push({
        kind: 'ServiceEntry',
        namespace,
        name: se.metadata.name,
        reason: `workloadSelector ${formatLabels(sel)}`,
      });
  }
  return out;
}

/** Unique by kind/namespace/name, the first reason kept; sorted by kind then name. */
export function mergeConfig(refs: readonly ConfigRef[]): ConfigRef[] {
  const seen = new Map<string, ConfigRef>();
  for (const r of refs) {
    const k = `${r.kind}/${r.namespace}/${r.name}`;
    if (!seen.has(k)) seen.set(k, r);
  }
  return [...seen.values()].sort((a, b) =>
    a.kind === b.kind
      ? `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`)
      : a.kind.localeCompare(b.kind),
  );
}

export function formatLabels(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** The hosts a ServiceEntry declares, qualified from its namespace. */
export function serviceEntryHosts(se: ServiceEntry): string[] {
  return se.spec.hosts.map((h) => qualifyHost(h.toLowerCase(), nsOf(se)));
}

// The service registry the checks consult, built once per run from the resources: known hosts (from
// ServiceEntries and the caller's services), the namespaces that declare each host, and workloads
// (WorkloadEntries and the caller's), with the workloads each host's service selects.
import { CLUSTER_DOMAIN, LABEL_APP, LABEL_CANONICAL_NAME } from '../labels';
import { qualifyHost } from '../references';
import type { MeshResource } from '../schema';
import type { ValidateOptions, WorkloadRef } from './types';

export interface Registry {
  /** The fully qualified known host a name refers to from `namespace`, or undefined. */
  resolve(host: string, namespace: string): string | undefined;
  /** The namespaces a known host belongs to (its Kubernetes namespace and the ServiceEntries declaring it). */
  namespacesOf(fqdn: string): ReadonlySet<string>;
  /** Every known host. */
  hosts(): Iterable<string>;
  /** The workloads behind a host: selected by its ServiceEntries, its endpoints, or its app label. */
  workloadsOf(fqdn: string): WorkloadRef[];
  workloads: readonly WorkloadRef[];
}

/** `reviews.bookinfo.svc.cluster.local` → {name: reviews, namespace: bookinfo}. */
export function kubernetesService(fqdn: string): { name: string; namespace: string } | undefined {
  const suffix = `.${CLUSTER_DOMAIN}`;
  if (!fqdn.endsWith(suffix)) return undefined;
  const parts = fqdn.slice(0, -suffix.length).split('.');
  const [name, namespace] = parts;
  return parts.length === 2 && name && namespace ? { name, namespace } : undefined;
}

/** Every label of `selector` is on `labels` (an empty selector selects everything). */
export function selects(
  selector: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>>,
) {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** Does a host pattern (`*.example.com`, `*` or a name) match `host`? */
export function hostMatches(pattern: string, host: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1));
  return pattern === host;
}

function workloadsFrom(resources: readonly MeshResource[], extra: readonly WorkloadRef[]): WorkloadRef[] {
  const out = [...extra];
  for (const r of resources) {
    if (r.kind !== 'WorkloadEntry') continue;
    out.push({
      namespace: r.metadata.namespace ?? 'default',
      name: r.metadata.name,
      labels: { ...r.metadata.labels, ...r.spec.labels },
    });
  }
  return out;
}

export function buildRegistry(resources: readonly MeshResource[], options: ValidateOptions = {}): Registry {
  const workloads = workloadsFrom(resources, options.workloads ?? []);
  const namespaces = new Map<string, Set<string>>();
  const wildcards: string[] = [];
  const selected = new Map<string, WorkloadRef[]>();
  const addHost = (fqdn: string, ns?: string) => {
    const h = fqdn.toLowerCase();
    if (h.includes('*')) wildcards.push(h);
    const set = namespaces.get(h) ?? new Set<string>();
    const k8s = kubernetesService(h);
    if (k8s) set.add(k8s.namespace);
    if (ns) set.add(ns);
    namespaces.set(h, set);
    return h;
  };
  for (const host of options.services ?? []) addHost(host);
  for (const r of resources) {
    if (r.kind !== 'ServiceEntry') continue;
    const ns = r.metadata.namespace ?? 'default';
    for (const h of r.spec.hosts) {
      const fqdn = addHost(qualifyHost(h, ns), ns);
      const list = selected.get(fqdn) ?? [];
      const selector = r.spec.workloadSelector?.labels;
      if (selector) list.push(...workloads.filter((w) => w.namespace === ns && selects(selector, w.labels)));
      for (const e of r.spec.endpoints ?? []) list.push({ namespace: ns, labels: e.labels ?? {} });
      selected.set(fqdn, list);
    }
  }
  const resolve = (host: string, namespace: string): string | undefined => {
    const h = host.toLowerCase();
    for (const c of [h, qualifyHost(h, namespace), `${h}.${CLUSTER_DOMAIN}`]) if (namespaces.has(c)) return c;
    const wildcard = wildcards.find((w) => hostMatches(w, h));
    return wildcard === undefined ? undefined : h;
  };
  const workloadsOf = (fqdn: string): WorkloadRef[] => {
    const out = [...(selected.get(fqdn) ?? [])];
    const k8s = kubernetesService(fqdn);
    if (k8s) {
      for (const w of workloads) {
        const app = w.labels[LABEL_CANONICAL_NAME] ?? w.labels[LABEL_APP];
        if (w.namespace === k8s.namespace && app === k8s.name && !out.includes(w)) out.push(w);
      }
    }
    return out;
  };
  return {
    resolve,
    namespacesOf: (fqdn) => namespaces.get(fqdn) ?? new Set(),
    hosts: () => namespaces.keys(),
    workloadsOf,
    workloads,
  };
}

// Sidecar checks (Kiali's KIA1004): each egress host `namespace/dnsName` should match a known service.
// Reads the Sidecar loosely: the kind joins the schema with issue 12, and the check applies from then on.
import { finding, type Located } from './finding';
import { hostMatches, type Registry } from './registry';
import type { Validation } from './types';

interface SidecarSpec {
  egress?: { hosts?: string[] }[];
}

/** Does `namespace/dnsName`, seen from a Sidecar in `own`, match any known host? */
function egressMatches(entry: string, own: string, registry: Registry): boolean {
  const slash = entry.indexOf('/');
  if (slash < 0) return true; // not Istio's form: the schema's to reject, not a registry miss
  const ns = entry.slice(0, slash);
  const dns = entry.slice(slash + 1).toLowerCase();
  if (ns === '~') return true; // `~/…` imports nothing, on purpose
  if (dns === '*') return true;
  for (const host of registry.hosts()) {
    if (!hostMatches(dns, host)) continue;
    const nss = registry.namespacesOf(host);
    if (ns === '*' || (ns === '.' ? nss.has(own) : nss.has(ns))) return true;
  }
  return false;
}

export function sidecarChecks(
  resources: readonly (Located & { spec?: unknown })[],
  registry: Registry,
): Validation[] {
  const out: Validation[] = [];
  for (const r of resources) {
    if (r.kind !== 'Sidecar') continue;
    const own = r.metadata.namespace ?? 'default';
    const egress = ((r.spec ?? {}) as SidecarSpec).egress ?? [];
    for (const [ei, listener] of egress.entries()) {
      for (const [hi, host] of (listener.hosts ?? []).entries()) {
        if (!egressMatches(host, own, registry))
          out.push(finding('sidecarEgressNotFound', r, `spec.egress[${ei}].hosts[${hi}]`, host));
      }
    }
  }
  return out;
}

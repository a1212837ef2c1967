// Sidecar checks (Kiali's KIA1004): each egress host `namespace/dnsName` should match a known service.
// A host in a wrong form is the schema's to refuse (422); here only well-formed hosts that match nothing.
import { parseNamespacedHost } from '../egress-hosts';
import type { MeshResource, Sidecar } from '../schema';
import { finding } from './finding';
import { hostMatches, type Registry } from './registry';
import type { Validation } from './types';

/** Does `namespace/dnsName`, seen from a Sidecar in `own`, match any known host? */
function egressMatches(entry: string, own: string, registry: Registry): boolean {
  const parsed = parseNamespacedHost(entry);
  if (typeof parsed === 'string') return true; // not Istio's form: the schema's to reject, not a registry miss
  const { namespace: ns, dnsName: dns } = parsed;
  if (ns === '~') return true; // `~/…` imports nothing, on purpose
  if (dns === '*') return true;
  for (const host of registry.hosts()) {
    if (!hostMatches(dns, host)) continue;
    const nss = registry.namespacesOf(host);
    if (ns === '*' || (ns === '.' ? nss.has(own) : nss.has(ns))) return true;
  }
  return false;
}

export function sidecarChecks(resources: readonly MeshResource[], registry: Registry): Validation[] {
  const out: Validation[] = [];
  for (const r of resources) {
    if (r.kind !== 'Sidecar') continue;
    const sidecar: Sidecar = r;
    const own = sidecar.metadata.namespace ?? 'default';
    for (const [ei, listener] of (sidecar.spec.egress ?? []).entries()) {
      for (const [hi, host] of listener.hosts.entries()) {
        if (!egressMatches(host, own, registry))
          out.push(finding('sidecarEgressNotFound', sidecar, `spec.egress[${ei}].hosts[${hi}]`, host));
      }
    }
  }
  return out;
}

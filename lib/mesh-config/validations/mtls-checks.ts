// mTLS consistency (Kiali's KIA0207): a DestinationRule that disables TLS towards a host whose namespace
// (or the whole mesh) a PeerAuthentication makes STRICT: the server refuses the plain-text calls.
// Reads PeerAuthentication and `trafficPolicy.tls` loosely, so it works whichever schema version holds them.

import { finding, type Located } from './finding';
import { kubernetesService, type Registry } from './registry';
import type { Validation } from './types';

/** Istio's root namespace: a selector-less PeerAuthentication there applies to the whole mesh. */
export const MESH_ROOT_NAMESPACE = 'istio-system';

interface LooseResource extends Located {
  spec?: unknown;
}

interface PeerAuthenticationSpec {
  selector?: { matchLabels?: Record<string, string> };
  mtls?: { mode?: string };
}

interface DestinationRuleSpec {
  host?: string;
  trafficPolicy?: { tls?: { mode?: string } };
}

/** The mode of each namespace-wide PeerAuthentication, by namespace (selector-less ones only). */
function namespaceModes(resources: readonly LooseResource[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of resources) {
    if (r.kind !== 'PeerAuthentication') continue;
    const spec = (r.spec ?? {}) as PeerAuthenticationSpec;
    if (Object.keys(spec.selector?.matchLabels ?? {}).length > 0) continue;
    const mode = spec.mtls?.mode;
    if (mode && mode !== 'UNSET') out.set(r.metadata.namespace ?? 'default', mode);
  }
  return out;
}

export function mtlsChecks(resources: readonly LooseResource[], registry: Registry): Validation[] {
  const modes = namespaceModes(resources);
  if (modes.size === 0) return [];
  const out: Validation[] = [];
  for (const r of resources) {
    if (r.kind !== 'DestinationRule') continue;
    const spec = (r.spec ?? {}) as DestinationRuleSpec;
    if (spec.trafficPolicy?.tls?.mode !== 'DISABLE' || !spec.host) continue;
    const ns = r.metadata.namespace ?? 'default';
    const fqdn = registry.resolve(spec.host, ns);
    const hostNs = (fqdn && kubernetesService(fqdn)?.namespace) ?? ns;
    const mode = modes.get(hostNs) ?? modes.get(MESH_ROOT_NAMESPACE);
    if (mode !== 'STRICT') continue;
    const where = modes.has(hostNs) ? `namespace ${hostNs}` : 'the mesh';
    out.push(
      finding('drTlsDisabledUnderStrict', r, 'spec.trafficPolicy.tls.mode', `mTLS is STRICT in ${where}`),
    );
  }
  return out;
}

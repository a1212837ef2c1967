// Which mTLS mode applies to a workload's or a namespace's inbound traffic, from the mesh's
// PeerAuthentications with Istio's precedence: workload (selector, own namespace) > namespace > mesh
// (root namespace); UNSET inherits from the next level; the oldest policy wins a tie; none is PERMISSIVE.
// Port-level modes are not resolved here: the graph does not know a workload's ports.
import type { MtlsMode, PeerAuthentication } from '../mesh-config/schema';
import type { PeerMode } from './types';

function oldest(policies: readonly PeerAuthentication[]): PeerAuthentication | undefined {
  if (policies.length <= 1) return policies[0];
  return [...policies].sort((a, b) => {
    const ta = a.metadata.creationTimestamp ?? '';
    const tb = b.metadata.creationTimestamp ?? '';
    if (ta !== tb) return ta < tb ? -1 : 1;
    return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
  })[0];
}

const modeOf = (p: PeerAuthentication | undefined): MtlsMode => p?.spec.mtls?.mode ?? 'UNSET';

function selectorOf(p: PeerAuthentication): Record<string, string> | undefined {
  const m = p.spec.selector?.matchLabels ?? {};
  return Object.keys(m).length > 0 ? m : undefined;
}

/**
 * The effective mode for a workload with `labels` in `namespace` — or, without labels, for the namespace
 * itself (what its namespace-wide or mesh-wide policy says).
 */
export function peerMode(
  policies: readonly PeerAuthentication[],
  namespace: string,
  rootNamespace: string,
  labels?: Readonly<Record<string, string | undefined>>,
): PeerMode {
  const workload: PeerAuthentication[] = [];
  const ns: PeerAuthentication[] = [];
  const mesh: PeerAuthentication[] = [];
  for (const p of policies) {
    const pns = p.metadata.namespace ?? 'default';
    const sel = selectorOf(p);
    if (sel) {
      if (labels && pns === namespace && Object.entries(sel).every(([k, v]) => labels[k] === v))
        workload.push(p);
    } else if (pns === namespace) ns.push(p);
    else if (pns === rootNamespace) mesh.push(p);
  }
  let mode = modeOf(oldest(workload));
  if (mode === 'UNSET') mode = modeOf(oldest(ns));
  if (mode === 'UNSET') mode = modeOf(oldest(mesh));
  return mode === 'UNSET' ? 'PERMISSIVE' : mode;
}

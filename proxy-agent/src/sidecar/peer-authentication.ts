// Which mTLS mode applies to a workload's inbound traffic, from the mesh's PeerAuthentications with
// Istio's precedence: workload (selector, own namespace) > namespace > mesh (root namespace); UNSET
// inherits from the next level; the oldest policy wins a tie; no policy at all is PERMISSIVE.
import type { MtlsMode, PeerAuthentication } from '../../../lib/mesh-config/schema';

/** Istio's default mesh root namespace: policies there without a selector apply mesh-wide. */
export const MESH_ROOT_NAMESPACE = 'istio-system';

/** What a workload's inbound side accepts (UNSET resolved). */
export type EffectiveMtls = Exclude<MtlsMode, 'UNSET'>;

export interface PolicyTarget {
  namespace: string;
  labels: Readonly<Record<string, string>>;
  /** The workload's ports (its WorkloadEntry's, the app's), matched against portLevelMtls. */
  ports: readonly number[];
}

function selects(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>) {
  for (const k in selector) if (labels[k] !== selector[k]) return false;
  return true;
}

/** Oldest first (creationTimestamp), then by name: Istio's tie-break between policies of one level. */
function oldest(policies: PeerAuthentication[]): PeerAuthentication | undefined {
  if (policies.length <= 1) return policies[0];
  return [...policies].sort((a, b) => {
    const ta = a.metadata.creationTimestamp ?? '';
    const tb = b.metadata.creationTimestamp ?? '';
    if (ta !== tb) return ta < tb ? -1 : 1;
    return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
  })[0];
}

function modeOf(p: PeerAuthentication | undefined): MtlsMode {
  return p?.spec.mtls?.mode ?? 'UNSET';
}

export function effectiveMtlsMode(
  policies: readonly PeerAuthentication[],
  target: PolicyTarget,
  rootNamespace: string = MESH_ROOT_NAMESPACE,
): EffectiveMtls {
  const workload: PeerAuthentication[] = [];
  const namespace: PeerAuthentication[] = [];
  const mesh: PeerAuthentication[] = [];
  for (const p of policies) {
    const ns = p.metadata.namespace ?? 'default';
    const matchLabels = p.spec.selector?.matchLabels ?? {};
    const hasSelector = Object.keys(matchLabels).length > 0;
    if (hasSelector) {
      // A selector only ever selects workloads of its own namespace (in the root namespace too).
      if (ns === target.namespace && selects(matchLabels, target.labels)) workload.push(p);
    } else if (ns === target.namespace) namespace.push(p);
    else if (ns === rootNamespace) mesh.push(p);
  }
  const w = oldest(workload);
  let mode: MtlsMode = 'UNSET';
  if (w !== undefined) {
    const byPort = w.spec.portLevelMtls ?? {};
    for (const port of target.ports) {
      const m = byPort[String(port)]?.mode;
      if (m !== undefined && m !== 'UNSET') return m;
    }
    mode = modeOf(w);
  }
  if (mode === 'UNSET') mode = modeOf(oldest(namespace));
  if (mode === 'UNSET') mode = modeOf(oldest(mesh));
  return mode === 'UNSET' ? 'PERMISSIVE' : mode;
}

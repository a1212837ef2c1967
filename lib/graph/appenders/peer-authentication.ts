// Peer authentication: the effective mTLS mode of each namespace drawn (the STRICT badge), and, on each
// edge, words when traffic that should be mTLS is not — destination-reported plaintext into a workload
// whose PeerAuthentication is not DISABLE (PERMISSIVE accepts it; a sidecar-less caller cannot do better).
import type { MeshConfigView } from '../config-badges';
import { formatPercent } from '../format';
import { MESH_ROOT_NAMESPACE } from '../mesh-config-source';
import { peerMode } from '../peer-modes';
import type { Route, TrafficMap } from '../traffic-map';
import type { PeerMode } from '../types';

export function appendPeerAuthentication(
  map: TrafficMap,
  config: MeshConfigView | undefined,
  rootNamespace: string = MESH_ROOT_NAMESPACE,
): void {
  const policies = config?.peerAuthentications ?? [];
  if (config) {
    const modes = new Map<string, PeerMode>();
    for (const n of map.nodes.values()) {
      const ns = n.spec.namespace;
      if (ns && ns !== 'unknown' && !modes.has(ns)) modes.set(ns, peerMode(policies, ns, rootNamespace));
    }
    map.namespaceMtls = modes;
  }
  // The mode of each workload that received plaintext, by the edges its requests took.
  const plainInto = new Map<string, PeerMode>();
  for (let i = 0; i < map.series.length; i++) {
    const s = map.series[i] as TrafficMap['series'][number];
    const w = s.destination.workload;
    if (s.reporter !== 'destination' || s.mtls !== false || !((map.rates[i] as number) > 0) || !w) continue;
    const mode = peerMode(policies, w.namespace, rootNamespace, {
      app: w.app,
      version: w.version,
    });
    if (mode === 'DISABLE') continue;
    for (const id of (map.routes[i] as Route).edgeIds) plainInto.set(id, mode);
  }
  for (const [id, mode] of plainInto) {
    const e = map.edges.get(id);
    if (!e || !(e.mtls.all > 0)) continue;
    const share = formatPercent(((e.mtls.all - e.mtls.yes) / e.mtls.all) * 100);
    e.mtlsWarning =
      mode === 'STRICT'
        ? `${share} of requests in plaintext although the destination is STRICT`
        : `${share} of requests in plaintext into a ${mode} workload: it accepts them, but they are not authenticated (no mutual TLS)`;
  }
}

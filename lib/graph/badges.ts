// Puts config badges and live Envoy stats on the graph's nodes and edges: a service node carries its
// host's badges; without service nodes, the workloads reached through the service carry them. Edges
// into a service carry its route badges and the caller's live retry stats for that host.
import { CLUSTER_DOMAIN } from '../mesh-config/labels';
import type { Assembled } from './assemble';
import type { HostConfig } from './config-badges';
import { callerKey, type LiveStats } from './envoy-stats';
import type { Badges, NodeData } from './types';

export function hostsOf(n: NodeData): string[] {
  if (n.serviceHost) return [n.serviceHost];
  return (n.destServices ?? []).map((s) => `${s.name}.${s.namespace}.${CLUSTER_DOMAIN}`);
}

export function applyBadges(
  g: Assembled,
  config: ReadonlyMap<string, HostConfig> | undefined,
  live: LiveStats | undefined,
): void {
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  // A host drawn as a service node carries its badges there, not again on each of its workloads.
  const drawn = new Set(
    g.nodes.flatMap((n) => (n.nodeType === 'service' && n.serviceHost ? [n.serviceHost] : [])),
  );
  for (const n of g.nodes) {
    if (n.nodeType === 'box' || n.nodeType === 'unknown') continue;
    const hosts = n.nodeType === 'service' ? hostsOf(n) : hostsOf(n).filter((h) => !drawn.has(h));
    if (hosts.length === 0) continue;
    for (const host of hosts) {
      const c = config?.get(host);
      if (c) {
        if (c.hasVS) n.hasVS = true;
        if (c.hasCB) n.hasCB = true;
        n.badges = { ...c.badges, ...n.badges };
      }
    }
    // Live stats describe the service's cluster: shown on the service node, or on the workloads when
    // no service node is drawn.
    n.badges.live = live?.byHost.get(hosts[0] as string) ?? { reported: false };
  }
  for (const e of g.edges) {
    const target = byId.get(e.target);
    const source = byId.get(e.source);
    if (!target || target.nodeType === 'box') continue;
    // Route badges belong on the hop into the service (caller → service, or caller → workload when
    // service nodes are not drawn), not on the service → workload hop.
    if (source?.nodeType === 'service' && source.serviceHost !== undefined) continue;
    const host = hostsOf(target)[0];
    if (!host) continue;
    const c = config?.get(host);
    const badges: Badges = {};
    if (c?.badges.canary) badges.canary = c.badges.canary;
    if (c?.badges.retries) badges.retries = c.badges.retries;
    if (c?.badges.fault) badges.fault = c.badges.fault;
    if (source?.workload) {
      badges.live = live?.byCaller.get(callerKey(source.namespace, source.workload, host)) ?? {
        reported: false,
      };
    } else {
      badges.live = { reported: false };
    }
    e.badges = badges;
  }
}

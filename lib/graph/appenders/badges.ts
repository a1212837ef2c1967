// Badges (Kiali's `istio` appender): config badges from the mesh config and live Envoy stats. A service
// node carries its host's badges; without service nodes, the workloads reached through the service carry
// them. Edges into a service carry its route badges and the caller's live retry stats for that host.
import { CLUSTER_DOMAIN } from '../../mesh-config/labels';
import { configBadges, type HostConfig, type MeshConfigView } from '../config-badges';
import { callerKey, type LiveStats } from '../envoy-stats';
import type { TrafficMap, TrafficNode } from '../traffic-map';
import type { Badges, EnvoyLive } from '../types';

/**
 * The live badge of a host or caller the Envoy stats say nothing about, and the badges of an edge with
 * only that: frozen, one object for every element that has them (most of a large mesh's 35,000 elements
 * without stats), instead of one or two objects an element a build.
 */
const NOT_REPORTED: EnvoyLive = Object.freeze({ reported: false });
const ONLY_NOT_REPORTED: Badges = Object.freeze({ live: NOT_REPORTED });

/** The first of `hostsOf(n)`, without the array. */
function firstHostOf(n: TrafficNode): string | undefined {
  if (n.spec.serviceHost) return n.spec.serviceHost;
  if (n.destServices) for (const s of n.destServices.values()) return hostOf(s);
  return undefined;
}

/** The service hosts a node stands for: its own, or those of the services its requests came by. */
export function hostsOf(n: TrafficNode): string[] {
  if (n.spec.serviceHost) return [n.spec.serviceHost];
  const out: string[] = [];
  if (n.destServices) for (const s of n.destServices.values()) out.push(hostOf(s));
  return out;
}

/** Hosts of the services kept between graphs (frozen, see `traffic-map.ts`): each written once. */
const hostsOfServices = new WeakMap<object, string>();

function hostOf(s: { namespace: string; name: string }): string {
  if (!Object.isFrozen(s)) return `${s.name}.${s.namespace}.${CLUSTER_DOMAIN}`;
  let host = hostsOfServices.get(s);
  if (host === undefined) {
    host = `${s.name}.${s.namespace}.${CLUSTER_DOMAIN}`;
    hostsOfServices.set(s, host);
  }
  return host;
}

/**
 * `live` undefined: the stats could not be read (every badge says "not reported"). One pass over the nodes and
 * one over the edges, no array a node: a node's hosts are walked where they are (`hostsOf` made two arrays a
 * node, ~20,000 a build at 5,000 workloads, for a list of one host).
 */
export function appendBadges(
  map: TrafficMap,
  config: MeshConfigView | undefined,
  live: LiveStats | undefined,
): void {
  const all = config ? configBadges(config) : undefined;
  const hostConfig = all !== undefined && all.size > 0 ? all : undefined;
  const byHost = live !== undefined && live.byHost.size > 0 ? live.byHost : undefined;
  const byCaller = live !== undefined && live.byCaller.size > 0 ? live.byCaller : undefined;
  // A host drawn as a service node carries its badges there, not again on each of its workloads.
  const drawn = new Set<string>();
  for (const n of map.nodes.values()) {
    if (n.spec.nodeType === 'service' && n.spec.serviceHost) drawn.add(n.spec.serviceHost);
  }
  for (const n of map.nodes.values()) {
    const spec = n.spec;
    const type = spec.nodeType;
    if (type === 'unknown') continue;
    // The node's hosts (`hostsOf`), those drawn as a service node left out unless it is that node.
    let first: string | undefined;
    if (spec.serviceHost) {
      const host = spec.serviceHost;
      if (type === 'service' || !drawn.has(host)) {
        first = host;
        if (hostConfig) withHostConfig(n, hostConfig.get(host));
      }
    } else if (n.destServices) {
      for (const s of n.destServices.values()) {
        const host = hostOf(s);
        if (type !== 'service' && drawn.has(host)) continue;
        first ??= host;
        if (hostConfig) withHostConfig(n, hostConfig.get(host));
      }
    }
    if (first === undefined) continue;
    // Live stats describe the service's cluster: shown on the service node, or on the workloads when
    // no service node is drawn.
    n.badges.live = byHost?.get(first) ?? NOT_REPORTED;
  }
  for (const e of map.edges.values()) {
    const target = map.nodes.get(e.target);
    if (!target) continue;
    const source = map.nodes.get(e.source)?.spec;
    // Route badges belong on the hop into the service (caller → service, or caller → workload when
    // service nodes are not drawn), not on the service → workload hop.
    if (source?.nodeType === 'service' && source.serviceHost !== undefined) continue;
    const host = firstHostOf(target);
    if (!host) continue;
    const c = hostConfig?.get(host);
    // Stats by caller only when there are any (the key is a string made per edge).
    const fromCaller =
      source?.workload && byCaller !== undefined
        ? byCaller.get(callerKey(source.namespace, source.workload, host))
        : undefined;
    if (!c?.badges.canary && !c?.badges.retries && !c?.badges.fault && !fromCaller) {
      e.badges = ONLY_NOT_REPORTED;
      continue;
    }
    const badges: Badges = {};
    if (c?.badges.canary) badges.canary = c.badges.canary;
    if (c?.badges.retries) badges.retries = c.badges.retries;
    if (c?.badges.fault) badges.fault = c.badges.fault;
    badges.live = fromCaller ?? NOT_REPORTED;
    e.badges = badges;
  }
}

/** A host's config on a node: its flags, and its badges under the node's own (a node's first host's win). */
function withHostConfig(n: TrafficNode, c: HostConfig | undefined): void {
  if (!c) return;
  if (c.hasVS) n.hasVS = true;
  if (c.hasCB) n.hasCB = true;
  n.badges = { ...c.badges, ...n.badges };
}

// Badges (Kiali's `istio` appender): config badges from the mesh config and live Envoy stats. A service
// node carries its host's badges; without service nodes, the workloads reached through the service carry
// them. Edges into a service carry its route badges and the caller's live retry stats for that host.
import { CLUSTER_DOMAIN } from '../../mesh-config/labels';
import { configBadges, type HostConfig, type MeshConfigView } from '../config-badges';
import { callerKey, type LiveStats } from '../envoy-stats';
import type { NodeSpec } from '../nodes';
import type { TrafficMap, TrafficNode } from '../traffic-map';
import type { Badges, EnvoyLive } from '../types';
import { type MapShape, shapeOf } from './map-shape';

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
 * Where a map's badges go, from its shape alone (its nodes' specs and services, its edges' ends): each node's
 * hosts (those drawn as a service node left out unless it is that node; undefined: no badges), each edge's
 * host (its target's first; undefined: no badges) and its caller, element by element in the map's order. Kept
 * with the map's shape (`map-shape.ts`): a polled map of the same series looks up no node for them.
 */
interface BadgePlaces {
  nodeHosts: (readonly string[] | undefined)[];
  edgeHosts: (string | undefined)[];
  edgeSources: (NodeSpec | undefined)[];
}

const placesByShape = new WeakMap<MapShape, BadgePlaces>();

function placesOf(map: TrafficMap): BadgePlaces {
  const shape = shapeOf(map);
  let places = placesByShape.get(shape);
  if (!places) {
    places = newPlaces(map);
    placesByShape.set(shape, places);
  }
  return places;
}

function newPlaces(map: TrafficMap): BadgePlaces {
  // A host drawn as a service node carries its badges there, not again on each of its workloads.
  const drawn = new Set<string>();
  for (const n of map.nodes.values()) {
    if (n.spec.nodeType === 'service' && n.spec.serviceHost) drawn.add(n.spec.serviceHost);
  }
  const places: BadgePlaces = { nodeHosts: [], edgeHosts: [], edgeSources: [] };
  for (const n of map.nodes.values()) {
    const spec = n.spec;
    let hosts: string[] | undefined;
    if (spec.nodeType !== 'unknown') {
      if (spec.serviceHost) {
        if (spec.nodeType === 'service' || !drawn.has(spec.serviceHost)) hosts = [spec.serviceHost];
      } else if (n.destServices) {
        for (const s of n.destServices.values()) {
          const host = hostOf(s);
          if (spec.nodeType !== 'service' && drawn.has(host)) continue;
          if (hosts) hosts.push(host);
          else hosts = [host];
        }
      }
    }
    places.nodeHosts.push(hosts);
  }
  for (const e of map.edges.values()) {
    const target = map.nodes.get(e.target);
    const source = map.nodes.get(e.source)?.spec;
    // Route badges belong on the hop into the service (caller → service, or caller → workload when
    // service nodes are not drawn), not on the service → workload hop.
    const into = !target || (source?.nodeType === 'service' && source.serviceHost !== undefined);
    places.edgeHosts.push(into ? undefined : firstHostOf(target));
    places.edgeSources.push(source);
  }
  return places;
}

/** `live` undefined: the stats could not be read (every badge says "not reported"). */
export function appendBadges(
  map: TrafficMap,
  config: MeshConfigView | undefined,
  live: LiveStats | undefined,
): void {
  const all = config ? configBadges(config) : undefined;
  const hostConfig = all !== undefined && all.size > 0 ? all : undefined;
  const byHost = live !== undefined && live.byHost.size > 0 ? live.byHost : undefined;
  const byCaller = live !== undefined && live.byCaller.size > 0 ? live.byCaller : undefined;
  const { nodeHosts, edgeHosts, edgeSources } = placesOf(map);
  let i = 0;
  for (const n of map.nodes.values()) {
    const hosts = nodeHosts[i++];
    if (hosts === undefined) continue;
    if (hostConfig) for (const host of hosts) withHostConfig(n, hostConfig.get(host));
    // Live stats describe the service's cluster: shown on the service node, or on the workloads when
    // no service node is drawn.
    n.badges.live = byHost?.get(hosts[0] as string) ?? NOT_REPORTED;
  }
  i = 0;
  for (const e of map.edges.values()) {
    const host = edgeHosts[i];
    const source = edgeSources[i++];
    if (host === undefined) continue;
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

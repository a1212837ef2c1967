// Egress (Kiali's egress clusters and gateways, with Meshlens' words): egress gateway nodes flagged (by
// their registered labels, Istio's `istio: egressgateway` or `app: istio-egressgateway`, else by name); each
// workload's Sidecar egress scope (which hosts its proxy may reach, and its own outbound policy); and on
// each edge whose traffic the caller's proxy refused (Envoy's NR, BlackHoleCluster), why — in words; and
// the TLS origination on an edge out to an external host (its DestinationRule's SIMPLE or MUTUAL).
import { LABEL_APP, LABEL_WORKLOAD } from '../../mesh-config/labels';
import type { Sidecar, WorkloadEntry } from '../../mesh-config/schema';
import { qualifyHost } from '../../mesh-config/validate';
import type { MeshConfigView } from '../config-badges';
import { formatPercent } from '../format';
import { MESH_ROOT_NAMESPACE } from '../mesh-config-source';
import type { NumberTally } from '../tally';
import type { TrafficEdge, TrafficMap, TrafficNode } from '../traffic-map';
import type { EgressScope } from '../types';
import { type MapShape, shapeOf } from './map-shape';

/** Istio's egress gateway is named so by convention (`istio-egressgateway`, its app and workload). */
const EGRESS_GATEWAY = /(^|-)egressgateway($|-)/;
/** The labels Istio's install gives the egress gateway's pods; a Gateway's selector matches them. */
const EGRESS_GATEWAY_LABELS: ReadonlyArray<readonly [string, string]> = [
  ['istio', 'egressgateway'],
  [LABEL_APP, 'istio-egressgateway'],
];

/** `namespace/workload` of the registered workloads labelled as an egress gateway. */
export function egressGatewayWorkloads(entries: readonly WorkloadEntry[] | undefined): Set<string> {
  const out = new Set<string>();
  for (const we of entries ?? []) {
    const labels = { ...we.metadata.labels, ...we.spec.labels };
    const workload = labels[LABEL_WORKLOAD] ?? labels[LABEL_APP];
    if (workload === undefined) continue;
    if (EGRESS_GATEWAY_LABELS.some(([k, v]) => labels[k] === v))
      out.add(`${we.metadata.namespace ?? 'default'}/${workload}`);
  }
  return out;
}

/** By its registered labels (else, `placesOf`, by Istio's name: a mesh whose workloads are not registered here). */
function isLabelledGateway(n: TrafficNode, labelled: ReadonlySet<string>): boolean {
  const { workload, namespace } = n.spec;
  return workload !== undefined && labelled.has(`${namespace}/${workload}`);
}

/** Istio's name (`EGRESS_GATEWAY`); the regular expression only for a name that holds the word (few do). */
function isEgressGatewayName(name: string | undefined): boolean {
  return !!name?.includes('egressgateway') && EGRESS_GATEWAY.test(name);
}

export function appendEgress(
  map: TrafficMap,
  config: MeshConfigView | undefined,
  rootNamespace: string = MESH_ROOT_NAMESPACE,
): void {
  const sidecars = config?.sidecars ?? [];
  const labelled = egressGatewayWorkloads(config?.gatewayWorkloads);
  const places = placesOf(map);
  let i = 0;
  for (const n of map.nodes.values()) {
    const { workload } = n.spec;
    if (places.named[i++] === 1 || (labelled.size > 0 && isLabelledGateway(n, labelled)))
      n.isEgressGateway = true;
    if (sidecars.length > 0 && workload !== undefined && n.spec.nodeType !== 'service')
      n.egressScope = egressScopeOf(sidecars, n, rootNamespace);
  }
  const originated = tlsOriginations(config);
  i = 0;
  for (const e of map.edges.values()) {
    // The target only where it matters: a DestinationRule that originates TLS, or refused requests.
    const refused = places.noRoute[i++] === 1 ? refusedShare(e) : 0;
    if (originated.size === 0 && refused === 0) continue;
    const target = map.nodes.get(e.target);
    const host = target?.spec.serviceHost;
    if (host && target?.isServiceEntry === 'MESH_EXTERNAL') e.tlsOrigination = originated.get(host);
    if (refused === 0) continue;
    const source = map.nodes.get(e.source);
    e.refusal = refusalWords(e, refused, source, target);
  }
}

/**
 * What the egress appender takes from a map's shape alone, element by element in its order, kept with the shape
 * (`map-shape.ts`): which nodes Istio's name makes egress gateways, and which edges have requests with NR among
 * their response flags (the refused share is this poll's rates': worked out for those edges only).
 */
interface EgressPlaces {
  named: Uint8Array;
  noRoute: Uint8Array;
}

const placesByShape = new WeakMap<MapShape, EgressPlaces>();

function placesOf(map: TrafficMap): EgressPlaces {
  const shape = shapeOf(map);
  let places = placesByShape.get(shape);
  if (!places) {
    places = { named: new Uint8Array(map.nodes.size), noRoute: new Uint8Array(map.edges.size) };
    let i = 0;
    for (const n of map.nodes.values())
      places.named[i++] = isEgressGatewayName(n.spec.app) || isEgressGatewayName(n.spec.workload) ? 1 : 0;
    i = 0;
    for (const e of map.edges.values()) places.noRoute[i++] = hasNoRouteFlags(e) ? 1 : 0;
    placesByShape.set(shape, places);
  }
  return places;
}

/** Whether any of an edge's response flags holds NR, whatever its rate. */
function hasNoRouteFlags(e: TrafficEdge): boolean {
  for (const c of e.codes.values()) for (const flags of c.flags.keys()) if (hasNoRoute(flags)) return true;
  return false;
}

/**
 * The Sidecar that applies to a workload, with Istio's precedence: one selecting it by labels in its
 * namespace, else its namespace's without a selector, else the root namespace's without a selector.
 */
export function egressScopeOf(
  sidecars: readonly Sidecar[],
  n: Pick<TrafficNode, 'spec'>,
  rootNamespace: string,
): EgressScope | undefined {
  const ns = n.spec.namespace;
  const labels: Record<string, string | undefined> = { app: n.spec.app, version: n.spec.version };
  const inNs = sidecars.filter((s) => (s.metadata.namespace ?? 'default') === ns);
  const selected = inNs.find((s) => {
    const sel = s.spec.workloadSelector?.labels;
    return sel !== undefined && Object.entries(sel).every(([k, v]) => labels[k] === v);
  });
  const nsWide = inNs.find((s) => s.spec.workloadSelector === undefined);
  const mesh = sidecars.find(
    (s) => (s.metadata.namespace ?? 'default') === rootNamespace && s.spec.workloadSelector === undefined,
  );
  const [chosen, appliesBy] = selected
    ? [selected, 'workload' as const]
    : nsWide
      ? [nsWide, 'namespace' as const]
      : mesh
        ? [mesh, 'mesh' as const]
        : [undefined, undefined];
  if (!chosen || !appliesBy) return undefined;
  return {
    sidecar: `${chosen.metadata.namespace ?? 'default'}/${chosen.metadata.name}`,
    appliesBy,
    hosts: (chosen.spec.egress ?? []).flatMap((eg) => eg.hosts),
    ...(chosen.spec.outboundTrafficPolicy?.mode
      ? { outboundTrafficPolicy: chosen.spec.outboundTrafficPolicy.mode }
      : {}),
  };
}

/** External hosts whose DestinationRule has the calling proxy originate TLS (SIMPLE or MUTUAL). */
function tlsOriginations(config: MeshConfigView | undefined): Map<string, 'SIMPLE' | 'MUTUAL'> {
  const out = new Map<string, 'SIMPLE' | 'MUTUAL'>();
  for (const dr of config?.destinationRules ?? []) {
    const mode = dr.spec.trafficPolicy?.tls?.mode;
    if (mode === 'SIMPLE' || mode === 'MUTUAL')
      out.set(qualifyHost(dr.spec.host, dr.metadata.namespace ?? 'default'), mode);
  }
  return out;
}

/** Requests per second the caller's proxy refused: Envoy's NR (no route), as Istio counts them. */
function refusedShare(e: TrafficEdge): number {
  refusedSum = 0;
  e.codes.forEach(addRefusedOfCode);
  return refusedSum;
}

// `refusedShare`'s sum and its callbacks at the module's level: no two closures an edge (~40,000 a build).
let refusedSum = 0;
function addRefusedOfCode(c: { flags: NumberTally }): void {
  c.flags.forEach(addRefusedOfFlags);
}
function addRefusedOfFlags(v: number, flags: string): void {
  if (hasNoRoute(flags)) refusedSum += v;
}

/** Whether Envoy's comma-separated response flags hold NR (without splitting them: one array an edge). */
function hasNoRoute(flags: string): boolean {
  return flags === 'NR' || flags.startsWith('NR,') || flags.endsWith(',NR') || flags.includes(',NR,');
}

function refusedHosts(e: TrafficEdge): string[] {
  const hosts = new Set<string>();
  for (const c of e.codes.values()) {
    const nr = [...c.flags.keys()].some(hasNoRoute);
    if (nr) for (const h of c.hosts.keys()) if (h !== 'unknown') hosts.add(h);
  }
  return [...hosts].sort();
}

function refusalWords(
  e: TrafficEdge,
  refused: number,
  source: TrafficNode | undefined,
  target: TrafficNode | undefined,
): string {
  const share = e.rates.total > 0 ? formatPercent((refused / e.rates.total) * 100) : '';
  const hosts = refusedHosts(e);
  const what = `${share ? `${share} of requests` : 'Requests'}${hosts.length > 0 ? ` to ${hosts.join(', ')}` : ''}`;
  const scope = source?.egressScope;
  const bySidecar = scope
    ? ` The caller's Sidecar ${scope.sidecar} allows only ${scope.hosts.join(', ') || 'no host'}${
        scope.outboundTrafficPolicy ? ` (its outboundTrafficPolicy: ${scope.outboundTrafficPolicy})` : ''
      }.`
    : '';
  if (target?.spec.service === 'BlackHoleCluster')
    return `${what} refused by the caller's proxy (502 NR, BlackHoleCluster): REGISTRY_ONLY — the host is not in the service registry (no ServiceEntry declares it), or not among the caller's Sidecar egress hosts.${bySidecar}`;
  return `${what} refused by the caller's proxy (NR: no route) — no route matches, or the host is outside the caller's Sidecar egress hosts.${bySidecar}`;
}

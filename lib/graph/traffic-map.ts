// The traffic map, as Kiali names it: the request series walked into the graph's nodes and edges —
// rates, response codes and flags, protocols, reporters. Plain data; the appenders (`appenders/`) add
// latency, mTLS, health, locations, boxes and badges to it, and `elements.ts` writes it out as JSON.
import { addRate, emptyRates } from './health';
import { intern } from './intern';
import { type NodeSpec, type PathOptions, requestPath, serviceNode } from './nodes';
import {
  chooseReportersBy,
  edgeKey,
  LabelStrings,
  responseKey,
  type Sample,
  type SeriesIdentity,
  sharedSeries,
  toRequestSeries,
} from './series';
import { RateTally, Tally } from './tally';
import type {
  Badges,
  EgressScope,
  GraphType,
  Health,
  Latency,
  NodeData,
  PeerMode,
  RateBreakdown,
  Reporter,
} from './types';

/** Per response code: the rates by response flag and by destination host. */
export type ResponseCounts = Tally<{ flags: RateTally; hosts: RateTally }>;

/**
 * A latency histogram on the map's one axis of bounds: cumulative counts per bound, and which bounds any
 * of its series had (a bound none had is left out, as a merge of bucket maps would) — the axis' length of
 * entries from `at` in arrays shared by every histogram of a build (a `Float64Array` of its own an element
 * was a buffer outside the heap each: 35,000 a cold build at 5,000 workloads).
 */
export interface Hist {
  counts: Float64Array;
  present: Uint8Array;
  at: number;
}

/** A node or an edge: what the response-time appender adds buckets to. */
export interface HasHist {
  buckets: Hist | undefined;
}

export interface TrafficNode extends HasHist {
  spec: NodeSpec;
  inbound: RateBreakdown;
  out: number;
  /** TCP bytes per second in and out: kept apart from the request rates (other units). */
  tcpIn: number;
  tcpOut: number;
  /** The protocol of the first request series that arrived (the node's protocol). */
  protocol: string | undefined;
  codes: ResponseCounts;
  /** The services its requests came by, by `namespace/name`; undefined: none. */
  destServices: Map<string, { namespace: string; name: string }> | undefined;
  hasInbound: boolean;
  // Set by the appenders (every field present from the start: one object shape for V8).
  latency: Latency | undefined;
  health: Health;
  isServiceEntry: NodeData['isServiceEntry'];
  isEgressGateway: boolean;
  egressScope: EgressScope | undefined;
  isOutside: boolean;
  parent: string | undefined;
  badges: Badges;
  hasVS: boolean;
  hasCB: boolean;
}

export interface TrafficEdge extends HasHist {
  id: string;
  source: string;
  target: string;
  /** Rates by protocol (the edge's protocol is the busiest). */
  protocols: RateTally;
  /** Who reported its series: one reporter, or both (`mixed`); undefined before any. */
  reporter: Reporter | 'mixed' | undefined;
  rates: RateBreakdown;
  /** TCP bytes per second (Kiali's `tcp` rate); the request rates hold no TCP. */
  tcp: number;
  codes: ResponseCounts;
  // Set by the appenders.
  latency: Latency | undefined;
  /** Destination-reported rates: all of them, and those over mutual TLS. */
  mtls: { yes: number; all: number };
  /** The SPIFFE ids of the two sides, from destination-reported series (Kiali's principals). */
  principals: { source: string | undefined; dest: string | undefined };
  /** Words on traffic that should be mTLS and is not (plaintext into a workload that is not DISABLE). */
  mtlsWarning: string | undefined;
  /** Why some traffic was refused (set by the egress appender). */
  refusal: string | undefined;
  /** TLS the caller's proxy originates toward an external host (its DestinationRule's mode). */
  tlsOrigination: 'SIMPLE' | 'MUTUAL' | undefined;
  health: Health;
  badges: Badges;
}

export interface TrafficMap {
  /** How a series maps to nodes: graph type, service nodes, the services drawn. */
  paths: PathOptions;
  /**
   * The request samples as read, and each one parsed without its rate (undefined: not a request series; the rate
   * is the sample's). A shared labels object reads as the same object in every build.
   */
  requests: readonly Sample[];
  parsed: readonly (SeriesIdentity | undefined)[];
  /** Every series drawn (idle ones only when asked for), both reporters. */
  series: readonly SeriesIdentity[];
  /**
   * `rates[i]`: the rate of `series[i]` (requests, or bytes for TCP, per second) — a column beside series shared
   * between builds, so a build makes no copy of a series for its rate.
   */
  rates: Float64Array;
  /** `routes[i]`: the way of `series[i]` through the graph. */
  routes: readonly Route[];
  /** The reporter chosen per caller→service pair (see `chooseReporters`). */
  reporterOf: ReadonlyMap<string, Reporter>;
  nodes: Map<string, TrafficNode>;
  edges: Map<string, TrafficEdge>;
  /** Each chosen series' edges and nodes after its caller (where its latency goes); kept when asked. */
  hops: Map<SeriesIdentity, HasHist[]> | undefined;
  /** App boxes by id (set by the boxes appender). */
  boxes: Map<string, NonNullable<NodeSpec['box']>>;
  /** The mTLS mode of each namespace drawn (set by the peer-authentication appender, when config was read). */
  namespaceMtls: Map<string, PeerMode> | undefined;
}

export interface TrafficInput {
  graphType: GraphType;
  injectServiceNodes: boolean;
  /** Keep series with a zero rate (idle edges); by default they are left out. */
  includeIdleEdges?: boolean;
  /** `istio_requests_total` rates by the request labels (both reporters). */
  requests: readonly Sample[];
  /** Keep each series' hops, for the latency to come (it is placed without walking the paths again). */
  keepHops: boolean;
}

/** A series' way through the graph: its nodes, caller first, and the ids of the edges between them. */
export interface Route {
  specs: readonly NodeSpec[];
  /** `edgeIds[i]` joins `specs[i]` and `specs[i + 1]`. */
  edgeIds: readonly string[];
}

/** The service a series came by, as a node's `destServices` lists it, by `namespace/name`. */
type DestService = { key: string; value: Readonly<{ namespace: string; name: string }> } | undefined;

/**
 * What the walk derives from a shared labels object besides its rate, kept with it: the series it reads as
 * (`sharedSeries`), its caller→service pair (the reporter choice's key), the service it came by, and its route,
 * by the path options it was found with. A series takes the same way through every graph of the same type, so
 * its node specs and ids (and their string hashes) are made once.
 */
interface Derived {
  series: SeriesIdentity;
  /** Kept with a shared labels object (its route's strings are then internalized, once). */
  kept: boolean;
  edgeKey: string;
  destService: DestService;
  routeKey: string | undefined;
  route: Route | undefined;
}
/** Null: the labels object is not a request series. */
const derivedOfLabels = new WeakMap<Readonly<Record<string, string>>, Derived | null>();

function derive(s: SeriesIdentity, kept: boolean): Derived {
  return {
    series: s,
    kept,
    edgeKey: edgeKey(s),
    destService: destServiceOf(s),
    routeKey: undefined,
    route: undefined,
  };
}

function destServiceOf(s: SeriesIdentity): DestService {
  const { serviceNamespace, serviceName } = s.destination;
  if (!serviceNamespace || !serviceName) return undefined;
  return {
    key: `${serviceNamespace}/${serviceName}`,
    value: Object.freeze({ namespace: serviceNamespace, name: serviceName }),
  };
}

function newRoute(s: SeriesIdentity, o: PathOptions, kept = false): Route {
  const path = requestPath(s, o);
  const specs = kept ? path.map(internedSpec) : path;
  const edgeIds: string[] = new Array(specs.length - 1);
  for (let i = 1; i < specs.length; i++) {
    const id = edgeId((specs[i - 1] as NodeSpec).id, (specs[i] as NodeSpec).id);
    edgeIds[i - 1] = kept ? intern(id) : id;
  }
  return { specs, edgeIds };
}

/** A node spec with its ids internalized (`intern`): kept with the route, written in every answer. */
function internedSpec(spec: NodeSpec): NodeSpec {
  const out = { ...spec, id: intern(spec.id) };
  if (spec.box) out.box = { ...spec.box, id: intern(spec.box.id) };
  return out;
}

/**
 * What a route depends on besides the series (`base`: the graph type and service nodes) — in a service
 * graph, also whether its caller's app is a drawn service.
 */
function routeKey(s: SeriesIdentity, o: PathOptions, base: string): string {
  if (o.graphType !== 'service' || s.source?.app === undefined) return base;
  return o.services.has(`${s.source.namespace}/${s.source.app}`) ? `${base}:svc` : base;
}

/** The series' routes by series, made when asked (`routeOf`): a latency merge's, not the walk's. */
const routesBySeries = new WeakMap<TrafficMap, Map<SeriesIdentity, Route>>();

/** The route of a series of the map (from the walk), else found now. */
export function routeOf(map: TrafficMap, s: SeriesIdentity): Route {
  let by = routesBySeries.get(map);
  if (by === undefined) {
    by = new Map();
    for (let i = 0; i < map.series.length; i++)
      by.set(map.series[i] as SeriesIdentity, map.routes[i] as Route);
    routesBySeries.set(map, by);
  }
  return by.get(s) ?? newRoute(s, map.paths);
}

/**
 * What a walk worked out from its samples' labels and from which of them it drew, kept for the next walk of the
 * same options: a graph polled again has the same shared labels objects in the same order, the same series drawn
 * (a rate above 0), and only the rates moved — that walk takes the series, the reporter choice, the path options
 * and the routes from here and adds the rates. One plan per graph type, service nodes and idle edges (16 at most).
 */
interface WalkPlan {
  labels: readonly Readonly<Record<string, string>>[];
  /** Per sample: 0 not a request series, 1 a series not drawn, 2 drawn (every rate finite: else no plan). */
  state: Uint8Array;
  parsed: readonly (SeriesIdentity | undefined)[];
  series: readonly SeriesIdentity[];
  /** Per drawn series: 1 when its reporter is the one chosen (walked). */
  chosen: Uint8Array;
  destServices: readonly DestService[];
  reporterOf: ReadonlyMap<string, Reporter>;
  paths: PathOptions;
  routes: readonly Route[];
}
const plans = new Map<string, WalkPlan>();

/** The state of a sample with a finite rate for a plan (`WalkPlan.state`), given what its labels read as. */
function stateOf(s: SeriesIdentity | undefined, rps: number, idleToo: boolean): number {
  if (s === undefined) return 0;
  return idleToo || rps > 0 ? 2 : 1;
}

/**
 * The map from the plan of the walk before, when the samples are its labels objects in its order with the same
 * series drawn; undefined otherwise (the walk is done afresh).
 */
function plannedMap(
  input: TrafficInput,
  plan: WalkPlan | undefined,
  idleToo: boolean,
): TrafficMap | undefined {
  const requests = input.requests;
  if (plan === undefined || plan.labels.length !== requests.length) return undefined;
  const all = new Float64Array(plan.series.length);
  let n = 0;
  for (let i = 0; i < requests.length; i++) {
    const sample = requests[i] as Sample;
    if (sample.labels !== plan.labels[i]) return undefined;
    const rps = sample.value;
    const state = plan.state[i] as number;
    if (!Number.isFinite(rps) || stateOf(plan.parsed[i], rps, idleToo) !== state) return undefined;
    if (state === 2) all[n++] = rps;
  }
  const map: TrafficMap = {
    paths: plan.paths,
    requests,
    parsed: plan.parsed,
    series: plan.series,
    rates: all,
    routes: plan.routes,
    reporterOf: plan.reporterOf,
    nodes: new Map(),
    edges: new Map(),
    hops: input.keepHops ? new Map() : undefined,
    boxes: new Map(),
    namespaceMtls: undefined,
  };
  for (let i = 0; i < plan.series.length; i++)
    if (plan.chosen[i] === 1)
      addSeries(
        map,
        plan.series[i] as SeriesIdentity,
        all[i] as number,
        plan.routes[i] as Route,
        plan.destServices[i],
      );
  return map;
}

/** Walks the request series into the traffic map: nodes, edges, rates and response codes. */
export function trafficMap(input: TrafficInput): TrafficMap {
  const idleToo = input.includeIdleEdges === true;
  const planKey = `${input.graphType}:${input.injectServiceNodes}:${idleToo}`;
  const planned = plannedMap(input, plans.get(planKey), idleToo);
  if (planned !== undefined) return planned;
  const requests = input.requests;
  const parsed: (SeriesIdentity | undefined)[] = new Array(requests.length);
  const series: SeriesIdentity[] = [];
  const all = new Float64Array(requests.length);
  const derived: Derived[] = [];
  const strings = new LabelStrings();
  for (let i = 0; i < requests.length; i++) {
    const sample = requests[i] as Sample;
    const rps = sample.value;
    let d: Derived | undefined;
    if (!Number.isFinite(rps)) d = undefined;
    else if (Object.isFrozen(sample.labels)) {
      const labels = sample.labels;
      let kept = derivedOfLabels.get(labels);
      if (kept === undefined) {
        const s = sharedSeries(labels, strings);
        kept = s === undefined ? null : derive(s, true);
        derivedOfLabels.set(labels, kept);
      }
      d = kept ?? undefined;
    } else {
      const s = toRequestSeries(sample);
      d = s === undefined ? undefined : derive(s, false);
    }
    parsed[i] = d?.series;
    if (d === undefined || !(idleToo || rps > 0)) continue;
    all[series.length] = rps;
    series.push(d.series);
    derived.push(d);
  }
  const rates = all.subarray(0, series.length);
  const keys: string[] = new Array(derived.length);
  for (let i = 0; i < derived.length; i++) keys[i] = (derived[i] as Derived).edgeKey;
  const { chosen, reporterOf } = chooseReportersBy(series, keys);
  const paths = pathOptions(input, chosen);
  const base = input.injectServiceNodes ? `${input.graphType}+` : input.graphType;
  const routes: Route[] = new Array(series.length);
  for (let i = 0; i < series.length; i++) {
    const s = series[i] as SeriesIdentity;
    const d = derived[i] as Derived;
    const key = routeKey(s, paths, base);
    if (d.routeKey !== key || !d.route) {
      const route = newRoute(s, paths, d.kept);
      // Only a shared labels object's record is kept (a fresh one dies with this walk).
      d.route = route;
      d.routeKey = key;
    }
    routes[i] = d.route;
  }
  const map: TrafficMap = {
    paths,
    requests,
    parsed,
    series,
    rates,
    routes,
    reporterOf,
    nodes: new Map(),
    edges: new Map(),
    hops: input.keepHops ? new Map() : undefined,
    boxes: new Map(),
    namespaceMtls: undefined,
  };
  // The chosen series in their order (as `chosen` has them), each with the service it came by.
  const walked = new Uint8Array(series.length);
  for (let i = 0; i < series.length; i++) {
    const s = series[i] as SeriesIdentity;
    const d = derived[i] as Derived;
    if (reporterOf.get(d.edgeKey) !== s.reporter) continue;
    walked[i] = 1;
    addSeries(map, s, rates[i] as number, routes[i] as Route, d.destService);
  }
  keepPlan(planKey, map, idleToo, walked, derived);
  return map;
}

/** Keeps the walk's plan for its options, when every labels object is shared and every rate finite. */
function keepPlan(
  key: string,
  map: TrafficMap,
  idleToo: boolean,
  chosen: Uint8Array,
  derived: readonly Derived[],
): void {
  const requests = map.requests;
  const labels: Readonly<Record<string, string>>[] = new Array(requests.length);
  const state = new Uint8Array(requests.length);
  for (let i = 0; i < requests.length; i++) {
    const sample = requests[i] as Sample;
    if (!Object.isFrozen(sample.labels) || !Number.isFinite(sample.value)) return;
    labels[i] = sample.labels;
    state[i] = stateOf(map.parsed[i], sample.value, idleToo);
  }
  if (plans.size >= 16 && !plans.has(key)) plans.clear();
  plans.set(key, {
    labels,
    state,
    parsed: map.parsed,
    series: map.series,
    chosen,
    destServices: derived.map((d) => d.destService),
    reporterOf: map.reporterOf,
    paths: map.paths,
    routes: map.routes,
  });
}

/** The path options; a service graph draws a caller as its service when that service is drawn. */
function pathOptions(input: TrafficInput, chosen: readonly SeriesIdentity[]): PathOptions {
  const services = new Set<string>();
  // Only a service graph reads them (`sourceOf`).
  if (input.graphType === 'service') {
    for (const s of chosen) {
      const svc = serviceNode(s);
      if (svc?.service) services.add(`${svc.namespace}/${svc.service}`);
    }
  }
  return {
    graphType: input.graphType,
    injectServiceNodes: input.injectServiceNodes,
    services,
  };
}

/** Adds one chosen series (at `rps`) along its route: the caller's outbound rate, then each hop's edge and node. */
function addSeries(
  map: TrafficMap,
  s: SeriesIdentity,
  rps: number,
  route: Route,
  destService: DestService,
): void {
  const specs = route.specs;
  const hops: HasHist[] | undefined = map.hops ? [] : undefined;
  if (hops) map.hops?.set(s, hops);
  const host = s.destination.service ?? 'unknown';
  if (s.protocol === 'tcp') {
    addTcpSeries(map, s, rps, route, hops);
    return;
  }
  const key = responseKey(s);
  let from = nodeOf(map, specs[0] as NodeSpec);
  from.out += rps;
  for (let i = 1; i < specs.length; i++) {
    const to = nodeOf(map, specs[i] as NodeSpec);
    if (i > 1) from.out += rps;
    addToNode(to, s, rps, key, host, destService);
    const e = edgeOf(map, route.edgeIds[i - 1] as string, from.spec.id, to.spec.id);
    hops?.push(e, to);
    e.protocols.add(s.protocol, rps);
    addReporter(e, s.reporter);
    addRate(e.rates, s.code, rps, s.grpcStatus);
    countResponse(e.codes, key, s, rps, host);
    from = to;
  }
}

function addReporter(e: TrafficEdge, r: Reporter): void {
  if (e.reporter === undefined) e.reporter = r;
  else if (e.reporter !== r) e.reporter = 'mixed';
}

/** A TCP series along its path: bytes per second on the edges and nodes, no request rates or codes. */
function addTcpSeries(
  map: TrafficMap,
  s: SeriesIdentity,
  rps: number,
  route: Route,
  hops: HasHist[] | undefined,
): void {
  const specs = route.specs;
  let from = nodeOf(map, specs[0] as NodeSpec);
  from.tcpOut += rps;
  for (let i = 1; i < specs.length; i++) {
    const to = nodeOf(map, specs[i] as NodeSpec);
    if (i > 1) from.tcpOut += rps;
    to.hasInbound = true;
    to.tcpIn += rps;
    to.protocol ??= 'tcp';
    const e = edgeOf(map, route.edgeIds[i - 1] as string, from.spec.id, to.spec.id);
    hops?.push(e, to);
    e.protocols.add('tcp', rps);
    addReporter(e, s.reporter);
    e.tcp += rps;
    from = to;
  }
}

/** A series arriving at a node: its inbound rates, protocol, response codes and the service it came by. */
function addToNode(
  to: TrafficNode,
  s: SeriesIdentity,
  rps: number,
  key: string,
  host: string,
  destService: DestService,
): void {
  to.hasInbound = true;
  addRate(to.inbound, s.code, rps, s.grpcStatus);
  to.protocol ??= s.protocol;
  countResponse(to.codes, key, s, rps, host);
  if (destService && to.spec.nodeType !== 'service') {
    to.destServices ??= new Map();
    to.destServices.set(destService.key, destService.value);
  }
}

/** Counts a series' rate under its response key (`responseKey`), flag and host. */
function countResponse(
  codes: ResponseCounts,
  key: string,
  s: SeriesIdentity,
  rps: number,
  host: string,
): void {
  let c = codes.get(key);
  if (!c) {
    c = { flags: new RateTally(), hosts: new RateTally() };
    codes.set(key, c);
  }
  c.flags.add(s.flags, rps);
  c.hosts.add(host, rps);
}

function nodeOf(map: TrafficMap, spec: NodeSpec): TrafficNode {
  let n = map.nodes.get(spec.id);
  if (!n) {
    n = {
      spec,
      inbound: emptyRates(),
      out: 0,
      tcpIn: 0,
      tcpOut: 0,
      protocol: undefined,
      codes: new Tally(),
      destServices: undefined,
      hasInbound: false,
      buckets: undefined,
      latency: undefined,
      health: 'idle',
      isServiceEntry: spec.isServiceEntry,
      isEgressGateway: false,
      egressScope: undefined,
      isOutside: false,
      parent: undefined,
      badges: {},
      hasVS: false,
      hasCB: false,
    };
    map.nodes.set(spec.id, n);
  }
  return n;
}

function edgeOf(map: TrafficMap, id: string, source: string, target: string): TrafficEdge {
  let e = map.edges.get(id);
  if (!e) {
    e = {
      id,
      source,
      target,
      protocols: new RateTally(),
      reporter: undefined,
      rates: emptyRates(),
      tcp: 0,
      codes: new Tally(),
      buckets: undefined,
      latency: undefined,
      mtls: { yes: 0, all: 0 },
      principals: { source: undefined, dest: undefined },
      mtlsWarning: undefined,
      refusal: undefined,
      tlsOrigination: undefined,
      health: 'idle',
      badges: {},
    };
    map.edges.set(id, e);
  }
  return e;
}

export function edgeId(source: string, target: string): string {
  return `${source}->${target}`;
}

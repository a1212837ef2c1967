// The traffic map, as Kiali names it: the request series walked into the graph's nodes and edges —
// rates, response codes and flags, protocols, reporters. Plain data; the appenders (`appenders/`) add
// latency, mTLS, health, locations, boxes and badges to it, and `elements.ts` writes it out as JSON.
import { emptyRates, errorClassOf } from './health';
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
import type { WalkLease } from './walk-lease';

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
  /**
   * What else the series depend on (the namespaces asked for, the duration, the gRPC rate): each view keeps its
   * own walk plan, so two views polled side by side do not replace each other's.
   */
  view?: string;
  /**
   * The build's lease on the walk's objects (`walk-lease.ts`): given, the walk may fill objects of an earlier walk of
   * its plan whose lease was released, and its own go back to the plan once this one is. Without: objects of its own.
   */
  lease?: WalkLease;
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
 * and the routes from here and adds the rates. One plan per view (`TrafficInput.view`), graph type, service nodes
 * and idle edges: `WALK_PLANS_KEPT` at most, the one least recently walked dropped first.
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
  /** The walk itself, for these series and routes: only the rates are new (`runProgram`). */
  program: WalkProgram;
}
const plans = new Map<string, WalkPlan>();
export const WALK_PLANS_KEPT = 16;

/** Keeps a plan as the most recently walked, the least recently walked dropped past `WALK_PLANS_KEPT`. */
function keptPlan(key: string, plan: WalkPlan): void {
  plans.delete(key);
  if (plans.size >= WALK_PLANS_KEPT) {
    const oldest = plans.keys().next().value;
    if (oldest !== undefined) plans.delete(oldest);
  }
  plans.set(key, plan);
}

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
  if (plan === undefined) return undefined;
  if (plan.labels.length !== requests.length) return undefined;
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
  runProgram(map, plan.program, input.lease);
  return map;
}

function planKeyOf(input: TrafficInput): string {
  return `${input.graphType}:${input.injectServiceNodes}:${input.includeIdleEdges === true}:${input.view ?? ''}`;
}

/** Walks the request series into the traffic map: nodes, edges, rates and response codes. */
export function trafficMap(input: TrafficInput): TrafficMap {
  const idleToo = input.includeIdleEdges === true;
  const planKey = planKeyOf(input);
  const plan = plans.get(planKey);
  const planned = plannedMap(input, plan, idleToo);
  if (planned !== undefined) {
    keptPlan(planKey, plan as WalkPlan);
    return planned;
  }
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
    if (reporterOf.get(d.edgeKey) === s.reporter) walked[i] = 1;
  }
  const program = compileWalk(
    series,
    routes,
    walked,
    derived.map((d) => d.destService),
  );
  runProgram(map, program, input.lease);
  keepPlan(planKey, map, idleToo, walked, derived, program);
  return map;
}

/** Keeps the walk's plan for its options, when every labels object is shared and every rate finite. */
function keepPlan(
  key: string,
  map: TrafficMap,
  idleToo: boolean,
  chosen: Uint8Array,
  derived: readonly Derived[],
  program: WalkProgram,
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
  keptPlan(key, {
    labels,
    state,
    parsed: map.parsed,
    series: map.series,
    chosen,
    destServices: derived.map((d) => d.destService),
    reporterOf: map.reporterOf,
    paths: map.paths,
    routes: map.routes,
    program,
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

/**
 * The walk of some series along their routes, worked out once for the series and replayed with each build's rates
 * (`runProgram`): which nodes and edges it makes, in which order, what it sets on them, and every number it adds
 * to — each a slot of one `Float64Array` — as (slot, series) pairs in the walk's order. Replaying the adds in that
 * order gives the same sums to the bit as adding along the walk; the routing, the nodes' and edges' `Map` lookups
 * and the label reads are not done again. A polled graph walks the same series every time (`WalkPlan`).
 */
interface WalkProgram {
  slots: number;
  /** `acc[addSlot[k]] += rates[addSeries[k]]`, for k in order. */
  addSlot: Int32Array;
  addSeries: Int32Array;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  /**
   * The elements' numbers and tallies in one order (`walkObjects`, `runProgram` read them with cursors): per node its
   * inbound rates (4 slots), out, TCP in and out, then its response codes; per edge its protocols' tally, rates (4),
   * TCP, then its codes. Codes: their count, then per code its key, its flags' tally and its hosts' tally; a tally:
   * its count, then its keys. `counts` and `keys` in that order; the slots are numbered in it (slot k is the k-th).
   */
  counts: Uint32Array;
  keys: readonly string[];
  /** Per chosen series in order: its index, and its hops' edge and node indices from `hopAt[k]` to `hopAt[k + 1]`. */
  hopSeries: Int32Array;
  hopAt: Int32Array;
  hops: Int32Array;
  /** The numbers' slots, reused by each run (a run reads them out before it returns). */
  acc: Float64Array | undefined;
}

/** What a program keeps of a node besides its numbers and tallies (`WalkProgram.counts`, `keys`). */
interface PlacedNode {
  spec: NodeSpec;
  protocol: string | undefined;
  destServices: Map<string, { namespace: string; name: string }> | undefined;
  hasInbound: boolean;
}

interface PlacedEdge {
  id: string;
  source: string;
  target: string;
  reporter: Reporter | 'mixed' | undefined;
}

/** A tally's keys in the order first added, and each one's slot. */
interface TallyShape {
  keys: string[];
  slots: number[];
}

interface CodeShape {
  key: string;
  flags: TallyShape;
  hosts: TallyShape;
}

/** `RateBreakdown`'s four numbers: slots `at` (total), `at + 1` (4xx), `at + 2` (5xx), `at + 3` (no response). */
const RATE_SLOTS = 4;
const RATE_CLASS_SLOT = { http4xx: 1, http5xx: 2, noResponse: 3 } as const;

interface NodeShape {
  spec: NodeSpec;
  inbound: number;
  out: number;
  tcpIn: number;
  tcpOut: number;
  protocol: string | undefined;
  codes: CodeShape[];
  destServices: Map<string, { namespace: string; name: string }> | undefined;
  hasInbound: boolean;
}

interface EdgeShape {
  id: string;
  source: string;
  target: string;
  protocols: TallyShape;
  reporter: Reporter | 'mixed' | undefined;
  rates: number;
  tcp: number;
  codes: CodeShape[];
}

/** What `compileWalk` builds as it goes. */
class WalkCompiler {
  slots = 0;
  readonly addSlot: number[] = [];
  readonly addSeries: number[] = [];
  readonly nodes: NodeShape[] = [];
  readonly edges: EdgeShape[] = [];
  readonly nodeAt = new Map<string, number>();
  readonly edgeAt = new Map<string, number>();
  readonly hops: number[] = [];

  slot(n = 1): number {
    const at = this.slots;
    this.slots += n;
    return at;
  }

  add(slot: number, series: number): void {
    this.addSlot.push(slot);
    this.addSeries.push(series);
  }

  addRate(at: number, s: SeriesIdentity, series: number): void {
    this.add(at, series);
    const c = errorClassOf(s.code, s.grpcStatus);
    if (c !== undefined) this.add(at + RATE_CLASS_SLOT[c], series);
  }

  tally(t: TallyShape, key: string, series: number): void {
    let k = t.keys.indexOf(key);
    if (k < 0) {
      k = t.keys.length;
      t.keys.push(key);
      t.slots.push(this.slot());
    }
    this.add(t.slots[k] as number, series);
  }

  countResponse(codes: CodeShape[], key: string, s: SeriesIdentity, host: string, series: number): void {
    let c: CodeShape | undefined;
    for (const x of codes)
      if (x.key === key) {
        c = x;
        break;
      }
    if (c === undefined) {
      c = { key, flags: { keys: [], slots: [] }, hosts: { keys: [], slots: [] } };
      codes.push(c);
    }
    this.tally(c.flags, s.flags, series);
    this.tally(c.hosts, host, series);
  }

  node(spec: NodeSpec): number {
    let n = this.nodeAt.get(spec.id);
    if (n === undefined) {
      n = this.nodes.length;
      this.nodes.push({
        spec,
        inbound: this.slot(RATE_SLOTS),
        out: this.slot(),
        tcpIn: this.slot(),
        tcpOut: this.slot(),
        protocol: undefined,
        codes: [],
        destServices: undefined,
        hasInbound: false,
      });
      this.nodeAt.set(spec.id, n);
    }
    return n;
  }

  edge(id: string, source: string, target: string): number {
    let e = this.edgeAt.get(id);
    if (e === undefined) {
      e = this.edges.length;
      this.edges.push({
        id,
        source,
        target,
        protocols: { keys: [], slots: [] },
        reporter: undefined,
        rates: this.slot(RATE_SLOTS),
        tcp: this.slot(),
        codes: [],
      });
      this.edgeAt.set(id, e);
    }
    return e;
  }
}

/** The walk of the chosen series (`chosen[i]` 1) along their routes, each with the service it came by. */
function compileWalk(
  series: readonly SeriesIdentity[],
  routes: readonly Route[],
  chosen: Uint8Array,
  destServices: readonly DestService[],
): WalkProgram {
  const w = new WalkCompiler();
  const hopSeries: number[] = [];
  const hopAt: number[] = [0];
  for (let i = 0; i < series.length; i++) {
    if (chosen[i] !== 1) continue;
    const s = series[i] as SeriesIdentity;
    const route = routes[i] as Route;
    const specs = route.specs;
    const tcp = s.protocol === 'tcp';
    const host = s.destination.service ?? 'unknown';
    const key = tcp ? '' : responseKey(s);
    const destService = destServices[i];
    let from = w.node(specs[0] as NodeSpec);
    w.add((w.nodes[from] as NodeShape)[tcp ? 'tcpOut' : 'out'], i);
    for (let h = 1; h < specs.length; h++) {
      const to = w.node(specs[h] as NodeSpec);
      const f = w.nodes[from] as NodeShape;
      const t = w.nodes[to] as NodeShape;
      if (h > 1) w.add(tcp ? f.tcpOut : f.out, i);
      t.hasInbound = true;
      if (tcp) {
        w.add(t.tcpIn, i);
        t.protocol ??= 'tcp';
      } else {
        w.addRate(t.inbound, s, i);
        t.protocol ??= s.protocol;
        w.countResponse(t.codes, key, s, host, i);
        if (destService && t.spec.nodeType !== 'service') {
          t.destServices ??= new Map();
          t.destServices.set(destService.key, destService.value);
        }
      }
      const e = w.edge(route.edgeIds[h - 1] as string, f.spec.id, t.spec.id);
      const es = w.edges[e] as EdgeShape;
      w.hops.push(e, to);
      w.tally(es.protocols, tcp ? 'tcp' : s.protocol, i);
      if (es.reporter === undefined) es.reporter = s.reporter;
      else if (es.reporter !== s.reporter) es.reporter = 'mixed';
      if (tcp) w.add(es.tcp, i);
      else {
        w.addRate(es.rates, s, i);
        w.countResponse(es.codes, key, s, host, i);
      }
      from = to;
    }
    hopSeries.push(i);
    hopAt.push(w.hops.length);
  }
  // Kept flat: a shape's arrays grown by push hold ~17 places each (~45 MB a plan at 5,000 workloads, measured).
  const order = new Int32Array(w.slots);
  let next = 0;
  const counts: number[] = [];
  const keys: string[] = [];
  const tally = (t: TallyShape) => {
    counts.push(t.keys.length);
    for (let k = 0; k < t.keys.length; k++) {
      keys.push(t.keys[k] as string);
      order[t.slots[k] as number] = next++;
    }
  };
  const codes = (cs: readonly CodeShape[]) => {
    counts.push(cs.length);
    for (const c of cs) {
      keys.push(c.key);
      tally(c.flags);
      tally(c.hosts);
    }
  };
  const slots = (at: number, n: number) => {
    for (let j = 0; j < n; j++) order[at + j] = next++;
  };
  for (const n of w.nodes) {
    slots(n.inbound, RATE_SLOTS);
    slots(n.out, 1);
    slots(n.tcpIn, 1);
    slots(n.tcpOut, 1);
    codes(n.codes);
  }
  for (const e of w.edges) {
    tally(e.protocols);
    slots(e.rates, RATE_SLOTS);
    slots(e.tcp, 1);
    codes(e.codes);
  }
  const addSlot = Int32Array.from(w.addSlot);
  for (let k = 0; k < addSlot.length; k++) addSlot[k] = order[addSlot[k] as number] as number;
  return {
    slots: w.slots,
    addSlot,
    addSeries: Int32Array.from(w.addSeries),
    nodes: w.nodes.map((n) => ({
      spec: n.spec,
      protocol: n.protocol,
      destServices: n.destServices,
      hasInbound: n.hasInbound,
    })),
    edges: w.edges.map((e) => ({ id: e.id, source: e.source, target: e.target, reporter: e.reporter })),
    counts: Uint32Array.from(counts),
    keys: keys.slice(),
    hopSeries: Int32Array.from(hopSeries),
    hopAt: Int32Array.from(hopAt),
    hops: Int32Array.from(w.hops),
    acc: undefined,
  };
}

/**
 * An edge's badges until the badges appender gives it its own: one frozen empty object for every edge (nothing writes
 * into an edge's badges, the appender replaces them; a node's are written into, so each node has its own).
 */
const NO_EDGE_BADGES: Badges = Object.freeze({});

/** The nodes and edges a program's walk makes, with every number 0 (`runProgram` then adds and writes them). */
interface WalkObjects {
  program: WalkProgram;
  nodes: TrafficNode[];
  edges: TrafficEdge[];
  nodeMap: Map<string, TrafficNode>;
  edgeMap: Map<string, TrafficEdge>;
  /** The lease's `at` they were released by: filled again only by a walk of a lease of the same. */
  at?: string;
}

/**
 * Walk objects whose lease was released (`walk-lease.ts`: no answer is written from them any more, no cache keeps
 * their build), for the next walk of their program to fill again: the most recently released first, at most
 * `FREE_WALK_OBJECTS_KEPT` (a set is ~25 MB at 5,000 workloads; one view polled needs one).
 */
const freeObjects: WalkObjects[] = [];
export const FREE_WALK_OBJECTS_KEPT = 2;

let reused = 0;
/** Walks that filled a released set of objects again so far (for tests and benches: that sets are reused at all). */
export function walkObjectsReused(): number {
  return reused;
}

function keepFree(o: WalkObjects): void {
  freeObjects.unshift(o);
  if (freeObjects.length > FREE_WALK_OBJECTS_KEPT) freeObjects.pop();
}

/**
 * A released set of the program's objects of a lease of the same `at` (`WalkLease.at`), made as `walkObjects` makes
 * them but for its numbers; else undefined.
 */
function reusedObjects(p: WalkProgram, leaseAt: string | undefined): WalkObjects | undefined {
  const at = freeObjects.findIndex((o) => o.program === p && o.at === leaseAt);
  if (at < 0) return undefined;
  const o = freeObjects[at] as WalkObjects;
  freeObjects.splice(at, 1);
  reused++;
  // What the appenders set, as a new walk's objects have it (the numbers and tallies are all written by the run).
  for (let n = 0; n < o.nodes.length; n++) {
    const node = o.nodes[n] as TrafficNode;
    const sh = p.nodes[n] as PlacedNode;
    node.protocol = sh.protocol;
    node.destServices = sh.destServices;
    node.hasInbound = sh.hasInbound;
    node.buckets = undefined;
    node.latency = undefined;
    node.health = 'idle';
    node.isServiceEntry = sh.spec.isServiceEntry;
    node.isEgressGateway = false;
    node.egressScope = undefined;
    node.isOutside = false;
    node.parent = undefined;
    node.badges = {};
    node.hasVS = false;
    node.hasCB = false;
  }
  for (let e = 0; e < o.edges.length; e++) {
    const edge = o.edges[e] as TrafficEdge;
    edge.reporter = (p.edges[e] as PlacedEdge).reporter;
    edge.buckets = undefined;
    edge.latency = undefined;
    edge.mtls.yes = 0;
    edge.mtls.all = 0;
    edge.principals.source = undefined;
    edge.principals.dest = undefined;
    edge.mtlsWarning = undefined;
    edge.refusal = undefined;
    edge.tlsOrigination = undefined;
    edge.health = 'idle';
    edge.badges = NO_EDGE_BADGES;
  }
  // Entries put in by hand after the walk (tests): the walk's own again.
  if (o.nodeMap.size !== o.nodes.length) {
    o.nodeMap.clear();
    for (const node of o.nodes) o.nodeMap.set(node.spec.id, node);
  }
  if (o.edgeMap.size !== o.edges.length) {
    o.edgeMap.clear();
    for (const edge of o.edges) o.edgeMap.set(edge.id, edge);
  }
  return o;
}

function walkObjects(p: WalkProgram): WalkObjects {
  const r = new ProgramReader(p);
  const nodes: TrafficNode[] = new Array(p.nodes.length);
  const nodeMap = new Map<string, TrafficNode>();
  for (let n = 0; n < p.nodes.length; n++) {
    const sh = p.nodes[n] as PlacedNode;
    const node: TrafficNode = {
      spec: sh.spec,
      inbound: emptyRates(),
      out: 0,
      tcpIn: 0,
      tcpOut: 0,
      protocol: sh.protocol,
      codes: r.codes(),
      // The program's own map, shared by every walk of it: nothing writes into a node's services after the walk
      // (the appenders and the writer read them; a test that sets them puts a new map).
      destServices: sh.destServices,
      hasInbound: sh.hasInbound,
      buckets: undefined,
      latency: undefined,
      health: 'idle',
      isServiceEntry: sh.spec.isServiceEntry,
      isEgressGateway: false,
      egressScope: undefined,
      isOutside: false,
      parent: undefined,
      badges: {},
      hasVS: false,
      hasCB: false,
    };
    nodes[n] = node;
    nodeMap.set(sh.spec.id, node);
  }
  const edges: TrafficEdge[] = new Array(p.edges.length);
  const edgeMap = new Map<string, TrafficEdge>();
  for (let e = 0; e < p.edges.length; e++) {
    const sh = p.edges[e] as PlacedEdge;
    const protocols = r.tally();
    const edge: TrafficEdge = {
      id: sh.id,
      source: sh.source,
      target: sh.target,
      protocols,
      reporter: sh.reporter,
      rates: emptyRates(),
      tcp: 0,
      codes: r.codes(),
      buckets: undefined,
      latency: undefined,
      mtls: { yes: 0, all: 0 },
      principals: { source: undefined, dest: undefined },
      mtlsWarning: undefined,
      refusal: undefined,
      tlsOrigination: undefined,
      health: 'idle',
      badges: NO_EDGE_BADGES,
    };
    edges[e] = edge;
    edgeMap.set(sh.id, edge);
  }
  return { program: p, nodes, edges, nodeMap, edgeMap };
}

/** Reads a program's tallies in their order (`WalkProgram.counts`, `keys`): made with 0s, or their numbers written. */
class ProgramReader {
  private c = 0;
  private k = 0;
  /** The next slot (`WalkProgram.counts`' order). */
  at = 0;

  constructor(private readonly p: WalkProgram) {}

  private count(): number {
    return this.p.counts[this.c++] as number;
  }

  private key(): string {
    return this.p.keys[this.k++] as string;
  }

  tally(): RateTally {
    const out = new RateTally();
    for (let n = this.count(); n > 0; n--) out.add(this.key(), 0);
    return out;
  }

  codes(): ResponseCounts {
    const out: ResponseCounts = new Tally();
    for (let n = this.count(); n > 0; n--) {
      const key = this.key();
      const flags = this.tally();
      out.set(key, { flags, hosts: this.tally() });
    }
    return out;
  }

  number(acc: Float64Array): number {
    return acc[this.at++] as number;
  }

  fillRates(r: RateBreakdown, acc: Float64Array): void {
    r.total = this.number(acc);
    r.http4xx = this.number(acc);
    r.http5xx = this.number(acc);
    r.noResponse = this.number(acc);
  }

  fillTally(t: RateTally, acc: Float64Array): void {
    for (let n = this.count(); n > 0; n--) t.set(this.key(), this.number(acc));
  }

  fillCodes(codes: ResponseCounts, acc: Float64Array): void {
    for (let n = this.count(); n > 0; n--) {
      const counts = codes.get(this.key()) as { flags: RateTally; hosts: RateTally };
      this.fillTally(counts.flags, acc);
      this.fillTally(counts.hosts, acc);
    }
  }
}

/** A map's walk: its program (one object for every walk of the same plan) and its nodes and edges in their order. */
export interface MapWalk {
  program: object;
  nodes: readonly TrafficNode[];
  edges: readonly TrafficEdge[];
}
const walks = new WeakMap<TrafficMap, MapWalk>();

/**
 * The walk that made the map: an appender that works something out once a plan (`WalkPlan`) keeps it by `program`
 * and finds the elements by their place in `nodes` and `edges` (the map's own order until an appender adds one).
 */
export function walkOf(map: TrafficMap): MapWalk | undefined {
  return walks.get(map);
}

/**
 * The program's walk at the map's rates: its nodes and edges into the map — made now, or (with a held lease) a
 * released set of them filled again; with a lease, they are free again once it is released.
 */
function runProgram(map: TrafficMap, p: WalkProgram, lease: WalkLease | undefined): void {
  const leased = lease?.held === true;
  const objects = (leased ? reusedObjects(p, lease.at) : undefined) ?? walkObjects(p);
  if (leased) {
    objects.at = lease.at;
    lease.onFree(() => keepFree(objects));
  }
  let acc = p.acc;
  if (acc === undefined) {
    acc = new Float64Array(p.slots);
    p.acc = acc;
  } else acc.fill(0);
  const rates = map.rates;
  const addSlot = p.addSlot;
  const addSeriesOf = p.addSeries;
  for (let k = 0; k < addSlot.length; k++) {
    const at = addSlot[k] as number;
    acc[at] = (acc[at] as number) + (rates[addSeriesOf[k] as number] as number);
  }
  const { nodes, edges } = objects;
  const r = new ProgramReader(p);
  for (let n = 0; n < nodes.length; n++) {
    const node = nodes[n] as TrafficNode;
    r.fillRates(node.inbound, acc);
    node.out = r.number(acc);
    node.tcpIn = r.number(acc);
    node.tcpOut = r.number(acc);
    r.fillCodes(node.codes, acc);
  }
  for (let e = 0; e < edges.length; e++) {
    const edge = edges[e] as TrafficEdge;
    r.fillTally(edge.protocols, acc);
    r.fillRates(edge.rates, acc);
    edge.tcp = r.number(acc);
    r.fillCodes(edge.codes, acc);
  }
  map.nodes = objects.nodeMap;
  map.edges = objects.edgeMap;
  walks.set(map, { program: p, nodes, edges });
  const kept = map.hops;
  if (kept === undefined) return;
  for (let k = 0; k < p.hopSeries.length; k++) {
    const hops: HasHist[] = [];
    for (let h = p.hopAt[k] as number; h < (p.hopAt[k + 1] as number); h += 2)
      hops.push(edges[p.hops[h] as number] as TrafficEdge, nodes[p.hops[h + 1] as number] as TrafficNode);
    kept.set(map.series[p.hopSeries[k] as number] as SeriesIdentity, hops);
  }
}

export function edgeId(source: string, target: string): string {
  return `${source}->${target}`;
}

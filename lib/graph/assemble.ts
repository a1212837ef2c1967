// Builds the graph from request-rate and latency-bucket samples: nodes per graph type, one edge per
// hop, rates, error shares, % of the caller's requests, response codes and flags, p50/p95/p99, health.
// Pure: samples in, cytoscape elements out.
import { addRate, DEFAULT_HEALTH, emptyRates, errorRate, type HealthThresholds, healthOf } from './health';
import { quantilesInto } from './histogram';
import { type BucketGroup, groupBuckets } from './latency-cache';
import { destinationPath, type NodeSpec, type PathOptions, serviceNode, sourceOf } from './nodes';
import { LATENCY_EDGE_LABELS } from './promql';
import { chooseReporters, edgeKey, type RequestSeries, type Sample, toRequestSeries } from './series';
import type { EdgeData, GraphType, Latency, NodeData, RateBreakdown, Reporter, Responses } from './types';

export interface AssembleInput {
  graphType: GraphType;
  injectServiceNodes: boolean;
  /** Keep series with a zero rate (idle edges); by default they are left out. */
  includeIdleEdges?: boolean;
  /** Requested namespaces; empty = all. Nodes elsewhere get `isOutside`. */
  namespaces: readonly string[];
  /** `istio_requests_total` rates by the request labels (both reporters). */
  requests: readonly Sample[];
  /** `istio_request_duration_milliseconds_bucket` rates (2xx) by `le`, reporter and edge labels. */
  latencyBuckets?: readonly Sample[];
  /** The same, already grouped by series (see `groupBuckets`); used instead of `latencyBuckets`. */
  latencyGroups?: readonly BucketGroup[];
  thresholds?: HealthThresholds;
  /** Hosts declared by ServiceEntries, with their location (from the mesh config, when available). */
  serviceEntries?: ReadonlyMap<string, 'MESH_EXTERNAL' | 'MESH_INTERNAL'>;
}

export interface Assembled {
  nodes: NodeData[];
  edges: EdgeData[];
}

interface EdgeAcc {
  source: string;
  target: string;
  protocols: Map<string, number>;
  reporters: Set<Reporter>;
  rates: RateBreakdown;
  codes: Map<string, { flags: Map<string, number>; hosts: Map<string, number> }>;
  buckets?: Hist;
  mtls: { yes: number; all: number };
}

interface NodeAcc {
  spec: NodeSpec;
  inbound: RateBreakdown;
  out: number;
  protocols: Set<string>;
  codes: Map<string, { flags: Map<string, number>; hosts: Map<string, number> }>;
  buckets?: Hist;
  destServices: Map<string, { namespace: string; name: string }>;
  hasInbound: boolean;
}

const QUANTILES = { p50: 0.5, p95: 0.95, p99: 0.99 } as const;

/** What walking the request series needs: the graph's shape and the series. */
export type WalkInput = Pick<
  AssembleInput,
  'graphType' | 'injectServiceNodes' | 'includeIdleEdges' | 'requests'
>;

/**
 * The request series walked into the graph's nodes and edges (rates, codes, mTLS), ready for latency
 * (`addLatency`) and then the answer (`finishAssembly`). Split so that the graph can walk the rates while
 * the latency read is still in Prometheus.
 */
export interface Walk {
  requests: readonly Sample[];
  parsed: (RequestSeries | undefined)[];
  reporterOf: Map<string, Reporter>;
  nodes: Map<string, NodeAcc>;
  edges: Map<string, EdgeAcc>;
  pathOf: (s: RequestSeries) => NodeSpec[];
  /** Each chosen series' edges and nodes after its caller (where its latency goes); kept when latency is. */
  hopsOf?: Map<RequestSeries, HasHist[]>;
  /** The latency histograms' bounds, sorted (set by `addLatency`). */
  les: number[];
}

/** The whole assembly: walk, latency, answer. */
export function assembleGraph(input: AssembleInput): Assembled {
  const groups = input.latencyGroups ?? groupBuckets(input.latencyBuckets ?? []);
  const walk = walkRequests(input, groups.length > 0);
  addLatency(walk, groups);
  return finishAssembly(walk, input);
}

/** Nodes, edges, rates, codes and mTLS from the request series; `withLatency` keeps each series' hops. */
export function walkRequests(input: WalkInput, withLatency: boolean): Walk {
  const parsed = input.requests.map(toRequestSeries);
  const all = parsed.filter(
    (s): s is RequestSeries => s !== undefined && (input.includeIdleEdges === true || s.rps > 0),
  );
  const { chosen, reporterOf } = chooseReporters(all);

  const services = new Set<string>();
  for (const s of chosen) {
    const svc = serviceNode(s);
    if (svc?.service) services.add(`${svc.namespace}/${svc.service}`);
  }
  const opts: PathOptions = {
    graphType: input.graphType,
    injectServiceNodes: input.injectServiceNodes,
    services,
  };
  const nodes = new Map<string, NodeAcc>();
  const edges = new Map<string, EdgeAcc>();

  const nodeOf = (spec: NodeSpec): NodeAcc => {
    let n = nodes.get(spec.id);
    if (!n) {
      n = {
        spec,
        inbound: emptyRates(),
        out: 0,
        protocols: new Set(),
        codes: new Map(),
        destServices: new Map(),
        hasInbound: false,
      };
      nodes.set(spec.id, n);
    }
    return n;
  };
  const edgeOf = (source: string, target: string): EdgeAcc => {
    const id = `${source}->${target}`;
    let e = edges.get(id);
    if (!e) {
      e = {
        source,
        target,
        protocols: new Map(),
        reporters: new Set(),
        rates: emptyRates(),
        codes: new Map(),
        mtls: { yes: 0, all: 0 },
      };
      edges.set(id, e);
    }
    return e;
  };
  const pathOf = (s: RequestSeries): NodeSpec[] => {
    const src = sourceOf(s, opts);
    const dst = destinationPath(s, opts);
    // A workload calling its own service in a service graph would draw a self-loop: keep it, it is real.
    return [src, ...dst];
  };

  const hopsOf = withLatency ? new Map<RequestSeries, HasHist[]>() : undefined;
  for (const s of chosen) {
    const path = pathOf(s).map(nodeOf);
    const hops: HasHist[] | undefined = hopsOf ? [] : undefined;
    hopsOf?.set(s, hops as HasHist[]);
    const host = s.destination.service ?? 'unknown';
    (path[0] as NodeAcc).out += s.rps;
    for (let i = 1; i < path.length; i++) {
      const from = path[i - 1] as NodeAcc;
      const to = path[i] as NodeAcc;
      if (i > 1) from.out += s.rps;
      to.hasInbound = true;
      addRate(to.inbound, s.code, s.rps, s.grpcStatus);
      to.protocols.add(s.protocol);
      countResponse(to.codes, s, host);
      if (s.destination.serviceNamespace && s.destination.serviceName && to.spec.nodeType !== 'service') {
        const key = `${s.destination.serviceNamespace}/${s.destination.serviceName}`;
        to.destServices.set(key, {
          namespace: s.destination.serviceNamespace,
          name: s.destination.serviceName,
        });
      }
      const e = edgeOf(from.spec.id, to.spec.id);
      hops?.push(e, to);
      e.protocols.set(s.protocol, (e.protocols.get(s.protocol) ?? 0) + s.rps);
      e.reporters.add(s.reporter);
      addRate(e.rates, s.code, s.rps, s.grpcStatus);
      countResponse(e.codes, s, host);
    }
  }

  // mTLS share from destination-reported series (the only ones that know), whichever reporter was chosen.
  for (const s of all) {
    if (s.reporter !== 'destination' || s.mtls === undefined) continue;
    const path = pathOf(s);
    for (let i = 1; i < path.length; i++) {
      const e = edges.get(`${(path[i - 1] as NodeSpec).id}->${(path[i] as NodeSpec).id}`);
      if (!e) continue;
      e.mtls.all += s.rps;
      if (s.mtls) e.mtls.yes += s.rps;
    }
  }

  return { requests: input.requests, parsed, reporterOf, nodes, edges, pathOf, hopsOf, les: [] };
}

/** Adds the latency bucket groups to the edges and nodes their series went through. */
export function addLatency(walk: Walk, groups: readonly BucketGroup[]): void {
  const { parsed, reporterOf, nodes, edges, pathOf, hopsOf } = walk;
  // The bucket query keeps only the labels that tell an edge apart (`LATENCY_EDGE_LABELS`, a third of the
  // answer): the rest — apps, versions, service names — come from the edge's request series.
  const byLatencyKey = new Map<string, RequestSeries>();
  if (groups.length > 0) {
    walk.requests.forEach((sample, i) => {
      const s = parsed[i];
      if (s) byLatencyKey.set(latencyEdgeKey(sample.labels), s);
    });
  }
  // Every histogram on one axis of bounds (the union of the groups' `le`s): merging is adding arrays.
  const bounds = new Set<number>();
  for (const g of groups) for (const b of g.buckets) bounds.add(b[0]);
  const les = [...bounds].sort((a, b) => a - b);
  walk.les = les;
  const leIndex = new Map(les.map((le, i) => [le, i]));
  const at = new Int32Array(les.length);
  const counts = new Float64Array(les.length);
  for (const g of groups) {
    const s =
      byLatencyKey.get(latencyEdgeKey(g.labels)) ??
      toRequestSeries({ labels: { ...g.labels, response_code: '200' }, value: 0 });
    if (s === undefined) continue;
    // A chosen series has its hops from the walk above; any other (idle, or buckets without request
    // series) counts only if its reporter is the one chosen, on the edges and nodes that walk drew.
    let hops = hopsOf?.get(s);
    if (!hops) {
      if (reporterOf.get(edgeKey(s)) !== s.reporter) continue;
      hops = [];
      const path = pathOf(s);
      for (let i = 1; i < path.length; i++) {
        const e = edges.get(`${(path[i - 1] as NodeSpec).id}->${(path[i] as NodeSpec).id}`);
        const n = nodes.get((path[i] as NodeSpec).id);
        if (e) hops.push(e);
        if (n) hops.push(n);
      }
    }
    let m = 0;
    for (const [le, count] of g.buckets) {
      at[m] = leIndex.get(le) as number;
      counts[m++] = count;
    }
    for (const h of hops) {
      h.buckets ??= { counts: new Float64Array(les.length), present: new Uint8Array(les.length) };
      const hist = h.buckets;
      for (let k = 0; k < m; k++) {
        const i = at[k] as number;
        hist.counts[i] = (hist.counts[i] as number) + (counts[k] as number);
        hist.present[i] = 1;
      }
    }
  }
}

/** The answer: nodes (app boxes first) and edges with their numbers, health and latency. */
export function finishAssembly(
  walk: Walk,
  input: Pick<AssembleInput, 'namespaces' | 'thresholds' | 'serviceEntries'>,
): Assembled {
  return finish(walk.nodes, walk.edges, input, input.thresholds ?? DEFAULT_HEALTH, walk.les);
}

function countResponse(
  codes: Map<string, { flags: Map<string, number>; hosts: Map<string, number> }>,
  s: RequestSeries,
  host: string,
): void {
  let c = codes.get(s.code);
  if (!c) {
    c = { flags: new Map(), hosts: new Map() };
    codes.set(s.code, c);
  }
  c.flags.set(s.flags, (c.flags.get(s.flags) ?? 0) + s.rps);
  c.hosts.set(host, (c.hosts.get(host) ?? 0) + s.rps);
}

/** The labels of `LATENCY_EDGE_LABELS` as one string. */
function latencyEdgeKey(labels: Record<string, string>): string {
  let key = '';
  for (const l of LATENCY_EDGE_LABELS) key += `${labels[l] ?? ''}\u0001`;
  return key;
}

const QUANTILE_KEYS = Object.keys(QUANTILES) as (keyof Latency)[];
const QUANTILE_VALUES = Object.values(QUANTILES);

/**
 * A histogram on the assembly's axis of bounds: cumulative counts per bound, and which bounds any of its
 * series had (a bound none had is left out, as a merge of bucket maps would).
 */
interface Hist {
  counts: Float64Array;
  present: Uint8Array;
}

/** An edge or node accumulator: what latency is added to. */
interface HasHist {
  buckets?: Hist;
}

const QUANTILE_OUT: (number | undefined)[] = new Array(QUANTILE_VALUES.length);
let scratchLes = new Float64Array(0);
let scratchCounts = new Float64Array(0);

/** p50/p95/p99 of a histogram on the bounds `axis` (the bounds none of its series had left out). */
function latencyOf(h: Hist | undefined, axis: readonly number[]): Latency {
  const out: Latency = {};
  if (!h) return out;
  if (scratchLes.length < h.counts.length) {
    scratchLes = new Float64Array(h.counts.length);
    scratchCounts = new Float64Array(h.counts.length);
  }
  let n = 0;
  for (let i = 0; i < h.counts.length; i++) {
    if (!h.present[i]) continue;
    scratchLes[n] = axis[i] as number;
    scratchCounts[n++] = h.counts[i] as number;
  }
  quantilesInto(QUANTILE_VALUES, scratchLes, scratchCounts, n, QUANTILE_OUT);
  for (let i = 0; i < QUANTILE_KEYS.length; i++) {
    const v = QUANTILE_OUT[i];
    if (v !== undefined && Number.isFinite(v)) out[QUANTILE_KEYS[i] as keyof Latency] = round(v, 2);
  }
  return out;
}

/** An array index no response code reaches (see `codeKeyed`). */
const SPARSE_INDEX = 2 ** 30;

/**
 * An empty object for keys that are response codes ("200", "503"). V8 keeps integer-like keys as array
 * elements, so `o["503"] = x` on a plain object allocates a 504-slot backing array (6 KB): over the
 * thousands of response maps of a large graph, tens of MB and most of its garbage-collection time.
 * Created with one far index, deleted again, the object keeps its elements in a dictionary: the same
 * object to everything else (keys, order, JSON), at a few dozen bytes.
 */
export function codeKeyed<T>(): Record<string, T> {
  const out: Record<string, T> = { [SPARSE_INDEX]: undefined as T };
  delete out[SPARSE_INDEX];
  return out;
}

function responsesOf(
  codes: Map<string, { flags: Map<string, number>; hosts: Map<string, number> }>,
  total: number,
): Responses {
  const out: Responses = codeKeyed();
  const pct = (v: number) => (total > 0 ? round((v / total) * 100, 2) : 0);
  const keys = codes.size > 1 ? [...codes.keys()].sort(compare) : codes.keys();
  for (const code of keys) {
    const c = codes.get(code) as { flags: Map<string, number>; hosts: Map<string, number> };
    const flags: Record<string, number> = {};
    for (const [f, v] of c.flags) flags[f] = pct(v);
    const hosts: Record<string, number> = {};
    for (const [h, v] of c.hosts) hosts[h] = pct(v);
    out[code] = { flags, hosts };
  }
  return out;
}

function finish(
  nodes: Map<string, NodeAcc>,
  edges: Map<string, EdgeAcc>,
  input: Pick<AssembleInput, 'namespaces' | 'serviceEntries'>,
  thresholds: HealthThresholds,
  /** The latency histograms' bounds, sorted. */
  axis: readonly number[],
): Assembled {
  const requested = new Set(input.namespaces);
  const boxes = new Map<string, NodeData>();
  const outNodes: NodeData[] = [];
  for (const n of nodes.values()) {
    const spec = n.spec;
    const box = spec.box;
    if (box && !boxes.has(box.id)) boxes.set(box.id, boxNode(box));
    const protocol = n.protocols.values().next().value ?? 'http';
    const location = spec.serviceHost ? input.serviceEntries?.get(spec.serviceHost) : undefined;
    const inbound = roundRates(n.inbound);
    const rpsOut = round(n.out, 4);
    const data = identityOf(spec) as NodeData;
    if (box) data.parent = box.id;
    // Config refines the location of hosts the metrics show outside the cluster; in-cluster services
    // declared by a ServiceEntry (as the demo mesh declares all of its services) stay plain services.
    if (location && spec.isServiceEntry) data.isServiceEntry = location;
    data.rpsIn = inbound.total;
    data.rpsOut = rpsOut;
    data.inbound = inbound;
    data.errorRate = round(errorRate(n.inbound), 4);
    data.responses = responsesOf(n.codes, n.inbound.total);
    data.latency = latencyOf(n.buckets, axis);
    data.health = healthOf(n.inbound, thresholds);
    data.badges = {};
    data.traffic = [{ protocol, rates: nodeTrafficRates(protocol, inbound, rpsOut) }];
    if (!n.hasInbound) data.isRoot = true;
    if (n.destServices.size > 0) data.destServices = [...n.destServices.values()];
    if (
      requested.size > 0 &&
      spec.nodeType !== 'unknown' &&
      !data.isServiceEntry &&
      !requested.has(spec.namespace)
    ) {
      data.isOutside = true;
    }
    outNodes.push(data);
  }
  // A service drawn next to its app's versions goes into the app's box, as in Kiali.
  for (const n of outNodes) {
    if (n.nodeType !== 'service' || n.isServiceEntry) continue;
    const boxId = `box:${n.namespace}:${n.service}`;
    if (boxes.has(boxId)) n.parent = boxId;
  }

  const outEdges: EdgeData[] = [];
  for (const [id, e] of edges) {
    const src = nodes.get(e.source) as NodeAcc;
    const protocol = dominant(e.protocols) ?? 'http';
    const percentReq = src.out > 0 ? round((e.rates.total / src.out) * 100, 2) : 0;
    const err = errorRate(e.rates);
    const latency = latencyOf(e.buckets, axis);
    outEdges.push({
      id,
      source: e.source,
      target: e.target,
      protocol,
      reporter: e.reporters.size === 1 ? ([...e.reporters][0] as Reporter) : 'mixed',
      rps: round(e.rates.total, 4),
      rates: roundRates(e.rates),
      errorRate: round(err, 4),
      percentReq,
      ...(latency.p95 !== undefined ? { responseTime: latency.p95 } : {}),
      latency,
      ...(e.mtls.all > 0 ? { isMTLS: round((e.mtls.yes / e.mtls.all) * 100, 2) } : {}),
      health: healthOf(e.rates, thresholds),
      traffic: {
        protocol,
        rates: edgeTrafficRates(protocol, round(e.rates.total, 4), percentReq, round(err * 100, 2)),
        responses: responsesOf(e.codes, e.rates.total),
      },
      badges: {},
    });
  }
  // Code-unit order, not `localeCompare`: the same order for these ASCII ids at a tenth of the cost.
  outNodes.sort(byId);
  outEdges.sort(byId);
  return {
    nodes: [...[...boxes.values()].sort(byId), ...outNodes],
    edges: outEdges,
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byId(a: { id: string }, b: { id: string }): number {
  return compare(a.id, b.id);
}

function boxNode(box: { id: string; namespace: string; app: string }): NodeData {
  return {
    id: box.id,
    nodeType: 'box',
    isBox: 'app',
    namespace: box.namespace,
    app: box.app,
    rpsIn: 0,
    rpsOut: 0,
    inbound: emptyRates(),
    errorRate: 0,
    responses: {},
    latency: {},
    health: 'idle',
    badges: {},
  };
}

function roundRates(r: RateBreakdown): RateBreakdown {
  return {
    total: round(r.total, 4),
    http4xx: round(r.http4xx, 4),
    http5xx: round(r.http5xx, 4),
    noResponse: round(r.noResponse, 4),
  };
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** A node's identity fields, the absent ones left out (`box` is not data: it becomes `parent`). */
function identityOf(spec: NodeSpec): Partial<NodeData> {
  const out: Partial<NodeData> = { id: spec.id, nodeType: spec.nodeType, namespace: spec.namespace };
  if (spec.workload !== undefined) out.workload = spec.workload;
  if (spec.app !== undefined) out.app = spec.app;
  if (spec.version !== undefined) out.version = spec.version;
  if (spec.service !== undefined) out.service = spec.service;
  if (spec.serviceHost !== undefined) out.serviceHost = spec.serviceHost;
  if (spec.isServiceEntry !== undefined) out.isServiceEntry = spec.isServiceEntry;
  return out;
}

/** The key with the highest value (the first of equals). */
function dominant(counts: ReadonlyMap<string, number>): string | undefined {
  let best: string | undefined;
  let max = Number.NEGATIVE_INFINITY;
  for (const [k, v] of counts) {
    if (v > max) {
      best = k;
      max = v;
    }
  }
  return best;
}

/** Kiali's edge traffic rates, keyed by protocol (`http`, `httpPercentReq`, `httpPercentErr`). */
function edgeTrafficRates(protocol: string, rps: number, percentReq: number, percentErr: number) {
  if (protocol === 'http') return { http: rps, httpPercentReq: percentReq, httpPercentErr: percentErr };
  return {
    [protocol]: rps,
    [`${protocol}PercentReq`]: percentReq,
    [`${protocol}PercentErr`]: percentErr,
  };
}

/** Kiali's node traffic rates, keyed by protocol (`httpIn`, `httpIn5xx`…). */
function nodeTrafficRates(protocol: string, inbound: RateBreakdown, out: number): Record<string, number> {
  if (protocol === 'http') {
    return {
      httpIn: inbound.total,
      httpIn4xx: inbound.http4xx,
      httpIn5xx: inbound.http5xx,
      httpInNoResponse: inbound.noResponse,
      httpOut: out,
    };
  }
  return {
    [`${protocol}In`]: inbound.total,
    [`${protocol}In4xx`]: inbound.http4xx,
    [`${protocol}In5xx`]: inbound.http5xx,
    [`${protocol}InNoResponse`]: inbound.noResponse,
    [`${protocol}Out`]: out,
  };
}

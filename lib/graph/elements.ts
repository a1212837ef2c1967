// The traffic map written out as the graph's JSON elements (Kiali's cytoscape shape): numbers rounded,
// Kiali's per-protocol traffic rates, app boxes first, then nodes and edges in id order. The last step
// of the assembly, after every appender.
import { emptyRates, errorRate } from './health';
import type { NodeSpec } from './nodes';
import { responsesOf } from './responses';
import { round, roundRates } from './rounding';
import type { TrafficEdge, TrafficMap, TrafficNode } from './traffic-map';
import type { EdgeData, NodeData, PeerMode, RateBreakdown } from './types';

export interface Assembled {
  nodes: NodeData[];
  edges: EdgeData[];
  namespaceMtls?: Record<string, PeerMode>;
}

export function toElements(map: TrafficMap): Assembled {
  const boxes: NodeData[] = [];
  const lastBoxes = kept.boxes;
  const nextBoxes = new Map<string, NodeData>();
  for (const id of sortedKeys(map.boxes, 'boxes')) {
    const box = map.boxes.get(id) as Box;
    const last = lastBoxes.get(id);
    let data: NodeData;
    if (last !== undefined && last.namespace === box.namespace && last.app === box.app) {
      reused(last);
      data = last;
    } else data = boxNode(box);
    nextBoxes.set(id, data);
    boxes.push(data);
  }
  const nodes: NodeData[] = boxes;
  const lastNodes = kept.nodes;
  const nextNodes = new Map<string, KeptNode>();
  for (const id of sortedKeys(map.nodes, 'nodes')) {
    const n = map.nodes.get(id) as TrafficNode;
    const last = lastNodes.get(id);
    let k: KeptNode;
    if (last !== undefined && last.spec === n.spec && sameNode(last.data, n)) {
      reused(last.data);
      k = last;
    } else k = { spec: n.spec, data: nodeData(n) };
    nextNodes.set(id, k);
    nodes.push(k.data);
  }
  const lastEdges = kept.edges;
  const nextEdges = new Map<string, EdgeData>();
  const edges: EdgeData[] = [];
  for (const id of sortedKeys(map.edges, 'edges')) {
    const e = map.edges.get(id) as TrafficEdge;
    const source = map.nodes.get(e.source) as TrafficNode;
    const last = lastEdges.get(id);
    let data: EdgeData;
    if (last !== undefined && sameEdge(last, e, source)) {
      reused(last);
      data = last;
    } else data = edgeData(e, source);
    nextEdges.set(id, data);
    edges.push(data);
  }
  kept.boxes = nextBoxes;
  kept.nodes = nextNodes;
  kept.edges = nextEdges;
  const out: Assembled = { nodes, edges };
  if (map.namespaceMtls) out.namespaceMtls = Object.fromEntries([...map.namespaceMtls].sort());
  return out;
}

/**
 * The elements of the last graph written, by id: an element whose data would be written the same again (a polled
 * graph's common case: the same series at the same rates) is answered with the same object, no new one made — fewer
 * young objects a build for the collector, and the same object lets the JSON writer keep its text
 * (`graph-json.ts`). Replaced by each build's (bounded by the last graph's elements).
 */
interface KeptNode {
  /** The spec its identity fields came from (a kept route's spec is the same object every build). */
  spec: NodeSpec;
  data: NodeData;
}
const kept: {
  boxes: Map<string, NodeData>;
  nodes: Map<string, KeptNode>;
  edges: Map<string, EdgeData>;
} = {
  boxes: new Map(),
  nodes: new Map(),
  edges: new Map(),
};

/** Forgets the elements kept (tests: the next build writes every element anew). */
export function forgetKeptElements(): void {
  kept.boxes = new Map();
  kept.nodes = new Map();
  kept.edges = new Map();
}

/** Element data written by this module and frozen all the way down since: its JSON is the same every time. */
const sealed = new WeakSet<object>();

/** Whether `data` is an element's data frozen all the way down (see `reused`): its JSON never changes. */
export function isSealed(data: unknown): boolean {
  return typeof data === 'object' && data !== null && sealed.has(data);
}

/**
 * An element's data answered again: frozen from now on (a graph already answered may hold it), and sealed when
 * everything it reaches is frozen too (the objects of its own it is frozen with; others, e.g. a badge's values
 * from the mesh config, only counted when frozen by their owner).
 */
function reused(data: NodeData | EdgeData): void {
  if (Object.isFrozen(data)) return;
  const d = data as unknown as Record<string, unknown>;
  let deep = true;
  for (const key in d) {
    const v = d[key];
    if (typeof v !== 'object' || v === null) continue;
    if (key === 'badges') {
      if (!frozenBadges(v as Record<string, unknown>)) deep = false;
    } else freezeDeep(v);
  }
  Object.freeze(data);
  if (deep) sealed.add(data);
}

function freezeDeep(o: object): void {
  if (!Object.isFrozen(o)) Object.freeze(o);
  const r = o as Record<string, unknown>;
  for (const key in r) {
    const v = r[key];
    if (typeof v === 'object' && v !== null) freezeDeep(v);
  }
}

/** A badges object (made by the badges appender for this element) frozen; its values only checked. */
function frozenBadges(b: Record<string, unknown>): boolean {
  if (!Object.isFrozen(b)) Object.freeze(b);
  return isFrozenDeep(b);
}

function isFrozenDeep(o: object): boolean {
  if (!Object.isFrozen(o)) return false;
  const r = o as Record<string, unknown>;
  for (const key in r) {
    const v = r[key];
    if (typeof v === 'object' && v !== null && !isFrozenDeep(v)) return false;
  }
  return true;
}

/** Whether `nodeData(n)` would write `d` again, key for key (the spec's fields checked by the caller). */
function sameNode(d: NodeData, n: TrafficNode): boolean {
  const inbound = n.inbound;
  const total = round(inbound.total, 4);
  if (
    d.rpsIn !== total ||
    d.rpsOut !== round(n.out, 4) ||
    d.inbound.total !== total ||
    d.inbound.http4xx !== round(inbound.http4xx, 4) ||
    d.inbound.http5xx !== round(inbound.http5xx, 4) ||
    d.inbound.noResponse !== round(inbound.noResponse, 4) ||
    d.errorRate !== round(errorRate(inbound), 4) ||
    d.health !== n.health ||
    d.parent !== n.parent ||
    d.isServiceEntry !== n.isServiceEntry ||
    d.isEgressGateway !== (n.isEgressGateway ? true : undefined) ||
    d.isRoot !== (n.hasInbound ? undefined : true) ||
    d.isOutside !== (n.isOutside ? true : undefined) ||
    d.hasVS !== (n.hasVS ? true : undefined) ||
    d.hasCB !== (n.hasCB ? true : undefined) ||
    !sameJson(d.egressScope, n.egressScope || undefined) ||
    !sameNodeTraffic(d.traffic, n) ||
    !sameDestServices(d.destServices, n.destServices) ||
    !sameJson(d.latency, n.latency ?? EMPTY) ||
    !sameJson(d.badges, n.badges)
  )
    return false;
  return sameJson(d.responses, responsesOf(n.codes, inbound.total));
}

const EMPTY = Object.freeze({});

/** A node's `traffic` against what it would be (its rates follow from the rounded inbound rates and out, compared). */
function sameNodeTraffic(t: NodeData['traffic'], n: TrafficNode): boolean {
  const protocol = n.protocol ?? 'http';
  const tcp = protocol === 'tcp' || n.tcpIn > 0 || n.tcpOut > 0;
  if (t === undefined || t.length !== (protocol !== 'tcp' && tcp ? 2 : 1)) return false;
  if ((t[0] as { protocol: string }).protocol !== protocol) return false;
  if (!tcp) return true;
  const rates = (t[t.length - 1] as { rates: Record<string, number> }).rates;
  return rates.tcpIn === round(n.tcpIn, 2) && rates.tcpOut === round(n.tcpOut, 2);
}

function sameDestServices(d: NodeData['destServices'], m: TrafficNode['destServices']): boolean {
  if (m === undefined || m.size === 0) return d === undefined;
  if (d === undefined || d.length !== m.size) return false;
  let i = 0;
  for (const v of m.values()) if (d[i++] !== v) return false;
  return true;
}

/** Whether `edgeData(e, source)` would write `d` again, key for key. */
function sameEdge(d: EdgeData, e: TrafficEdge, source: TrafficNode): boolean {
  const r = e.rates;
  const protocol = dominant(e.protocols) ?? 'http';
  const rps = round(r.total, 4);
  const percentReq = source.out > 0 ? round((r.total / source.out) * 100, 2) : 0;
  const err = errorRate(r);
  if (
    d.source !== e.source ||
    d.target !== e.target ||
    d.protocol !== protocol ||
    d.reporter !== (e.reporter ?? 'mixed') ||
    d.rps !== rps ||
    d.rates.total !== rps ||
    d.rates.http4xx !== round(r.http4xx, 4) ||
    d.rates.http5xx !== round(r.http5xx, 4) ||
    d.rates.noResponse !== round(r.noResponse, 4) ||
    d.errorRate !== round(err, 4) ||
    d.percentReq !== percentReq ||
    d.isMTLS !== (e.mtls.all > 0 ? round((e.mtls.yes / e.mtls.all) * 100, 2) : undefined) ||
    d.sourcePrincipal !== e.principals.source ||
    d.destPrincipal !== e.principals.dest ||
    d.mtlsWarning !== e.mtlsWarning ||
    d.refusal !== e.refusal ||
    d.tlsOrigination !== e.tlsOrigination ||
    d.health !== e.health ||
    d.tcp !== (e.tcp > 0 ? round(e.tcp, 2) : undefined) ||
    d.traffic.protocol !== protocol ||
    !sameJson(d.latency, e.latency ?? EMPTY) ||
    !sameJson(d.badges, e.badges)
  )
    return false;
  // The traffic rates: besides `rps` and `percentReq` (compared), what each protocol's rates add.
  const rates = d.traffic.rates as Record<string, number>;
  if (protocol === 'tcp') {
    if (rates.tcp !== round(e.tcp, 2)) return false;
  } else if (protocol === 'grpc') {
    if (
      rates.grpcErr !== round(r.http4xx + r.http5xx, 4) ||
      rates.grpcPercentErr !==
        (r.total > 0 ? round(((r.http4xx + r.http5xx + r.noResponse) / r.total) * 100, 2) : 0)
    )
      return false;
  } else {
    const percentErr = protocol === 'http' ? rates.httpPercentErr : rates[`${protocol}PercentErr`];
    if (percentErr !== round(err * 100, 2)) return false;
  }
  return sameJson(d.traffic.responses, responsesOf(e.codes, r.total));
}

/**
 * Whether two values write the same JSON (plain data: objects' keys in the same order, arrays, strings,
 * numbers, booleans). Conservative: an undefined member or a `toJSON` counts as a difference.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i] as string;
    if (k !== kb[i] || ra[k] === undefined || !sameJson(ra[k], rb[k])) return false;
  }
  return typeof ra.toJSON !== 'function' && typeof rb.toJSON !== 'function';
}

/** A node's data; its keys in the order the JSON has always had them. */
export function nodeData(n: TrafficNode): NodeData {
  const spec = n.spec;
  const protocol = n.protocol ?? 'http';
  const inbound = roundRates(n.inbound);
  const rpsOut = round(n.out, 4);
  const data = { id: spec.id, nodeType: spec.nodeType, namespace: spec.namespace } as NodeData;
  if (spec.workload !== undefined) data.workload = spec.workload;
  if (spec.app !== undefined) data.app = spec.app;
  if (spec.version !== undefined) data.version = spec.version;
  if (spec.service !== undefined) data.service = spec.service;
  if (spec.serviceHost !== undefined) data.serviceHost = spec.serviceHost;
  if (n.isServiceEntry !== undefined) data.isServiceEntry = n.isServiceEntry;
  if (spec.isEgressCluster) data.isEgressCluster = true;
  if (n.isEgressGateway) data.isEgressGateway = true;
  if (n.egressScope) data.egressScope = n.egressScope;
  // A version's box is part of its identity; a service's box is found later (below).
  if (spec.box && n.parent !== undefined) data.parent = n.parent;
  data.rpsIn = inbound.total;
  data.rpsOut = rpsOut;
  data.inbound = inbound;
  data.errorRate = round(errorRate(n.inbound), 4);
  data.responses = responsesOf(n.codes, n.inbound.total);
  data.latency = n.latency ?? {};
  data.health = n.health;
  data.badges = n.badges;
  data.traffic =
    protocol === 'tcp'
      ? [tcpNodeTraffic(n)]
      : [
          { protocol, rates: nodeTrafficRates(protocol, inbound, rpsOut) },
          ...(n.tcpIn > 0 || n.tcpOut > 0 ? [tcpNodeTraffic(n)] : []),
        ];
  if (!n.hasInbound) data.isRoot = true;
  if (n.destServices !== undefined && n.destServices.size > 0)
    data.destServices = [...n.destServices.values()];
  if (n.isOutside) data.isOutside = true;
  if (!spec.box && n.parent !== undefined) data.parent = n.parent;
  if (n.hasVS) data.hasVS = true;
  if (n.hasCB) data.hasCB = true;
  return data;
}

export function edgeData(e: TrafficEdge, source: TrafficNode): EdgeData {
  const protocol = dominant(e.protocols) ?? 'http';
  const rps = round(e.rates.total, 4);
  const percentReq = source.out > 0 ? round((e.rates.total / source.out) * 100, 2) : 0;
  const err = errorRate(e.rates);
  const latency = e.latency ?? {};
  // Keys set one by one in the JSON's order (no spread of a literal per optional key: an object each).
  const data = {
    id: e.id,
    source: e.source,
    target: e.target,
    protocol,
    reporter: e.reporter ?? 'mixed',
    rps,
    rates: roundRates(e.rates),
    errorRate: round(err, 4),
    percentReq,
  } as EdgeData;
  if (latency.p95 !== undefined) data.responseTime = latency.p95;
  data.latency = latency;
  if (e.mtls.all > 0) data.isMTLS = round((e.mtls.yes / e.mtls.all) * 100, 2);
  if (e.principals.source !== undefined) data.sourcePrincipal = e.principals.source;
  if (e.principals.dest !== undefined) data.destPrincipal = e.principals.dest;
  if (e.mtlsWarning !== undefined) data.mtlsWarning = e.mtlsWarning;
  if (e.refusal !== undefined) data.refusal = e.refusal;
  if (e.tlsOrigination !== undefined) data.tlsOrigination = e.tlsOrigination;
  data.health = e.health;
  if (e.tcp > 0) data.tcp = round(e.tcp, 2);
  data.traffic = {
    protocol,
    rates:
      protocol === 'tcp'
        ? { tcp: round(e.tcp, 2) }
        : protocol === 'grpc'
          ? grpcEdgeRates(e.rates, percentReq)
          : edgeTrafficRates(protocol, rps, percentReq, round(err * 100, 2)),
    responses: responsesOf(e.codes, e.rates.total),
  };
  data.badges = e.badges;
  return data;
}

type Box = Parameters<typeof boxNode>[0];

/**
 * A map's keys (the elements' ids) in code-unit order, as `compare` (responses.ts) orders them: the default sort of
 * strings, without a comparator called per comparison. The last order of each kind of element is kept with the keys
 * it came from: a graph over the same series (a polled one) has the same keys in the same order and skips the sort.
 */
function sortedKeys(m: ReadonlyMap<string, unknown>, kind: 'boxes' | 'nodes' | 'edges'): readonly string[] {
  const keys = [...m.keys()];
  const last = lastSorted[kind];
  if (last !== undefined && sameKeys(last.keys, keys)) return last.sorted;
  const sorted = [...keys].sort();
  lastSorted[kind] = { keys, sorted };
  return sorted;
}

const lastSorted: Partial<Record<'boxes' | 'nodes' | 'edges', { keys: string[]; sorted: string[] }>> = {};

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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

/** The key with the highest value (the first of equals): an edge's protocol, as the graph's JSON picks it. */
export function dominant(counts: {
  forEach(fn: (value: number, key: string) => void): void;
}): string | undefined {
  let best: string | undefined;
  let max = Number.NEGATIVE_INFINITY;
  counts.forEach((v, k) => {
    if (v > max) {
      best = k;
      max = v;
    }
  });
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

/** Kiali's gRPC edge rates: calls, errors (non-OK status or HTTP 4xx/5xx), no response, shares. */
function grpcEdgeRates(r: RateBreakdown, percentReq: number): Record<string, number> {
  const err = r.http4xx + r.http5xx;
  return {
    grpc: round(r.total, 4),
    grpcErr: round(err, 4),
    grpcNoResponse: round(r.noResponse, 4),
    grpcPercentErr: r.total > 0 ? round(((err + r.noResponse) / r.total) * 100, 2) : 0,
    grpcPercentReq: percentReq,
  };
}

/** Kiali's TCP node rates: bytes per second in and out. */
function tcpNodeTraffic(n: TrafficNode): { protocol: string; rates: Record<string, number> } {
  return { protocol: 'tcp', rates: { tcpIn: round(n.tcpIn, 2), tcpOut: round(n.tcpOut, 2) } };
}

/** Kiali's node traffic rates, keyed by protocol (`httpIn`, `httpIn5xx`…). */
function nodeTrafficRates(protocol: string, inbound: RateBreakdown, out: number): Record<string, number> {
  if (protocol === 'grpc') {
    return {
      grpcIn: inbound.total,
      grpcInErr: round(inbound.http4xx + inbound.http5xx, 4),
      grpcInNoResponse: inbound.noResponse,
      grpcOut: out,
    };
  }
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

// The traffic map written out as the graph's JSON elements (Kiali's cytoscape shape): numbers rounded,
// Kiali's per-protocol traffic rates, app boxes first, then nodes and edges in id order. The last step
// of the assembly, after every appender.
import { emptyRates, errorRate } from './health';
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
  for (const id of sortedKeys(map.boxes, 'boxes')) boxes.push(boxNode(map.boxes.get(id) as Box));
  const nodes: NodeData[] = boxes;
  for (const id of sortedKeys(map.nodes, 'nodes')) nodes.push(nodeData(map.nodes.get(id) as TrafficNode));
  const edges: EdgeData[] = [];
  for (const id of sortedKeys(map.edges, 'edges')) {
    const e = map.edges.get(id) as TrafficEdge;
    edges.push(edgeData(e, map.nodes.get(e.source) as TrafficNode));
  }
  const out: Assembled = { nodes, edges };
  if (map.namespaceMtls) out.namespaceMtls = Object.fromEntries([...map.namespaceMtls].sort());
  return out;
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

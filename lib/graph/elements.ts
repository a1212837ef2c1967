// The traffic map written out as the graph's JSON elements (Kiali's cytoscape shape): numbers rounded,
// Kiali's per-protocol traffic rates, app boxes first, then nodes and edges in id order. The last step
// of the assembly, after every appender.
import { emptyRates, errorRate } from './health';
import { asciiBytes, type JsonBytes } from './json-bytes';
import {
  type CodeCounts,
  isWholeResponse,
  responseCodesOf,
  responsesOf,
  wholeResponsesOf,
} from './responses';
import { round, roundRates } from './rounding';
import type { NumberTally } from './tally';
import { type TrafficEdge, type TrafficMap, type TrafficNode, walkOf } from './traffic-map';
import type { EdgeData, Graph, Latency, NodeData, PeerMode, RateBreakdown } from './types';

export interface Assembled {
  nodes: NodeData[];
  edges: EdgeData[];
  namespaceMtls?: Record<string, PeerMode>;
}

/**
 * The elements of a traffic map in the JSON's order: app boxes first, then nodes and edges in id order. Their data
 * objects are made only when read (`nodes`, `edges`: the page's lean answer, a graph put in the page, tests), and
 * frozen: a built graph is never changed. The streamed answer is written straight from the traffic map's nodes and
 * edges (`directElements`), which nothing changes once the appenders are done, read or not.
 */
export function toElements(map: TrafficMap): Assembled {
  const boxes: Box[] = [];
  for (const id of sortedKeys(map.boxes, 'boxes')) boxes.push(map.boxes.get(id) as Box);
  const kinds: NodeKind[] = boxes.map(() => BOX);
  const nodes: TrafficNode[] = [];
  for (const id of sortedKeys(map.nodes, 'nodes')) {
    const n = map.nodes.get(id) as TrafficNode;
    nodes.push(n);
    kinds.push(n.spec.box ? PARENT_FIRST : PARENT_LAST);
  }
  const edges: TrafficEdge[] = [];
  const sources: TrafficNode[] = [];
  for (const id of sortedKeys(map.edges, 'edges')) {
    const e = map.edges.get(id) as TrafficEdge;
    edges.push(e);
    sources.push(map.nodes.get(e.source) as TrafficNode);
  }
  const walk = walkOf(map);
  // The walk's own elements, none added or replaced by an appender (as none does).
  const walked =
    walk !== undefined && walk.nodes.length === map.nodes.size && walk.edges.length === map.edges.size
      ? walk.program
      : undefined;
  const plan: Plan = { boxes, nodes, kinds, edges, sources, walk: walked, made: undefined };
  const out = {} as Assembled;
  for (const key of ['nodes', 'edges'] as const)
    Object.defineProperty(out, key, { enumerable: true, get: () => materialize(plan)[key] });
  plans.set(out, plan);
  if (map.namespaceMtls) out.namespaceMtls = Object.fromEntries([...map.namespaceMtls].sort());
  return out;
}

/** What `toElements` keeps to write the elements or make their data later: the traffic map's, in order. */
interface Plan {
  boxes: readonly Box[];
  /** The nodes after the boxes. */
  nodes: readonly TrafficNode[];
  /** Each box's, then each node's kind. */
  kinds: readonly NodeKind[];
  edges: readonly TrafficEdge[];
  /** Each edge's source node. */
  sources: readonly TrafficNode[];
  /**
   * The walk program the elements were walked by (`walkOf`), when they are all its own: every map walked by the same
   * program has the same elements in the same order, each with the same ids, spec, services, protocol, reporter,
   * protocols' keys and principals (`traffic-map.ts`' `walkObjects`, the security policy appender); undefined: not
   * known.
   */
  walk: object | undefined;
  /** The data objects, once read. */
  made: { nodes: NodeData[]; edges: EdgeData[] } | undefined;
}

/** By the `Assembled` that `toElements` answered. */
const plans = new WeakMap<Assembled, Plan>();

/**
 * The elements' data objects, made once and frozen (with their arrays): the streamed answer is written from the
 * traffic map whether they were read or not, so a change to them would not be in it.
 */
function materialize(plan: Plan): { nodes: NodeData[]; edges: EdgeData[] } {
  if (plan.made !== undefined) return plan.made;
  const nodes: NodeData[] = plan.boxes.map((b) => Object.freeze(boxNode(b)));
  for (const n of plan.nodes) nodes.push(Object.freeze(nodeData(n)));
  const edges: EdgeData[] = [];
  for (let i = 0; i < plan.edges.length; i++)
    edges.push(Object.freeze(edgeData(plan.edges[i] as TrafficEdge, plan.sources[i] as TrafficNode)));
  plan.made = { nodes: Object.freeze(nodes) as NodeData[], edges: Object.freeze(edges) as EdgeData[] };
  return plan.made;
}

/**
 * The graph's `elements` (`{data}` wrappers, frozen) of what `assembleGraph` answered: its arrays made on first read;
 * the streamed answer writes them from the traffic map (`directElements`). Any other `Assembled`, as it is.
 */
export function graphElements(a: Assembled): Graph['elements'] {
  const plan = plans.get(a);
  if (plan === undefined)
    return { nodes: a.nodes.map((data) => ({ data })), edges: a.edges.map((data) => ({ data })) };
  let wrapped: Graph['elements'] | undefined;
  const wrap = (): Graph['elements'] => {
    if (wrapped === undefined) {
      const m = materialize(plan);
      const each = <T>(data: T) => Object.freeze({ data });
      wrapped = {
        nodes: Object.freeze(m.nodes.map(each)) as Graph['elements']['nodes'],
        edges: Object.freeze(m.edges.map(each)) as Graph['elements']['edges'],
      };
    }
    return wrapped;
  };
  const elements = {} as Graph['elements'];
  Object.defineProperty(elements, 'nodes', { enumerable: true, get: () => wrap().nodes });
  Object.defineProperty(elements, 'edges', { enumerable: true, get: () => wrap().edges });
  Object.freeze(elements);
  planOf.set(elements, plan);
  return elements;
}

/** A graph's `elements` made by `graphElements`, by their plan. */
const planOf = new WeakMap<object, Plan>();

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
  data.latency = latencyOf(n.latency);
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
  const latency = latencyOf(e.latency);
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

/** An element's latency when it has none (or none was asked for): one frozen object, so its JSON is kept. */
const NO_LATENCY: Latency = Object.freeze({});

/** An element's latency as written: an empty one (none, or not asked for) is `NO_LATENCY`. */
function latencyOf(latency: Latency | undefined): Latency {
  if (latency === undefined) return NO_LATENCY;
  for (const _ in latency) return latency;
  return NO_LATENCY;
}

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

// The elements' JSON written straight into bytes (`json-bytes.ts`) from the traffic map's nodes and edges, each key
// where `nodeData`, `edgeData` and `boxNode` set it (JSON.stringify's order is the order of setting): a change to
// one of them is a change here. A key whose value is undefined is left out, as JSON leaves it out.
// What a poll writes again — an element's names, principals, deep-frozen response maps, latencies and badges — is
// kept as bytes between the numbers, checked by reference against what it was made from (never by the numbers:
// a live poll's rates move), and written by copy.

type NodeKind = 0 | 1 | 2;
const BOX: NodeKind = 0;
const PARENT_FIRST: NodeKind = 1;
const PARENT_LAST: NodeKind = 2;

/** An edge's kept bytes, each run with the values it was written from (compared by reference). */
interface EdgeRecord {
  id: string;
  source: string;
  target: string;
  protocol: string;
  reporter: string;
  /** `{"id":…,"reporter":…,"rps":` (a place in the arena, `Arena.keep`). */
  head: number;
  responseTime: unknown;
  latency: unknown;
  isMTLS: unknown;
  sourcePrincipal: unknown;
  destPrincipal: unknown;
  mtlsWarning: unknown;
  refusal: unknown;
  tlsOrigination: unknown;
  health: unknown;
  /** `,"responseTime":…,"latency":…` when all of it is frozen, else NONE. */
  lat: number;
  /** `,"isMTLS":…,"health":…` when all of it is frozen, else NONE. */
  middle: number;
  responses: unknown;
  /** `,"responses":…}` (the traffic closed) when all of it is frozen, else NONE. */
  tail: number;
  /** The element's write program, while it holds (`edgeProgramHolds`). */
  prog: EdgeProgram | undefined;
}

/** A node's (or box's) kept bytes, as an edge's. */
interface NodeRecord {
  head: unknown[];
  /** `{"id":…,"rpsIn":` (a box: the whole data) when all of it is frozen, else NONE. */
  headBytes: number;
  responses: unknown;
  latency: unknown;
  /** `,"responses":…` when all of it is frozen, else NONE. */
  middle: number;
  /** `,"latency":…` when frozen, else NONE. */
  lat: number;
  tail: unknown[];
  /** `,"isRoot":…,"hasCB":…}` (the data closed) when all of it is frozen, else NONE. */
  tailBytes: number;
  /** The element's write program, while it holds (`nodeProgramHolds`). */
  prog: NodeProgram | undefined;
}

/**
 * The kept segments' bytes of one array's records, one after the other in one buffer (a segment is a place in it,
 * not an `ArrayBuffer` of its own: ~250 bytes less each, 85,000 segments at 5,000 workloads). A replaced segment's
 * bytes stay until the arena is made again from the live ones, when they are more than half of it.
 */
class Arena {
  bytes = new Uint8Array(1 << 16);
  end = 0;
  live = 0;

  /** The bytes `w` wrote since `start`, kept: their place (NONE when too long to keep). */
  keep(w: JsonBytes, start: number): number {
    return this.append(w.buf, start, w.pos - start);
  }

  append(from: Uint8Array, start: number, len: number): number {
    if (len >= SEGMENT_LEN) return NONE;
    if (this.end + len > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.end + len));
      grown.set(this.bytes.subarray(0, this.end));
      this.bytes = grown;
    }
    this.bytes.set(from.subarray(start, start + len), this.end);
    const at = this.end * SEGMENT_LEN + len;
    this.end += len;
    this.live += len;
    return at;
  }

  /** A kept segment written into `w`. */
  write(w: JsonBytes, at: number): void {
    const len = at % SEGMENT_LEN;
    const from = (at - len) / SEGMENT_LEN;
    w.slice(this.bytes, from, len);
  }

  /** `old` replaced by the bytes `w` wrote since `start`: those kept when `frozen`, else nothing kept. */
  replace(old: number, w: JsonBytes, start: number, frozen: boolean): number {
    this.drop(old);
    return frozen ? this.keep(w, start) : NONE;
  }

  /** A segment no longer kept (replaced). */
  drop(at: number): number {
    if (at !== NONE) this.live -= at % SEGMENT_LEN;
    return NONE;
  }
}

/** No segment kept. */
const NONE = -1;
/** A segment's place is `start * SEGMENT_LEN + length`: segments shorter than this are kept. */
const SEGMENT_LEN = 1 << 16;

/** The records of one array's elements, by place, and their segments' arena. */
interface RecordSet {
  records: (EdgeRecord | NodeRecord | undefined)[];
  arena: Arena;
  /** The records' write programs' bytes. */
  store: SegmentStore;
}

/** Kept records by element place, for the last arrays written (a few views polled side by side). */
const RECORD_SETS_MAX = 4;
const recordSets = new Map<string, RecordSet>();

/** The set's arena made again from its live segments when most of it is replaced ones. */
function compact(set: RecordSet): void {
  if (set.store.replaced()) {
    // Most of the programs' bytes replaced ones: the programs dropped (each made again on its element's next write).
    for (const r of set.records) if (r !== undefined) r.prog = undefined;
    set.store = new SegmentStore();
  }
  const old = set.arena;
  if (old.end < 2 * old.live + (1 << 20)) return;
  const arena = new Arena();
  const move = (at: number) =>
    at === NONE ? NONE : arena.append(old.bytes, (at - (at % SEGMENT_LEN)) / SEGMENT_LEN, at % SEGMENT_LEN);
  for (const r of set.records) {
    if (r === undefined) continue;
    if ('source' in r) {
      r.head = move(r.head);
      r.lat = move(r.lat);
      r.middle = move(r.middle);
      r.tail = move(r.tail);
    } else {
      r.headBytes = move(r.headBytes);
      r.middle = move(r.middle);
      r.lat = move(r.lat);
      r.tailBytes = move(r.tailBytes);
    }
  }
  set.arena = arena;
}

/**
 * The kept records of an array of elements (by its kind, length and first id: a view's arrays poll after poll),
 * compacted.
 */
function recordSetOf(kind: 'nodes' | 'edges', view: string, length: number, firstId: string): RecordSet {
  const key = `${kind}|${view}|${length}|${firstId}`;
  let set = recordSets.get(key);
  if (set === undefined) {
    if (recordSets.size >= RECORD_SETS_MAX) recordSets.delete(recordSets.keys().next().value as string);
    set = { records: [], arena: new Arena(), store: new SegmentStore() };
    recordSets.set(key, set);
  }
  compact(set);
  return set;
}

/** The writer of a graph's `elements` straight from its traffic map: each array's length and each element's JSON. */
export interface DirectElements {
  nodes: number;
  edges: number;
  /** `{"data":…}` of node i (boxes first). */
  node(w: JsonBytes, i: number): void;
  /** `{"data":…}` of edge i. */
  edge(w: JsonBytes, i: number): void;
}

/**
 * The direct writer of a graph's `elements` as `graphElements` made them (frozen: read or not, never changed).
 * `view`: what tells a view's answers apart beyond their arrays (its graph type, latency or not), so that views
 * polled side by side keep their records apart. Write programs unless `MESHLENS_GRAPH_WRITE_PROGRAM=0` (read per
 * answer: an A/B on one build).
 */
export function directElements(elements: unknown, view = ''): DirectElements | undefined {
  if (typeof elements !== 'object' || elements === null) return undefined;
  const plan = planOf.get(elements);
  if (plan === undefined) return undefined;
  const programs = process.env.MESHLENS_GRAPH_WRITE_PROGRAM !== '0';
  const { boxes, nodes, kinds, edges, sources, walk } = plan;
  const nb = boxes.length;
  const nodeCount = nb + nodes.length;
  const firstNode = nb > 0 ? (boxes[0] as Box).id : nodes[0]?.spec.id;
  // Without programs, records of their own (an A/B's two sides alternated keep theirs).
  const set = programs ? view : `${view}|no programs`;
  const nodeSet = nodeCount > 0 ? recordSetOf('nodes', set, nodeCount, firstNode as string) : undefined;
  const edgeSet =
    edges.length > 0 ? recordSetOf('edges', set, edges.length, (edges[0] as TrafficEdge).id) : undefined;
  return {
    nodes: nodeCount,
    edges: edges.length,
    node(w, i) {
      const set = nodeSet as RecordSet;
      const rs = set.records;
      if (i < nb) {
        w.bytes(K.data);
        rs[i] = directBox(w, set.arena, boxes[i] as Box, rs[i] as NodeRecord | undefined);
        w.byte(0x7d);
        return;
      }
      const n = nodes[i - nb] as TrafficNode;
      const parentFirst = kinds[i] === PARENT_FIRST;
      const kept = rs[i] as NodeRecord | undefined;
      if (programs && kept?.prog !== undefined && nodeProgramHolds(kept, kept.prog, n, parentFirst, walk)) {
        replayNode(w, set.store, kept.prog, n);
        replays++;
        return;
      }
      fullWrites++;
      const start = w.pos;
      w.bytes(K.data);
      marks.fill(-1);
      const r = directNode(w, set.arena, n, parentFirst, kept);
      w.byte(0x7d);
      rs[i] = r;
      if (kept?.prog !== undefined) set.store.drop(kept.prog);
      r.prog = programs ? nodeProgram(set.store, r, n, parentFirst, w, start, walk) : undefined;
      if (r.prog !== undefined) dropNodeSegments(set.arena, r);
    },
    edge(w, i) {
      const set = edgeSet as RecordSet;
      const rs = set.records;
      const e = edges[i] as TrafficEdge;
      const source = sources[i] as TrafficNode;
      const kept = rs[i] as EdgeRecord | undefined;
      if (programs && kept?.prog !== undefined && edgeProgramHolds(kept, kept.prog, e, walk)) {
        replayEdge(w, set.store, kept.prog, e, source);
        replays++;
        return;
      }
      fullWrites++;
      const start = w.pos;
      w.bytes(K.data);
      marks.fill(-1);
      const r = directEdge(w, set.arena, e, source, kept);
      w.byte(0x7d);
      rs[i] = r;
      if (kept?.prog !== undefined) set.store.drop(kept.prog);
      r.prog = programs ? edgeProgram(set.store, r, e, w, start, walk) : undefined;
      if (r.prog !== undefined) dropEdgeRecord(set.arena, r);
    },
  };
}

// Write programs. A polled view's elements are mostly the same as the last answer's but for their numbers: the same
// ids, names, latencies, mTLS shares, health, response maps and badges. Everything an element writes between two of
// its moving numbers is then one run of bytes; its program keeps the three runs that are its own (all before its
// first number, between its node or edge numbers and its traffic numbers, all after its last) as views that never
// move, with what they were written from, and a replay writes the runs and the numbers between them (the keys
// between two numbers are the writer's constants). The latency fields are a run of their own, written afresh when
// the element's latency is another object (a pinned graph at another time: a new reading, every element's latency
// new while the rest of its bytes are the last answer's) and kept while it is the same frozen one (a polled view's,
// kept with its reading). Anything else changed (a name, a share, a response map, a health, badges): the element
// written as above and its program made again. Only an HTTP element without TCP rates and with kept bytes everywhere
// but its latency has one.

/** Elements written by their programs so far (for tests and benches: that programs are replayed at all). */
let replays = 0;

export function programReplays(): number {
  return replays;
}

/**
 * Elements replayed without the checks of what their walk alone sets, so far (`EdgeProgram.walk`; for tests and
 * benches: that the skip is taken at all).
 */
let walkedReplays = 0;

export function programReplaysByWalk(): number {
  return walkedReplays;
}

/** Nodes and edges (not boxes) written without a program so far (for benches: what replays do not cover). */
let fullWrites = 0;

export function fullElementWrites(): number {
  return fullWrites;
}

/** The write programs kept (all views) and their stores' bytes, live and all (for benches: their memory). */
export function programMemory(): { programs: number; live: number; total: number } {
  let programs = 0;
  let live = 0;
  let total = 0;
  for (const set of recordSets.values()) {
    for (const r of set.records) if (r?.prog !== undefined) programs++;
    live += set.store.live;
    total += set.store.total;
  }
  return { programs, live, total };
}

/**
 * Where the writer was at an element's program's seams (`marks[0..3]`; -1: not reached), before and after a
 * response map written from its counts (`marks[4..5]`), and before and after its latency (`marks[6..7]`).
 */
const marks = new Int32Array(8);

/** Whether the last element's write passed all four seams. */
function marked(): boolean {
  return (
    (marks[0] as number) >= 0 &&
    (marks[1] as number) >= 0 &&
    (marks[2] as number) >= 0 &&
    (marks[3] as number) >= 0
  );
}

/** What an element's badges were written from: the object when deep-frozen, else its members (each deep-frozen). */
interface BadgesKept {
  ref: unknown;
  /** Keys and values in order, when `ref` is not deep-frozen (then undefined). */
  members: unknown[] | undefined;
}

interface EdgeProgram {
  a: Uint8Array;
  b: Uint8Array;
  c: Uint8Array;
  /**
   * The element's latency fields (an edge's `responseTime` and `latency`, a node's `latency`) as last written, when
   * they were written from a frozen latency (`latency`); else empty. A replay writes these bytes while the element's
   * latency is that object, else its latency's fields afresh (a pinned graph's new reading: every element's latency a
   * new object, the rest of its bytes as the last answer of the view wrote them).
   */
  lat: Uint8Array;
  /** The frozen latency `lat` was written from; `UNKEPT_LATENCY`: none kept. */
  latency: Latency;
  /** The most bytes a replay writes. */
  size: number;
  badges: BadgesKept;
  /** The code, flag and host of its whole response map (`isWholeResponse`); code undefined: written from counts. */
  code: string | undefined;
  flag: string;
  host: string;
  /**
   * A response map that is not a whole one is written from the element's counts, where its run is cut: an edge's
   * after `c`, a node's after `b`; then this run.
   */
  after: Uint8Array | undefined;
  /**
   * The walk program (`Plan.walk`) of the last write the program was made at or held for in full: a write of an
   * element walked by it again (at the same place) skips the checks of what the walk alone sets.
   */
  walk: object | undefined;
}

interface NodeProgram extends EdgeProgram {
  /** After the latency, up to the node's HTTP numbers (`b` is up to the latency, or to a response map from counts). */
  d: Uint8Array;
  parentFirst: boolean;
  health: unknown;
  /** The services the node was reached by (each deep-frozen, written as an array made each time), if any. */
  dests: readonly unknown[] | undefined;
}

/** The most bytes a number takes (`JsonBytes.fixed`, or the shortest round trip of a double). */
const NUMBER_MAX = 24;

/**
 * The bytes of the programs of one array's records in chunks that never move, handed out as views (a view made
 * once a kept run, not once a write). A replaced program's bytes stay until the programs are dropped, when they
 * are most of the store.
 */
class SegmentStore {
  private chunk = new Uint8Array(0);
  private used = 0;
  total = 0;
  live = 0;

  /** `from[start..end)` kept. */
  keep(from: Uint8Array, start: number, end: number): Uint8Array {
    const len = end - start;
    if (this.used + len > this.chunk.length) {
      this.chunk = new Uint8Array(Math.max(STORE_CHUNK, len));
      this.used = 0;
    }
    const view = this.chunk.subarray(this.used, this.used + len);
    view.set(from.subarray(start, end));
    this.used += len;
    this.total += len;
    this.live += len;
    return view;
  }

  /** A program's bytes no longer kept. */
  drop(p: EdgeProgram | NodeProgram): void {
    this.live -= p.a.length + p.b.length + p.c.length + p.lat.length + (p.after?.length ?? 0);
    if ('d' in p) this.live -= p.d.length;
  }

  /** `n` bytes of a program no longer kept (a run it replaced). */
  release(n: number): void {
    this.live -= n;
  }

  /** Whether most of what was kept is replaced (past a floor). */
  replaced(): boolean {
    return this.total > 2 * this.live + STORE_CHUNK * 4;
  }
}

/** Bytes of a program chunk. */
const STORE_CHUNK = 1 << 18;

function deepFrozen(v: unknown, depth: number): boolean {
  const t = typeof v;
  if (t === 'string' || t === 'number' || t === 'boolean' || v === null) return true;
  if (t !== 'object' || depth > 8 || !Object.isFrozen(v)) return false;
  const o = v as Record<string, unknown>;
  if (Array.isArray(o)) {
    if ((o as { toJSON?: unknown }).toJSON !== undefined) return false;
  } else {
    const proto = Object.getPrototypeOf(o);
    if (proto !== Object.prototype && proto !== null) return false;
  }
  for (const k in o) if (!deepFrozen(o[k], depth + 1)) return false;
  return true;
}

/** What `b` is written from, when it can be kept (undefined: it cannot). */
function badgesKept(b: unknown): BadgesKept | undefined {
  if (b === undefined || deepFrozen(b, 0)) return { ref: b, members: undefined };
  if (typeof b !== 'object' || b === null || Object.getPrototypeOf(b) !== Object.prototype) return undefined;
  const members: unknown[] = [];
  const o = b as Record<string, unknown>;
  for (const k in o) {
    const v = o[k];
    if (!deepFrozen(v, 1)) return undefined;
    members.push(k, v);
  }
  return { ref: undefined, members };
}

/** Whether `b` writes the bytes kept with `kept`. */
function badgesHold(kept: BadgesKept, b: unknown): boolean {
  const m = kept.members;
  if (m === undefined) return b === kept.ref;
  if (typeof b !== 'object' || b === null || Object.getPrototypeOf(b) !== Object.prototype) return false;
  const o = b as Record<string, unknown>;
  let i = 0;
  for (const k in o) {
    if (i >= m.length || m[i] !== k || m[i + 1] !== o[k]) return false;
    i += 2;
  }
  return i === m.length;
}

/** The edge's program from what its write just wrote (from `start`), when it can have one. */
function edgeProgram(
  store: SegmentStore,
  r: EdgeRecord,
  e: TrafficEdge,
  w: JsonBytes,
  start: number,
  walk: object | undefined,
): EdgeProgram | undefined {
  if (r.protocol !== 'http' || e.tcp > 0 || r.head === NONE || r.middle === NONE || !marked())
    return undefined;
  const live = (marks[4] as number) >= 0;
  if (!live && r.tail === NONE) return undefined;
  const badges = badgesKept(e.badges);
  if (badges === undefined) return undefined;
  const a = store.keep(w.buf, start, marks[0] as number);
  const { lat, latency } = keptLatency(store, r.lat, r.latency, w);
  const b = store.keep(w.buf, marks[7] as number, marks[2] as number);
  const walked = edgeWalk(e, walk);
  if (live) {
    const c = store.keep(w.buf, marks[3] as number, marks[4] as number);
    const after = store.keep(w.buf, marks[5] as number, w.pos);
    const size = a.length + lat.length + b.length + c.length + after.length + EDGE_BETWEEN;
    return { a, b, c, lat, latency, size, badges, code: undefined, flag: '', host: '', after, walk: walked };
  }
  const c = store.keep(w.buf, marks[3] as number, w.pos);
  const size = a.length + lat.length + b.length + c.length + EDGE_BETWEEN;
  return { a, b, c, lat, latency, size, badges, ...wholeKeys(e.codes), after: undefined, walk: walked };
}

/** No latency kept with a program: never an element's (`latencyOf` answers an element's own or `NO_LATENCY`). */
const UNKEPT_LATENCY: Latency = Object.freeze({});

const NO_BYTES = new Uint8Array(0);

/**
 * The latency run of a program made from the write just done (`marks[6..7]`): its bytes and the latency they were
 * written from when the record kept them (`lat`: a frozen latency), else none kept.
 */
function keptLatency(
  store: SegmentStore,
  lat: number,
  latency: unknown,
  w: JsonBytes,
): { lat: Uint8Array; latency: Latency } {
  if (lat === NONE) return { lat: NO_BYTES, latency: UNKEPT_LATENCY };
  return { lat: store.keep(w.buf, marks[6] as number, marks[7] as number), latency: latency as Latency };
}

/**
 * A replay's latency run: the program's kept bytes while the element's latency is the one they were written from,
 * else its fields written afresh (`writeEdgeLatency`, `writeNodeLatency`) and kept in the program when frozen.
 */
function replayLatency(
  w: JsonBytes,
  store: SegmentStore,
  p: EdgeProgram,
  latency: Latency,
  write: (w: JsonBytes, latency: Latency) => boolean,
): void {
  if (latency === p.latency) {
    w.put(p.lat);
    return;
  }
  const start = w.pos;
  const frozen = write(w, latency);
  const old = p.lat.length;
  store.release(old);
  if (frozen) {
    p.lat = store.keep(w.buf, start, w.pos);
    p.latency = latency;
  } else {
    p.lat = NO_BYTES;
    p.latency = UNKEPT_LATENCY;
  }
  p.size += p.lat.length - old;
  // What is left of the replay, with room for its numbers (`reserve` was for the kept run).
  w.reserve(p.size);
}

/** An edge's `responseTime` and `latency` (`edgeData`'s); whether they are frozen (their bytes can be kept). */
function writeEdgeLatency(w: JsonBytes, latency: Latency): boolean {
  return optional(w, K.responseTime, latency.p95) && optional(w, K.latency, latency);
}

/** A node's `latency` (`nodeData`'s); whether it is frozen. */
function writeNodeLatency(w: JsonBytes, latency: Latency): boolean {
  return optional(w, K.latency, latency);
}

/**
 * The walk an edge's program holds for: its protocol is then its only protocol's, the walk's (an edge of several is
 * checked every time: the one with the most requests is its protocol).
 */
function edgeWalk(e: TrafficEdge, walk: object | undefined): object | undefined {
  return e.protocols.size === 1 ? walk : undefined;
}

/**
 * Whether the edge writes what its program was made from, but for its numbers. An edge of the walk its program last
 * held for (`EdgeProgram.walk`) has the same ids, reporter, protocol and principals: those are not checked again.
 */
function edgeProgramHolds(r: EdgeRecord, p: EdgeProgram, e: TrafficEdge, walk: object | undefined): boolean {
  const walked = walk !== undefined && p.walk === walk;
  if (e.tcp > 0) return false;
  if (!walked) {
    if (e.id !== r.id || e.source !== r.source || e.target !== r.target) return false;
    const protocols = e.protocols;
    if ((protocols.size === 1 ? protocols.firstKey() : dominant(protocols)) !== 'http') return false;
    if ((e.reporter ?? 'mixed') !== r.reporter) return false;
    const principals = e.principals;
    if (principals.source !== r.sourcePrincipal || principals.dest !== r.destPrincipal) return false;
  }
  if (e.health !== r.health) return false;
  const mtls = e.mtls;
  if (
    (mtls.all > 0 ? round((mtls.yes / mtls.all) * 100, 2) : undefined) !== r.isMTLS ||
    e.mtlsWarning !== r.mtlsWarning ||
    e.refusal !== r.refusal ||
    e.tlsOrigination !== r.tlsOrigination
  )
    return false;
  if (
    !badgesHold(p.badges, e.badges) ||
    (p.code !== undefined && !isWholeResponse(e.codes, e.rates.total, p.code, p.flag, p.host))
  )
    return false;
  if (walked) walkedReplays++;
  else p.walk = edgeWalk(e, walk);
  return true;
}

/** `{"data":…}` of an edge by its program (`directEdge`'s bytes). */
function replayEdge(
  w: JsonBytes,
  store: SegmentStore,
  p: EdgeProgram,
  e: TrafficEdge,
  source: TrafficNode,
): void {
  const rates = e.rates;
  const total = rates.total;
  const err = errorRate(rates);
  const share = source.out > 0 ? (total / source.out) * 100 : 0;
  w.reserve(p.size);
  w.put(p.a);
  edgeNumbers(w, rates, err, share);
  replayLatency(w, store, p, latencyOf(e.latency), writeEdgeLatency);
  w.put(p.b);
  edgeHttpNumbers(w, total, err, share);
  w.put(p.c);
  if (p.after !== undefined) {
    writeResponses(w, e.codes, total);
    w.reserve(p.after.length);
    w.put(p.after);
  }
}

/** An edge's numbers from its `rps` to its `percentReq` and the keys between them (room reserved). */
function edgeNumbers(w: JsonBytes, rates: RateBreakdown, err: number, share: number): void {
  const total = rates.total;
  w.fixed4(total);
  w.putShort(K.rates_total);
  w.fixed4(total);
  w.putShort(K.http4xx);
  w.fixed4(rates.http4xx);
  w.putShort(K.http5xx);
  w.fixed4(rates.http5xx);
  w.putShort(K.noResponse);
  w.fixed4(rates.noResponse);
  w.putShort(K.close_errorRate);
  w.fixed4(err);
  w.putShort(K.percentReq);
  w.fixed2(share);
}

/** An HTTP edge's traffic rates after its `{"http":`, up to their closing brace (room reserved). */
function edgeHttpNumbers(w: JsonBytes, total: number, err: number, share: number): void {
  w.fixed4(total);
  w.putShort(K.httpPercentReq);
  w.fixed2(share);
  w.putShort(K.httpPercentErr);
  w.fixed2(err * 100);
}

/** The node's program from what its write just wrote (from `start`), when it can have one. */
function nodeProgram(
  store: SegmentStore,
  r: NodeRecord,
  n: TrafficNode,
  parentFirst: boolean,
  w: JsonBytes,
  start: number,
  walk: object | undefined,
): NodeProgram | undefined {
  if ((n.protocol ?? 'http') !== 'http' || n.tcpIn > 0 || n.tcpOut > 0 || r.headBytes === NONE || !marked())
    return undefined;
  const live = (marks[4] as number) >= 0;
  if (!live && r.middle === NONE) return undefined;
  // The tail kept, or not only because of the services' array (made each write), of deep-frozen services.
  const t = r.tail;
  const dests = t[1] as unknown[] | undefined;
  if (
    r.tailBytes === NONE &&
    (dests === undefined ||
      !dests.every((d) => deepFrozen(d, 1)) ||
      !t.every((v, i) => i === 1 || typeof v !== 'object'))
  )
    return undefined;
  const badges = badgesKept(n.badges);
  if (badges === undefined) return undefined;
  const a = store.keep(w.buf, start, marks[0] as number);
  // Up to the latency, or to a response map written from counts, then the run from it to the latency.
  const b = store.keep(w.buf, marks[1] as number, live ? (marks[4] as number) : (marks[6] as number));
  const after = live ? store.keep(w.buf, marks[5] as number, marks[6] as number) : undefined;
  const { lat, latency } = keptLatency(store, r.lat, r.latency, w);
  const d = store.keep(w.buf, marks[7] as number, marks[2] as number);
  const c = store.keep(w.buf, marks[3] as number, w.pos);
  const size = a.length + b.length + (after?.length ?? 0) + lat.length + d.length + c.length + NODE_BETWEEN;
  const keys = live ? { code: undefined, flag: '', host: '' } : wholeKeys(n.codes);
  return {
    a,
    b,
    c,
    lat,
    latency,
    d,
    size,
    badges,
    ...keys,
    after,
    walk,
    parentFirst,
    health: n.health,
    dests,
  };
}

/**
 * Whether the node writes what its program was made from, but for its numbers (`directNode`'s checks). A node of the
 * walk its program last held for (`EdgeProgram.walk`) has the same spec, protocol, services and requests in or none:
 * those are not checked again.
 */
function nodeProgramHolds(
  r: NodeRecord,
  p: NodeProgram,
  n: TrafficNode,
  parentFirst: boolean,
  walk: object | undefined,
): boolean {
  const walked = walk !== undefined && p.walk === walk;
  const h = r.head;
  const t = r.tail;
  if (!walked) {
    const spec = n.spec;
    if (
      p.parentFirst !== parentFirst ||
      h[0] !== spec.id ||
      h[1] !== spec.nodeType ||
      h[2] !== spec.namespace ||
      h[3] !== spec.workload ||
      h[4] !== spec.app ||
      h[5] !== spec.version ||
      h[6] !== spec.service ||
      h[7] !== spec.serviceHost ||
      h[9] !== (spec.isEgressCluster ? true : undefined) ||
      (n.protocol ?? 'http') !== 'http' ||
      !destsHold(p.dests, n.destServices) ||
      t[0] !== (n.hasInbound ? undefined : true)
    )
      return false;
  }
  if (
    h[8] !== n.isServiceEntry ||
    h[10] !== (n.isEgressGateway ? true : undefined) ||
    h[11] !== (n.egressScope ? n.egressScope : undefined) ||
    h[12] !== (parentFirst ? n.parent : undefined)
  )
    return false;
  if (n.tcpIn > 0 || n.tcpOut > 0 || n.health !== p.health) return false;
  if (
    t[2] !== (n.isOutside ? true : undefined) ||
    t[3] !== (parentFirst ? undefined : n.parent) ||
    t[4] !== (n.hasVS ? true : undefined) ||
    t[5] !== (n.hasCB ? true : undefined)
  )
    return false;
  if (!badgesHold(p.badges, n.badges)) return false;
  if (p.code !== undefined && !isWholeResponse(n.codes, n.inbound.total, p.code, p.flag, p.host))
    return false;
  if (walked) walkedReplays++;
  else p.walk = walk;
  return true;
}

/** The code, flag and host of a whole response map's counts. */
function wholeKeys(codes: CodeCounts): { code: string; flag: string; host: string } {
  const c = codes.firstValue() as { flags: NumberTally; hosts: NumberTally };
  return {
    code: codes.firstKey() as string,
    flag: c.flags.firstKey() as string,
    host: c.hosts.firstKey() as string,
  };
}

/** Whether a node's services are those kept (the same objects in the same order), or none as kept. */
function destsHold(kept: readonly unknown[] | undefined, dests: TrafficNode['destServices']): boolean {
  if (dests === undefined || dests.size === 0) return kept === undefined;
  if (kept === undefined || dests.size !== kept.length) return false;
  let i = 0;
  for (const d of dests.values()) if (!sameService(d, kept[i++])) return false;
  return true;
}

/**
 * Whether a service writes what a kept one wrote: the same object, or (a walk not kept makes its own) a frozen plain
 * one of the same keys and texts in the same order.
 */
function sameService(d: object, kept: unknown): boolean {
  if (d === kept) return true;
  if (!Object.isFrozen(d) || Object.getPrototypeOf(d) !== Object.prototype) return false;
  const k = kept as Record<string, unknown>;
  const o = d as Record<string, unknown>;
  let n = 0;
  for (const _ in k) n++;
  for (const key in o) {
    const v = o[key];
    if (typeof v !== 'string' || v !== k[key]) return false;
    n--;
  }
  return n === 0;
}

/** `{"data":…}` of a node by its program (`directNode`'s bytes). */
function replayNode(w: JsonBytes, store: SegmentStore, p: NodeProgram, n: TrafficNode): void {
  const inbound = n.inbound;
  const total = inbound.total;
  w.reserve(p.size);
  w.put(p.a);
  nodeNumbers(w, inbound, n.out);
  w.put(p.b);
  if (p.after !== undefined) {
    writeResponses(w, n.codes, total);
    w.reserve(p.size);
    w.put(p.after);
  }
  replayLatency(w, store, p, latencyOf(n.latency), writeNodeLatency);
  w.put(p.d);
  nodeHttpNumbers(w, inbound, n.out);
  w.put(p.c);
}

/** A node's numbers from its `rpsIn` to its `errorRate` and the keys between them (room reserved). */
function nodeNumbers(w: JsonBytes, inbound: RateBreakdown, out: number): void {
  const total = inbound.total;
  w.fixed4(total);
  w.putShort(K.rpsOut);
  w.fixed4(out);
  w.putShort(K.inbound_total);
  w.fixed4(total);
  w.putShort(K.http4xx);
  w.fixed4(inbound.http4xx);
  w.putShort(K.http5xx);
  w.fixed4(inbound.http5xx);
  w.putShort(K.noResponse);
  w.fixed4(inbound.noResponse);
  w.putShort(K.close_errorRate);
  w.fixed4(errorRate(inbound));
}

/** An HTTP node's traffic rates after its `{"httpIn":`, up to `httpOut`'s number (room reserved). */
function nodeHttpNumbers(w: JsonBytes, inbound: RateBreakdown, out: number): void {
  w.fixed4(inbound.total);
  w.putShort(K.httpIn4xx);
  w.fixed4(inbound.http4xx);
  w.putShort(K.httpIn5xx);
  w.fixed4(inbound.http5xx);
  w.putShort(K.httpInNoResponse);
  w.fixed4(inbound.noResponse);
  w.putShort(K.httpOut);
  w.fixed4(out);
}

/** `edgeData`'s JSON written from the traffic map's edge, key for key (JSON.stringify's order of setting). */
function directEdge(
  w: JsonBytes,
  arena: Arena,
  e: TrafficEdge,
  source: TrafficNode,
  kept: EdgeRecord | undefined,
): EdgeRecord {
  // `dominant`'s pick: the only protocol of nearly every edge without its walk.
  const protocols = e.protocols;
  const protocol = (protocols.size === 1 ? protocols.firstKey() : dominant(protocols)) ?? 'http';
  const reporter = e.reporter ?? 'mixed';
  let r = kept;
  if (
    r === undefined ||
    r.id !== e.id ||
    r.source !== e.source ||
    r.target !== e.target ||
    r.protocol !== protocol ||
    r.reporter !== reporter ||
    r.head === NONE
  ) {
    const start = w.pos;
    w.bytes(K.id);
    w.string(e.id);
    w.bytes(K.source);
    w.string(e.source);
    w.bytes(K.target);
    w.string(e.target);
    w.bytes(K.protocol);
    w.string(protocol);
    w.bytes(K.reporter);
    w.string(reporter);
    w.bytes(K.rps);
    r = newEdgeRecord(e.id, e.source, e.target, protocol, reporter, arena.keep(w, start));
    if (kept !== undefined) dropEdgeRecord(arena, kept);
  } else arena.write(w, r.head);
  marks[0] = w.pos;
  // Each number rounded as `edgeData` rounds it, and written in the same step (`fixed4`, `fixed2`).
  const rates = e.rates;
  const total = rates.total;
  const err = errorRate(rates);
  const share = source.out > 0 ? (total / source.out) * 100 : 0;
  w.reserve(EDGE_BETWEEN);
  edgeNumbers(w, rates, err, share);
  marks[1] = w.pos;
  const latency = latencyOf(e.latency);
  const responseTime = latency.p95;
  marks[6] = w.pos;
  if (r.lat !== NONE && r.responseTime === responseTime && r.latency === latency) {
    arena.write(w, r.lat);
  } else {
    const start = w.pos;
    const frozen = writeEdgeLatency(w, latency);
    r.responseTime = responseTime;
    r.latency = latency;
    r.lat = arena.replace(r.lat, w, start, frozen);
  }
  marks[7] = w.pos;
  const mtls = e.mtls;
  const isMTLS = mtls.all > 0 ? round((mtls.yes / mtls.all) * 100, 2) : undefined;
  const principals = e.principals;
  if (
    r.middle !== NONE &&
    r.isMTLS === isMTLS &&
    r.sourcePrincipal === principals.source &&
    r.destPrincipal === principals.dest &&
    r.mtlsWarning === e.mtlsWarning &&
    r.refusal === e.refusal &&
    r.tlsOrigination === e.tlsOrigination &&
    r.health === e.health
  ) {
    arena.write(w, r.middle);
  } else {
    const start = w.pos;
    let frozen = optional(w, K.isMTLS, isMTLS);
    frozen = optional(w, K.sourcePrincipal, principals.source) && frozen;
    frozen = optional(w, K.destPrincipal, principals.dest) && frozen;
    frozen = optional(w, K.mtlsWarning, e.mtlsWarning) && frozen;
    frozen = optional(w, K.refusal, e.refusal) && frozen;
    frozen = optional(w, K.tlsOrigination, e.tlsOrigination) && frozen;
    frozen = optional(w, K.health, e.health) && frozen;
    r.isMTLS = isMTLS;
    r.sourcePrincipal = principals.source;
    r.destPrincipal = principals.dest;
    r.mtlsWarning = e.mtlsWarning;
    r.refusal = e.refusal;
    r.tlsOrigination = e.tlsOrigination;
    r.health = e.health;
    r.middle = arena.replace(r.middle, w, start, frozen);
  }
  if (e.tcp > 0) {
    w.bytes(K.tcp);
    w.fixed2(e.tcp);
  }
  w.bytes(K.traffic_protocol);
  w.string(protocol);
  if (protocol === 'http') {
    w.bytes(K.rates_http);
    marks[2] = w.pos;
    w.reserve(EDGE_BETWEEN);
    edgeHttpNumbers(w, total, err, share);
    marks[3] = w.pos;
    w.byte(0x7d);
  } else {
    const rps = round(total, 4);
    const percentReq = round(share, 2);
    w.bytes(K.rates);
    w.value(
      protocol === 'tcp'
        ? { tcp: round(e.tcp, 2) }
        : protocol === 'grpc'
          ? grpcEdgeRates(rates, percentReq)
          : edgeTrafficRates(protocol, rps, percentReq, round(err * 100, 2)),
    );
  }
  const whole = wholeResponsesOf(e.codes, total);
  if (whole !== undefined && r.tail !== NONE && r.responses === whole) {
    arena.write(w, r.tail);
  } else if (whole !== undefined) {
    const start = w.pos;
    w.bytes(K.responses);
    const frozen = w.frozenValue(whole);
    w.byte(0x7d);
    r.tail = arena.replace(r.tail, w, start, frozen);
  } else {
    r.tail = arena.drop(r.tail);
    w.bytes(K.responses);
    marks[4] = w.pos;
    writeResponses(w, e.codes, total);
    marks[5] = w.pos;
    w.byte(0x7d);
  }
  r.responses = whole;
  optional(w, K.badges, e.badges);
  w.byte(0x7d);
  return r;
}

/** `nodeData`'s JSON written from the traffic map's node, key for key (JSON.stringify's order of setting). */
function directNode(
  w: JsonBytes,
  arena: Arena,
  n: TrafficNode,
  parentFirst: boolean,
  kept: NodeRecord | undefined,
): NodeRecord {
  const r = kept ?? newNodeRecord();
  const h = r.head;
  const spec = n.spec;
  // As `nodeData` sets them: the flags only when true, the scope only when there is one.
  const isEgressCluster = spec.isEgressCluster ? true : undefined;
  const isEgressGateway = n.isEgressGateway ? true : undefined;
  const egressScope = n.egressScope ? n.egressScope : undefined;
  const headParent = parentFirst ? n.parent : undefined;
  if (
    r.headBytes !== NONE &&
    h[0] === spec.id &&
    h[1] === spec.nodeType &&
    h[2] === spec.namespace &&
    h[3] === spec.workload &&
    h[4] === spec.app &&
    h[5] === spec.version &&
    h[6] === spec.service &&
    h[7] === spec.serviceHost &&
    h[8] === n.isServiceEntry &&
    h[9] === isEgressCluster &&
    h[10] === isEgressGateway &&
    h[11] === egressScope &&
    h[12] === headParent
  ) {
    arena.write(w, r.headBytes);
  } else {
    const start = w.pos;
    w.bytes(K.id);
    w.string(spec.id);
    w.bytes(K.nodeType);
    w.string(spec.nodeType);
    w.bytes(K.namespace);
    w.string(spec.namespace);
    optional(w, K.workload, spec.workload);
    optional(w, K.app, spec.app);
    optional(w, K.version, spec.version);
    optional(w, K.service, spec.service);
    optional(w, K.serviceHost, spec.serviceHost);
    optional(w, K.isServiceEntry, n.isServiceEntry);
    optional(w, K.isEgressCluster, isEgressCluster);
    optional(w, K.isEgressGateway, isEgressGateway);
    let frozen = optional(w, K.egressScope, egressScope);
    if (parentFirst) frozen = optional(w, K.parent, headParent) && frozen;
    w.bytes(K.rpsIn);
    r.head = [
      spec.id,
      spec.nodeType,
      spec.namespace,
      spec.workload,
      spec.app,
      spec.version,
      spec.service,
      spec.serviceHost,
      n.isServiceEntry,
      isEgressCluster,
      isEgressGateway,
      egressScope,
      headParent,
    ];
    r.headBytes = arena.replace(r.headBytes, w, start, frozen);
  }
  // Each number rounded as `nodeData` rounds it, and written in the same step (`fixed4`).
  marks[0] = w.pos;
  const inbound = n.inbound;
  w.reserve(NODE_BETWEEN);
  nodeNumbers(w, inbound, n.out);
  marks[1] = w.pos;
  const whole = wholeResponsesOf(n.codes, inbound.total);
  if (whole !== undefined) {
    r.middle = keptOptional(w, arena, r.middle, r.responses === whole, K.responses, whole);
  } else {
    r.middle = arena.drop(r.middle);
    w.bytes(K.responses);
    marks[4] = w.pos;
    writeResponses(w, n.codes, inbound.total);
    marks[5] = w.pos;
  }
  r.responses = whole;
  const latency = latencyOf(n.latency);
  marks[6] = w.pos;
  r.lat = keptOptional(w, arena, r.lat, r.latency === latency, K.latency, latency);
  r.latency = latency;
  marks[7] = w.pos;
  optional(w, K.health, n.health);
  optional(w, K.badges, n.badges);
  w.bytes(K.traffic);
  const protocol = n.protocol ?? 'http';
  if (protocol === 'tcp') directTcpTraffic(w, n);
  else {
    if (protocol === 'http') {
      w.bytes(K.protocol_http_rates_httpIn);
      marks[2] = w.pos;
      w.reserve(NODE_BETWEEN);
      nodeHttpNumbers(w, inbound, n.out);
      marks[3] = w.pos;
      w.bytes(K.closeTwo);
    } else {
      w.value({ protocol, rates: nodeTrafficRates(protocol, roundRates(inbound), round(n.out, 4)) });
    }
    if (n.tcpIn > 0 || n.tcpOut > 0) {
      w.byte(0x2c);
      directTcpTraffic(w, n);
    }
  }
  w.byte(0x5d);
  const isRoot = n.hasInbound ? undefined : true;
  const dests = n.destServices !== undefined && n.destServices.size > 0 ? n.destServices : undefined;
  const isOutside = n.isOutside ? true : undefined;
  const tailParent = parentFirst ? undefined : n.parent;
  const hasVS = n.hasVS ? true : undefined;
  const hasCB = n.hasCB ? true : undefined;
  const t = r.tail;
  if (
    r.tailBytes !== NONE &&
    dests === undefined &&
    t[0] === isRoot &&
    t[1] === undefined &&
    t[2] === isOutside &&
    t[3] === tailParent &&
    t[4] === hasVS &&
    t[5] === hasCB
  ) {
    arena.write(w, r.tailBytes);
  } else {
    const start = w.pos;
    let frozen = optional(w, K.isRoot, isRoot);
    // A node's services are a new array each time (`nodeData`): written, never kept, as the data's writer does.
    const destServices = dests === undefined ? undefined : [...dests.values()];
    frozen = optional(w, K.destServices, destServices) && frozen;
    frozen = optional(w, K.isOutside, isOutside) && frozen;
    if (!parentFirst) frozen = optional(w, K.parent, tailParent) && frozen;
    frozen = optional(w, K.hasVS, hasVS) && frozen;
    frozen = optional(w, K.hasCB, hasCB) && frozen;
    w.byte(0x7d);
    r.tail = [isRoot, destServices, isOutside, tailParent, hasVS, hasCB];
    r.tailBytes = arena.replace(r.tailBytes, w, start, frozen);
  }
  return r;
}

/**
 * `responsesOf`'s JSON of a map that is not a shared whole one, written from the element's counts without making
 * it. Its keys in JSON's order of an object's keys: array indices ("0", "503") ascending, then the others in the
 * order they were set.
 */
function writeResponses(w: JsonBytes, codes: CodeCounts, total: number): void {
  const keys = codesInJsonOrder(codes);
  w.byte(0x7b);
  for (let i = 0; i < keys.length; i++) {
    const code = keys[i] as string;
    const c = codes.get(code) as { flags: NumberTally; hosts: NumberTally };
    if (i > 0) w.byte(0x2c);
    w.string(code);
    w.bytes(K.colon_flags);
    writeShares(w, c.flags, total);
    w.bytes(K.hosts);
    writeShares(w, c.hosts, total);
    w.byte(0x7d);
  }
  w.byte(0x7d);
}

/** `sharesOf`' JSON: each key's share of `total`, in %, 2 decimals (0 without traffic). */
function writeShares(w: JsonBytes, counts: NumberTally, total: number): void {
  w.byte(0x7b);
  if (counts.size === 1) {
    w.string(counts.firstKey() as string);
    w.byte(0x3a);
    w.fixed2(total > 0 ? ((counts.firstValue() as number) / total) * 100 : 0);
  } else if (counts.size > 1) {
    const keys = jsonOrder(counts.keys());
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as string;
      if (i > 0) w.byte(0x2c);
      w.string(k);
      w.byte(0x3a);
      w.fixed2(total > 0 ? ((counts.get(k) as number) / total) * 100 : 0);
    }
  }
  w.byte(0x7d);
}

/**
 * `jsonOrder(responseCodesOf(codes))` in one step: HTTP's codes are all array indices, whose JSON order is numeric
 * whatever order they were set in, so the code-unit sort before it is skipped (and two codes are compared, not sorted).
 */
function codesInJsonOrder(codes: CodeCounts): string[] {
  const keys = codes.keys();
  const n = keys.length;
  if (n < 2) return keys;
  for (let i = 0; i < n; i++) if (!isArrayIndex(keys[i] as string)) return jsonOrder(responseCodesOf(codes));
  if (n === 2) {
    const a = keys[0] as string;
    const b = keys[1] as string;
    if (Number(a) > Number(b)) {
      keys[0] = b;
      keys[1] = a;
    }
    return keys;
  }
  // Counted in JSON's order (as a replayed walk counts them poll after poll, when they were): no sort.
  if (inIndexOrder(keys)) return keys;
  return keys.sort(byIndex);
}

/** Whether array-index keys are in ascending order. */
function inIndexOrder(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (Number(keys[i - 1]) > Number(keys[i])) return false;
  return true;
}

function byIndex(a: string, b: string): number {
  return Number(a) - Number(b);
}

/** Keys in the order JSON writes an object's keys set in this order: array indices first, ascending. */
function jsonOrder(keys: string[]): string[] {
  let indices = 0;
  for (const k of keys) if (isArrayIndex(k)) indices++;
  if (indices === 0) return keys;
  const first = keys.filter(isArrayIndex).sort(byIndex);
  for (const k of keys) if (!isArrayIndex(k)) first.push(k);
  return first;
}

/** Whether a key is an array index (`0` to 2^32 − 2, no leading zero): an object keeps those apart, in order. */
function isArrayIndex(k: string): boolean {
  const n = k.length;
  if (n === 0 || n > 10) return false;
  const c0 = k.charCodeAt(0);
  if (c0 < 0x30 || c0 > 0x39 || (c0 === 0x30 && n > 1)) return false;
  for (let i = 1; i < n; i++) {
    const c = k.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  // Nine digits or fewer are below 2^32 − 1 (a response code's three always).
  return n < 10 || Number(k) <= 4_294_967_294;
}

/** `tcpNodeTraffic`'s JSON. */
function directTcpTraffic(w: JsonBytes, n: TrafficNode): void {
  w.bytes(K.protocol_tcp_rates_tcpIn);
  w.fixed2(n.tcpIn);
  w.bytes(K.tcpOut);
  w.fixed2(n.tcpOut);
  w.bytes(K.closeTwo);
}

/** `boxNode`'s JSON: kept whole while the box's names are the same. */
function directBox(w: JsonBytes, arena: Arena, box: Box, kept: NodeRecord | undefined): NodeRecord {
  const h = kept?.head;
  if (
    kept !== undefined &&
    h !== undefined &&
    kept.headBytes !== NONE &&
    h[0] === box.id &&
    h[1] === 'box' &&
    h[2] === 'app' &&
    h[3] === box.namespace &&
    h[4] === box.app &&
    h[5] === 'idle'
  ) {
    arena.write(w, kept.headBytes);
    return kept;
  }
  return writeBox(w, arena, boxNode(box), kept);
}

function writeBox(w: JsonBytes, arena: Arena, d: NodeData, kept: NodeRecord | undefined): NodeRecord {
  // boxNode's data: its numbers are zeros and its objects empty (made there); kept whole.
  const r = kept ?? newNodeRecord();
  const h = r.head;
  const empty = boxEmpty(d);
  if (
    r.headBytes !== NONE &&
    empty &&
    h[0] === d.id &&
    h[1] === d.nodeType &&
    h[2] === d.isBox &&
    h[3] === d.namespace &&
    h[4] === d.app &&
    h[5] === d.health
  ) {
    arena.write(w, r.headBytes);
    return r;
  }
  const start = w.pos;
  w.bytes(K.id);
  w.string(d.id);
  w.bytes(K.nodeType);
  w.string(d.nodeType);
  w.bytes(K.isBox);
  w.string(d.isBox as string);
  w.bytes(K.namespace);
  w.string(d.namespace);
  w.bytes(K.app);
  w.string(d.app as string);
  w.bytes(K.rpsIn);
  w.number(d.rpsIn);
  w.bytes(K.rpsOut);
  w.number(d.rpsOut);
  w.bytes(K.inbound_total);
  writeRateBody(w, d.inbound);
  w.bytes(K.errorRate);
  w.number(d.errorRate);
  w.bytes(K.responses);
  w.value(d.responses);
  w.bytes(K.latency);
  w.value(d.latency);
  w.bytes(K.health);
  w.string(d.health);
  w.bytes(K.badges);
  w.value(d.badges);
  w.byte(0x7d);
  r.head = [d.id, d.nodeType, d.isBox, d.namespace, d.app, d.health];
  r.headBytes = arena.replace(r.headBytes, w, start, empty);
  return r;
}

/** A box's numbers zero and its responses, latency and badges empty, as boxNode makes them. */
function boxEmpty(d: NodeData): boolean {
  const r = d.inbound;
  return (
    d.rpsIn === 0 &&
    d.rpsOut === 0 &&
    d.errorRate === 0 &&
    r.total === 0 &&
    r.http4xx === 0 &&
    r.http5xx === 0 &&
    r.noResponse === 0 &&
    isEmpty(d.responses) &&
    isEmpty(d.latency) &&
    isEmpty(d.badges) &&
    onlyRateKeys(r)
  );
}

function newEdgeRecord(
  id: string,
  source: string,
  target: string,
  protocol: string,
  reporter: string,
  head: number,
): EdgeRecord {
  return {
    id,
    source,
    target,
    protocol,
    reporter,
    head,
    responseTime: undefined,
    latency: undefined,
    isMTLS: undefined,
    sourcePrincipal: undefined,
    destPrincipal: undefined,
    mtlsWarning: undefined,
    refusal: undefined,
    tlsOrigination: undefined,
    health: undefined,
    lat: NONE,
    middle: NONE,
    responses: undefined,
    tail: NONE,
    prog: undefined,
  };
}

/**
 * A record's segments no longer kept: replaced, or in its program's runs (a write after the program fails makes them
 * again, its head first).
 */
function dropEdgeRecord(arena: Arena, r: EdgeRecord): void {
  r.head = arena.drop(r.head);
  r.lat = arena.drop(r.lat);
  r.middle = arena.drop(r.middle);
  r.tail = arena.drop(r.tail);
}

/** A node record's segments no longer kept: in its program's runs. */
function dropNodeSegments(arena: Arena, r: NodeRecord): void {
  r.headBytes = arena.drop(r.headBytes);
  r.middle = arena.drop(r.middle);
  r.lat = arena.drop(r.lat);
  r.tailBytes = arena.drop(r.tailBytes);
}

function newNodeRecord(): NodeRecord {
  return {
    head: [],
    headBytes: NONE,
    responses: undefined,
    latency: undefined,
    middle: NONE,
    lat: NONE,
    tail: [],
    tailBytes: NONE,
    prog: undefined,
  };
}

function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

function onlyRateKeys(r: object): boolean {
  let n = 0;
  for (const _ in r) n++;
  return n === 4;
}

/** `roundRates`' (and `emptyRates`') shape after its `{"total":`, closed. */
function writeRateBody(w: JsonBytes, r: RateBreakdown): void {
  w.number(r.total);
  w.bytes(K.http4xx);
  w.number(r.http4xx);
  w.bytes(K.http5xx);
  w.number(r.http5xx);
  w.bytes(K.noResponse);
  w.number(r.noResponse);
  w.byte(0x7d);
}

/**
 * One optional field kept as a segment of its own: the kept bytes written again while the value is `unchanged`
 * (the same object), else the field written and kept when frozen. Its segment's place now.
 */
function keptOptional(
  w: JsonBytes,
  arena: Arena,
  segment: number,
  unchanged: boolean,
  key: Uint8Array,
  v: unknown,
): number {
  if (segment !== NONE && unchanged) {
    arena.write(w, segment);
    return segment;
  }
  const start = w.pos;
  return arena.replace(segment, w, start, optional(w, key, v));
}

/** `key` and the value unless JSON leaves it out; whether what was written is frozen (or nothing). */
function optional(w: JsonBytes, key: Uint8Array, v: unknown): boolean {
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return true;
  w.bytes(key);
  return w.frozenValue(v);
}

/** The writers' constant bytes: keys with their punctuation. */
const K = {
  data: asciiBytes('{"data":'),
  id: asciiBytes('{"id":'),
  source: asciiBytes(',"source":'),
  target: asciiBytes(',"target":'),
  protocol: asciiBytes(',"protocol":'),
  reporter: asciiBytes(',"reporter":'),
  rps: asciiBytes(',"rps":'),
  rates: asciiBytes(',"rates":'),
  rates_total: asciiBytes(',"rates":{"total":'),
  inbound_total: asciiBytes(',"inbound":{"total":'),
  rates_http: asciiBytes(',"rates":{"http":'),
  errorRate: asciiBytes(',"errorRate":'),
  close_errorRate: asciiBytes('},"errorRate":'),
  percentReq: asciiBytes(',"percentReq":'),
  traffic_protocol: asciiBytes(',"traffic":{"protocol":'),
  httpPercentReq: asciiBytes(',"httpPercentReq":'),
  httpPercentErr: asciiBytes(',"httpPercentErr":'),
  responses: asciiBytes(',"responses":'),
  nodeType: asciiBytes(',"nodeType":'),
  namespace: asciiBytes(',"namespace":'),
  rpsIn: asciiBytes(',"rpsIn":'),
  rpsOut: asciiBytes(',"rpsOut":'),
  traffic: asciiBytes(',"traffic":['),
  protocol_http_rates_httpIn: asciiBytes('{"protocol":"http","rates":{"httpIn":'),
  httpIn4xx: asciiBytes(',"httpIn4xx":'),
  httpIn5xx: asciiBytes(',"httpIn5xx":'),
  httpInNoResponse: asciiBytes(',"httpInNoResponse":'),
  httpOut: asciiBytes(',"httpOut":'),
  closeTwo: asciiBytes('}}'),
  protocol_tcp_rates_tcpIn: asciiBytes('{"protocol":"tcp","rates":{"tcpIn":'),
  tcpOut: asciiBytes(',"tcpOut":'),
  colon_flags: asciiBytes(':{"flags":'),
  hosts: asciiBytes(',"hosts":'),
  isBox: asciiBytes(',"isBox":'),
  app: asciiBytes(',"app":'),
  latency: asciiBytes(',"latency":'),
  health: asciiBytes(',"health":'),
  badges: asciiBytes(',"badges":'),
  http4xx: asciiBytes(',"http4xx":'),
  http5xx: asciiBytes(',"http5xx":'),
  noResponse: asciiBytes(',"noResponse":'),
  responseTime: asciiBytes(',"responseTime":'),
  isMTLS: asciiBytes(',"isMTLS":'),
  sourcePrincipal: asciiBytes(',"sourcePrincipal":'),
  destPrincipal: asciiBytes(',"destPrincipal":'),
  mtlsWarning: asciiBytes(',"mtlsWarning":'),
  refusal: asciiBytes(',"refusal":'),
  tlsOrigination: asciiBytes(',"tlsOrigination":'),
  tcp: asciiBytes(',"tcp":'),
  workload: asciiBytes(',"workload":'),
  version: asciiBytes(',"version":'),
  service: asciiBytes(',"service":'),
  serviceHost: asciiBytes(',"serviceHost":'),
  isServiceEntry: asciiBytes(',"isServiceEntry":'),
  isEgressCluster: asciiBytes(',"isEgressCluster":'),
  isEgressGateway: asciiBytes(',"isEgressGateway":'),
  egressScope: asciiBytes(',"egressScope":'),
  parent: asciiBytes(',"parent":'),
  isRoot: asciiBytes(',"isRoot":'),
  destServices: asciiBytes(',"destServices":'),
  isOutside: asciiBytes(',"isOutside":'),
  hasVS: asciiBytes(',"hasVS":'),
  hasCB: asciiBytes(',"hasCB":'),
};

/** The most bytes a replay writes besides its runs: its numbers and the constants between them. */
const EDGE_BETWEEN =
  11 * NUMBER_MAX +
  K.rates_total.length +
  K.http4xx.length +
  K.http5xx.length +
  K.noResponse.length +
  K.close_errorRate.length +
  K.percentReq.length +
  K.httpPercentReq.length +
  K.httpPercentErr.length;
const NODE_BETWEEN =
  11 * NUMBER_MAX +
  K.rpsOut.length +
  K.inbound_total.length +
  K.http4xx.length +
  K.http5xx.length +
  K.noResponse.length +
  K.close_errorRate.length +
  K.httpIn4xx.length +
  K.httpIn5xx.length +
  K.httpInNoResponse.length +
  K.httpOut.length;

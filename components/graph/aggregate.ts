// Namespace and app aggregation: the graph with each namespace (or each app of a namespace) drawn as one
// node, edges between them summed, health the worst of their members — a 5,000-workload mesh read as ten
// namespaces, or as its apps. Selecting a namespace opens it (see `graph-view.tsx`). Pure, on the graph's JSON.
import { emptyRates, errorRate } from '@/lib/graph/health';
import type { EdgeData, Graph, Health, NodeData, RateBreakdown } from '@/lib/graph/types';

export const AGGREGATIONS = ['auto', 'none', 'app', 'namespace'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

/**
 * `auto` (the default) draws a graph of more than this many nodes by namespace: 10,000 nodes zoomed out to
 * fit are a hairball of dots, and their first frame costs seconds in a browser without a GPU. A namespace
 * opens on a tap; choosing "None" draws every node.
 */
export const AUTO_GROUP_NODES = 5000;

/** The aggregation drawn: `auto` resolved by the graph's size (boxes not counted). */
export function resolveAggregation(g: Graph, by: Aggregation): Exclude<Aggregation, 'auto'> {
  if (by !== 'auto') return by;
  // A graph grouped already (the page's stand-in for a very large mesh) is drawn as it was grouped.
  if (g.aggregateOf) return g.aggregateOf.by;
  return countNodes(g) > AUTO_GROUP_NODES ? 'namespace' : 'none';
}

/** A graph's nodes, boxes not counted. */
export function countNodes(g: Graph): number {
  let nodes = 0;
  for (const n of g.elements.nodes) if (n.data.nodeType !== 'box') nodes++;
  return nodes;
}

/** Id prefix of an aggregate node: `ns:<namespace>` or `apps:<namespace>:<app>`. */
export const NAMESPACE_PREFIX = 'ns:';
const APP_PREFIX = 'apps:';

const SEVERITY: Record<Health, number> = { idle: 0, healthy: 1, degraded: 2, failure: 3 };

function worst(a: Health, b: Health): Health {
  return SEVERITY[b] > SEVERITY[a] ? b : a;
}

function add(into: RateBreakdown, r: RateBreakdown): void {
  into.total += r.total;
  into.http4xx += r.http4xx;
  into.http5xx += r.http5xx;
  into.noResponse += r.noResponse;
}

/** The aggregate a node belongs to (boxes belong to none). */
export function aggregateOf(n: NodeData, by: 'app' | 'namespace'): string | undefined {
  if (n.nodeType === 'box') return undefined;
  if (by === 'namespace' || n.nodeType === 'unknown') return `${NAMESPACE_PREFIX}${n.namespace}`;
  return `${APP_PREFIX}${n.namespace}:${n.app ?? n.service ?? n.workload ?? n.id}`;
}

/** The namespace an aggregate node stands for; undefined for any other id. */
export function namespaceOfAggregate(id: string): string | undefined {
  return id.startsWith(NAMESPACE_PREFIX) ? id.slice(NAMESPACE_PREFIX.length) : undefined;
}

export function aggregateGraph(g: Graph, how: Aggregation): Graph {
  const by = resolveAggregation(g, how);
  if (by === 'none' || g.aggregateOf?.by === by) return g;
  const nodes = new Map<string, NodeData>();
  const of = new Map<string, string>();
  for (const { data: n } of g.elements.nodes) {
    const key = aggregateOf(n, by);
    if (key === undefined) continue;
    of.set(n.id, key);
    let a = nodes.get(key);
    if (!a) {
      const name = by === 'namespace' ? n.namespace : (n.app ?? n.service ?? n.workload ?? n.id);
      a = {
        id: key,
        nodeType: 'app',
        namespace: n.namespace,
        app: name,
        rpsIn: 0,
        rpsOut: 0,
        inbound: emptyRates(),
        errorRate: 0,
        responses: {},
        latency: {},
        health: 'idle',
        badges: {},
      };
      nodes.set(key, a);
    }
    a.health = worst(a.health, n.health);
    if (n.isOutside) a.isOutside = true;
  }
  const edges = new Map<string, EdgeData>();
  for (const { data: e } of g.elements.edges) {
    const s = of.get(e.source);
    const t = of.get(e.target);
    if (s === undefined || t === undefined || s === t) continue;
    const id = `${s}->${t}`;
    let a = edges.get(id);
    if (!a) {
      a = {
        id,
        source: s,
        target: t,
        protocol: e.protocol,
        reporter: e.reporter,
        rps: 0,
        rates: emptyRates(),
        errorRate: 0,
        percentReq: 0,
        latency: {},
        health: 'idle',
        traffic: { protocol: e.protocol, rates: {}, responses: {} },
        badges: {},
      };
      edges.set(id, a);
    }
    a.rps += e.rps;
    add(a.rates, e.rates);
    a.health = worst(a.health, e.health);
    if (a.reporter !== e.reporter) a.reporter = 'mixed';
    (nodes.get(t) as NodeData).rpsIn += e.rps;
    add((nodes.get(t) as NodeData).inbound, e.rates);
    (nodes.get(s) as NodeData).rpsOut += e.rps;
  }
  for (const a of edges.values()) a.errorRate = errorRate(a.rates);
  for (const n of nodes.values()) n.errorRate = errorRate(n.inbound);
  return {
    ...g,
    aggregateOf: { by, nodes: countNodes(g), edges: g.elements.edges.length },
    elements: {
      nodes: [...nodes.values()].map((data) => ({ data })),
      edges: [...edges.values()].map((data) => ({ data })),
    },
  };
}

// The graph page's first answer for a very large mesh, read on its own: the request rates by the labels
// that say which nodes a request goes through and how it ended — not its flags, mTLS policy or SPIFFE ids —
// walked into the same traffic map as the graph's (`traffic-map.ts`), with health and outsiders, and
// written out as the graph's own elements minus everything no grouping reads (latency, badges, responses).
// Grouped by namespace (`components/graph/aggregate.ts`) it says what the whole graph grouped says — the
// same nodes, edges, rates and health (see `namespace-summary.test.ts`) — without the reads and
// appenders of the whole graph (latency, mesh config, live stats), which follows as the browser's request.
import type { PromClient, PromResult } from '../prometheus/client';
import { appendHealth } from './appenders/health';
import { appendOutsiders } from './appenders/outsider';
import { dominant } from './elements';
import type { HealthThresholds } from './health';
import { type GraphParams, promDuration } from './params';
import {
  DESTINATION_LABELS,
  JOIN_SEPARATOR,
  type Matcher,
  reporterSelections,
  SOURCE_LABELS,
  selector,
  splitJoinedItems,
  sumRate,
  tcpRateQuery,
} from './promql';
import { compare } from './responses';
import { round, roundRates } from './rounding';
import type { Sample } from './series';
import { type TrafficEdge, type TrafficMap, type TrafficNode, trafficMap } from './traffic-map';
import type { EdgeData, Graph, NodeData } from './types';

/**
 * The labels of the summary's request series: who called whom, over what, with which code. Leaving out
 * the flags, the mTLS policy and the two SPIFFE ids makes the answer a third smaller (the ids are the
 * longest values); series that differ only by them are summed by Prometheus, which changes no node, edge,
 * rate or health.
 */
export const SUMMARY_LABELS = [
  'reporter',
  ...SOURCE_LABELS,
  ...DESTINATION_LABELS,
  'request_protocol',
  'response_code',
  'grpc_response_status',
] as const;

/** The label `summaryRequestQuery` joins `SUMMARY_LABELS` into. */
const SUMMARY_JOINED = 'summary';

/** `sum by (SUMMARY_LABELS)` of the request rates, the labels joined into one (as the graph's own read). */
export function summaryRequestQuery(selections: readonly Matcher[][], range: string): string {
  const names = SUMMARY_LABELS.map((l) => `"${l}"`).join(', ');
  return selections
    .map(
      (m) =>
        `sum by (${SUMMARY_JOINED}) (label_join(rate(istio_requests_total${selector(m)}[${range}]), "${SUMMARY_JOINED}", "${JOIN_SEPARATOR}", ${names}))`,
    )
    .join(' or ');
}

export interface SummaryDeps {
  prometheus: PromClient;
  thresholds?: HealthThresholds;
}

/**
 * The graph of `params` as far as a grouping reads it (every node and edge, their rates, health and
 * outsiders; nothing else), or undefined when the summary cannot stand for the graph asked for (gRPC
 * message rates, whose series this read does not hold). Prometheus failing is an error, as for the graph.
 */
export async function readGraphSummary(
  params: GraphParams,
  deps: SummaryDeps,
  time: number,
): Promise<PromResult<Graph> | undefined> {
  if (params.rateGrpc !== undefined && params.rateGrpc !== 'requests') return undefined;
  const range = promDuration(params.duration);
  const sel = reporterSelections(params.namespaces);
  const selections = [...sel.source, ...sel.destination];
  const [http, tcp] = await Promise.all([
    readSummaryRequests(deps.prometheus, selections, range, time),
    deps.prometheus.instant(tcpRateQuery(selections, range), time),
  ]);
  if (!http.ok) return http;
  // As the graph: TCP failing to read leaves it without its TCP edges, not without a graph.
  const requests =
    tcp.ok && tcp.value.length > 0
      ? [...http.value, ...tcp.value.map((s) => ({ ...s, labels: { ...s.labels, request_protocol: 'tcp' } }))]
      : http.value;
  return { ok: true, value: summaryGraph(params, time, requests, deps.thresholds) };
}

async function readSummaryRequests(
  prometheus: PromClient,
  selections: readonly Matcher[][],
  range: string,
  time: number,
): Promise<PromResult<Sample[]>> {
  const r = await prometheus.instant(summaryRequestQuery(selections, range), time);
  if (!r.ok) return r;
  const split = splitJoinedItems(r.value, SUMMARY_JOINED, SUMMARY_LABELS);
  return split
    ? { ok: true, value: split }
    : prometheus.instant(sumRate('istio_requests_total', selections, SUMMARY_LABELS, range), time);
}

/** The summary graph of some request samples (`requests` as the graph's traffic map takes them). */
export function summaryGraph(
  params: Pick<
    GraphParams,
    'graphType' | 'injectServiceNodes' | 'includeIdleEdges' | 'namespaces' | 'duration'
  >,
  time: number,
  requests: readonly Sample[],
  thresholds?: HealthThresholds,
): Graph {
  const map = trafficMap({
    graphType: params.graphType,
    injectServiceNodes: params.injectServiceNodes,
    includeIdleEdges: params.includeIdleEdges,
    requests,
    keepHops: false,
  });
  appendHealth(map, thresholds);
  appendOutsiders(map, params.namespaces);
  const { nodes, edges } = summaryElements(map);
  return {
    timestamp: time,
    duration: params.duration,
    graphType: params.graphType,
    elements: { nodes: nodes.map((data) => ({ data })), edges: edges.map((data) => ({ data })) },
    warnings: [],
    latency: 'omitted',
  };
}

/**
 * Nodes and edges in the graph's id order, each with the values the graph's JSON gives it (`elements.ts`:
 * the same rounding, protocol and reporter) for what a grouping reads; the rest empty. No app boxes.
 */
function summaryElements(map: TrafficMap): { nodes: NodeData[]; edges: EdgeData[] } {
  const nodes: NodeData[] = [];
  for (const n of map.nodes.values()) nodes.push(summaryNode(n));
  const edges: EdgeData[] = [];
  for (const e of map.edges.values()) edges.push(summaryEdge(e));
  nodes.sort(byId);
  edges.sort(byId);
  return { nodes, edges };
}

function summaryNode(n: TrafficNode): NodeData {
  const spec = n.spec;
  const inbound = roundRates(n.inbound);
  const data: NodeData = {
    id: spec.id,
    nodeType: spec.nodeType,
    namespace: spec.namespace,
    rpsIn: inbound.total,
    rpsOut: round(n.out, 4),
    inbound,
    errorRate: 0,
    responses: {},
    latency: {},
    health: n.health,
    badges: {},
  };
  if (spec.workload !== undefined) data.workload = spec.workload;
  if (spec.app !== undefined) data.app = spec.app;
  if (spec.version !== undefined) data.version = spec.version;
  if (spec.service !== undefined) data.service = spec.service;
  if (n.isOutside) data.isOutside = true;
  return data;
}

function summaryEdge(e: TrafficEdge): EdgeData {
  const protocol = dominant(e.protocols) ?? 'http';
  return {
    id: e.id,
    source: e.source,
    target: e.target,
    protocol,
    reporter: e.reporter ?? 'mixed',
    rps: round(e.rates.total, 4),
    rates: roundRates(e.rates),
    errorRate: 0,
    percentReq: 0,
    latency: {},
    health: e.health,
    traffic: { protocol, rates: {}, responses: {} },
    badges: {},
  };
}

/** Ids in the graph's order (as `elements.ts` sorts them). */
function byId(a: { id: string }, b: { id: string }): number {
  return compare(a.id, b.id);
}

/**
 * Views (`graphSearch` without a time) whose size the page remembers, to know whether a view is read by
 * its summary first: the oldest forgotten past this many.
 */
export const MAX_REMEMBERED_VIEWS = 64;

// On globalThis, as the prefetch handoff: the page may be bundled apart from other users of this module.
const SIZES = Symbol.for('meshlens.graph.viewSizes');
function sizes(): Map<string, number> {
  const g = globalThis as unknown as Record<symbol, Map<string, number> | undefined>;
  let s = g[SIZES];
  if (!s) {
    s = new Map();
    g[SIZES] = s;
  }
  return s;
}

/** Remembers how many nodes (boxes not counted) the graph of `view` had when last built for the page. */
export function rememberGraphSize(view: string, nodes: number): void {
  const s = sizes();
  s.delete(view);
  while (s.size >= MAX_REMEMBERED_VIEWS) s.delete(s.keys().next().value as string);
  s.set(view, nodes);
}

/** The nodes of `view`'s graph when last built for the page; undefined when not known. */
export function lastGraphSize(view: string): number | undefined {
  return sizes().get(view);
}

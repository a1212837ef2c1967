// The graph page's first answer for a very large graph (`/api/graph?format=page`): Kiali's graph without
// what only the details of a selected node or edge read — Kiali's per-element `traffic` copies, response
// codes by flag and host, SPIFFE principals, destination services — sent in columns (`columns.ts`). At
// 5,000 workloads 20.0 MB of JSON become 12.6 MB lean and 2.9 MB in columns, which the server writes and
// the browser parses before the first frame. The full graph (with latency), which the page asks for once
// this one is drawn, carries everything; until it arrives the page says the details are coming. Kiali's
// JSON stays the API's default, and a graph below `LEAN_MIN_NODES` is answered whole whatever is asked.
import type { EdgeData, Graph, NodeData } from '@/lib/graph/types';
import { type GraphQuery, graphSearch } from '@/lib/queries/graph';

/** The `format` parameter's value that asks for the lean graph. */
export const PAGE_FORMAT = 'page';

/**
 * Where the page asks its first graph (without latency, in the page's format): the client's request and the
 * server page's preload of it are this one URL, byte for byte (a preload is used only by the same request).
 */
export function pageGraphPath(q: GraphQuery): string {
  return `/api/graph?${graphSearch({ ...q, latency: false })}&format=${PAGE_FORMAT}`;
}

/** From this many nodes a `format=page` request gets the lean graph (the page's preview threshold). */
export const LEAN_MIN_NODES = 3000;

/** A graph whose elements lack their details (`partial`), or a whole one. */
export type PageGraph = Graph & { partial?: true };

/** Whether a graph is the lean one (its details left out). */
export function isPartial(g: Graph | undefined): boolean {
  return (g as PageGraph | undefined)?.partial === true;
}

function leanNode(n: NodeData): NodeData {
  const { traffic: _traffic, responses: _responses, destServices: _destServices, ...kept } = n;
  return { ...kept, responses: {} };
}

function leanEdge(e: EdgeData): EdgeData {
  const { traffic, sourcePrincipal: _s, destPrincipal: _d, ...kept } = e;
  // `traffic` is required by the type: its protocol kept, its rates and responses (details) left out.
  return { ...kept, traffic: { protocol: traffic.protocol, rates: {}, responses: {} } };
}

/**
 * The graph as the page's first answer: the lean graph when asked for (`format` is `PAGE_FORMAT`) and the
 * graph has at least `minNodes` (`LEAN_MIN_NODES`) nodes, else the graph itself.
 */
export function pageGraph(g: Graph, format: string | null, minNodes = LEAN_MIN_NODES): PageGraph {
  if (format !== PAGE_FORMAT || g.elements.nodes.length < minNodes) return g;
  return {
    ...g,
    partial: true,
    elements: {
      nodes: g.elements.nodes.map((n) => ({ data: leanNode(n.data) })),
      edges: g.elements.edges.map((e) => ({ data: leanEdge(e.data) })),
    },
  };
}

/**
 * A request's query (without its `?`) less its `format` parameter, the rest byte for byte: the key the page's
 * server render left a graph under (`lib/graph/prefetch-handoff.ts`).
 */
export function withoutFormat(search: string): string {
  return search
    .split('&')
    .filter((p) => !p.startsWith('format='))
    .join('&');
}

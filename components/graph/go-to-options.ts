// The go-to lists' options: every node and edge of a graph up to GO_TO_MAX_OPTIONS; past that, the selected
// node's neighbourhood (the node, its neighbours, its edges). A <select> of 30,000 options cost the page's
// first frame seconds at 5,000 workloads and is no way to choose anyway: at that size a node is found by
// name (Find node), and from it the keyboard walks to its neighbours and edges.
import type { EdgeData, Graph, NodeData } from '@/lib/graph/types';
import { nodeTitle } from './node-panel';

/** Most options a go-to list holds (each of the node and edge lists). */
export const GO_TO_MAX_OPTIONS = 1000;

export interface GoToOption {
  value: string;
  label: string;
}

export interface GoToOptions {
  nodes: GoToOption[];
  edges: GoToOption[];
  /** Whether the lists hold only the selected node's neighbourhood (the graph has too many to list). */
  neighbourhood: boolean;
}

export function goToOptions(
  graph: Graph | undefined,
  selected: string | undefined,
  max = GO_TO_MAX_OPTIONS,
): GoToOptions {
  const nodes: NodeData[] = [];
  for (const n of graph?.elements.nodes ?? []) if (n.data.nodeType !== 'box') nodes.push(n.data);
  const edges: EdgeData[] = (graph?.elements.edges ?? []).map((e) => e.data);
  const byId = new Map<string, NodeData>(nodes.map((n) => [n.id, n]));
  const name = (id: string) => {
    const n = byId.get(id);
    return n ? nodeTitle(n) : id;
  };
  const nodeOption = (n: NodeData) => ({ value: n.id, label: `${nodeTitle(n)} (${n.namespace})` });
  const edgeOption = (e: EdgeData) => ({ value: e.id, label: `${name(e.source)} → ${name(e.target)}` });
  if (nodes.length <= max && edges.length <= max)
    return { nodes: nodes.map(nodeOption), edges: edges.map(edgeOption), neighbourhood: false };
  // The selected node, or the ends of the selected edge.
  const selectedEdge =
    selected === undefined || byId.has(selected) ? undefined : edges.find((e) => e.id === selected);
  const centres = new Set<string>();
  if (selected !== undefined && byId.has(selected)) centres.add(selected);
  if (selectedEdge) {
    centres.add(selectedEdge.source);
    centres.add(selectedEdge.target);
  }
  const near = new Set<string>(centres);
  const nearEdges: EdgeData[] = [];
  for (const e of edges) {
    if (!centres.has(e.source) && !centres.has(e.target)) continue;
    if (nearEdges.length < max) nearEdges.push(e);
    if (near.size < max) near.add(e.source).add(e.target);
  }
  const nearNodes: NodeData[] = [];
  for (const id of near) {
    const n = byId.get(id);
    if (n) nearNodes.push(n);
  }
  return { nodes: nearNodes.map(nodeOption), edges: nearEdges.map(edgeOption), neighbourhood: true };
}

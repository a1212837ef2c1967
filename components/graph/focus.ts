// Focus on a node and N hops (Kiali's focus): which nodes and edges are within N edges of it, either way.
// Pure, on the graph's JSON, so the elements can dim the rest before the canvas draws.
import type { Graph } from '@/lib/graph/types';

/** Node and edge ids within `hops` edges of `center` (both directions), boxes of those nodes included. */
export function focusSet(g: Graph, center: string, hops: number): Set<string> {
  const out = new Set<string>();
  const nodes = g.elements.nodes;
  if (!nodes.some((n) => n.data.id === center)) return out;
  const around = new Map<string, { edge: string; other: string }[]>();
  const link = (a: string, edge: string, other: string) => {
    let l = around.get(a);
    if (!l) {
      l = [];
      around.set(a, l);
    }
    l.push({ edge, other });
  };
  for (const { data: e } of g.elements.edges) {
    link(e.source, e.id, e.target);
    link(e.target, e.id, e.source);
  }
  out.add(center);
  let frontier = [center];
  for (let hop = 0; hop < hops && frontier.length > 0; hop++) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const { edge, other } of around.get(id) ?? []) {
        out.add(edge);
        if (!out.has(other)) {
          out.add(other);
          next.push(other);
        }
      }
    }
    frontier = next;
  }
  // An edge between two nodes of the focus, reached from neither within the hops, is shown too.
  for (const { data: e } of g.elements.edges) if (out.has(e.source) && out.has(e.target)) out.add(e.id);
  for (const { data: n } of nodes) if (out.has(n.id) && n.parent) out.add(n.parent);
  return out;
}

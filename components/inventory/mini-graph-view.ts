// The detail page's mini-graph, as Kiali draws one: the item's node in its namespace's graph and what is
// within a few hops of it (the graph's own focus), cut out of the graph; and the link to the full graph
// focused on it. Pure.

import { focusSet } from '@/components/graph/focus';
import { readGraphViewState, writeGraphViewState } from '@/components/graph/graph-view-state';
import type { Graph, GraphType } from '@/lib/graph/types';
import type { ItemKind } from '@/lib/inventory/types';

export interface MiniGraphView {
  graphType: GraphType;
  /** The item's node id in a graph of `graphType` (see `lib/graph/nodes.ts`). */
  center: string;
  /**
   * Hops taken around it. Service nodes stand between callers and workloads, so a workload's or an
   * app's callers and callees are two hops away; a service's are one.
   */
  hops: number;
}

export function miniGraphView(kind: ItemKind, namespace: string, name: string): MiniGraphView {
  if (kind === 'workloads') return { graphType: 'workload', center: `wl:${namespace}:${name}`, hops: 2 };
  if (kind === 'applications') return { graphType: 'app', center: `app:${namespace}:${name}`, hops: 2 };
  return { graphType: 'versionedApp', center: `svc:${namespace}:${name}`, hops: 1 };
}

/** The graph cut down to the focus around `center`; empty when the item is not in the graph. */
export function focusedGraph(g: Graph, center: string, hops: number): Graph {
  const keep = focusSet(g, center, hops);
  return {
    ...g,
    elements: {
      nodes: g.elements.nodes.filter((n) => keep.has(n.data.id)),
      edges: g.elements.edges.filter((e) => keep.has(e.data.id)),
    },
  };
}

/** The full graph of the namespace, focused on the item (Kiali's "show in graph"). */
export function fullGraphHref(view: MiniGraphView, namespace: string, duration: string): string {
  const state = readGraphViewState(new URLSearchParams({ duration }));
  const p = writeGraphViewState({
    ...state,
    namespaces: [namespace],
    graphType: view.graphType,
    focus: view.center,
    hops: view.hops as (typeof state)['hops'],
  });
  return `/graph?${p}`;
}

import { describe, expect, it } from 'vitest';
import { readGraphViewState } from '@/components/graph/graph-view-state';
import type { EdgeData, Graph, NodeData } from '@/lib/graph/types';
import { focusedGraph, fullGraphHref, miniGraphView } from './mini-graph-view';

const node = (id: string) => ({ data: { id, nodeType: 'workload' } as NodeData });
const edge = (source: string, target: string) => ({
  data: { id: `${source}->${target}`, source, target } as EdgeData,
});
// productpage → reviews (service) → reviews-v1, reviews-v2; reviews-v2 → ratings (service) → ratings-v1.
const g = {
  graphType: 'workload',
  elements: {
    nodes: ['wl:b:pp', 'svc:b:reviews', 'wl:b:rv1', 'wl:b:rv2', 'svc:b:ratings', 'wl:b:rt1'].map(node),
    edges: [
      edge('wl:b:pp', 'svc:b:reviews'),
      edge('svc:b:reviews', 'wl:b:rv1'),
      edge('svc:b:reviews', 'wl:b:rv2'),
      edge('wl:b:rv2', 'svc:b:ratings'),
      edge('svc:b:ratings', 'wl:b:rt1'),
    ],
  },
} as Graph;

describe('the detail page’s mini-graph', () => {
  it('names the item’s node in the graph type it is drawn in', () => {
    expect(miniGraphView('workloads', 'b', 'rv2')).toEqual({
      graphType: 'workload',
      center: 'wl:b:rv2',
      hops: 2,
    });
    expect(miniGraphView('applications', 'b', 'reviews').center).toBe('app:b:reviews');
    expect(miniGraphView('services', 'b', 'reviews')).toEqual({
      graphType: 'versionedApp',
      center: 'svc:b:reviews',
      hops: 1,
    });
  });

  it('cuts the graph to a workload, its callers and callees through their services', () => {
    const cut = focusedGraph(g, 'wl:b:rv2', 2);
    expect(cut.elements.nodes.map((n) => n.data.id).sort()).toEqual(
      ['svc:b:ratings', 'svc:b:reviews', 'wl:b:pp', 'wl:b:rt1', 'wl:b:rv1', 'wl:b:rv2'].sort(),
    );
    // A service's neighbours are one hop away: its callers and the workloads behind it.
    const svc = focusedGraph(g, 'svc:b:ratings', 1);
    expect(svc.elements.edges.map((e) => e.data.id).sort()).toEqual(
      ['svc:b:ratings->wl:b:rt1', 'wl:b:rv2->svc:b:ratings'].sort(),
    );
  });

  it('is empty for an item the graph does not hold', () => {
    expect(focusedGraph(g, 'wl:b:gone', 2).elements.nodes).toEqual([]);
  });

  it('links to the full graph of the namespace, focused on the item', () => {
    const href = fullGraphHref(miniGraphView('workloads', 'bookinfo', 'reviews-v2'), 'bookinfo', '10m');
    const p = new URLSearchParams(href.slice('/graph?'.length));
    expect(p.get('namespaces')).toBe('bookinfo');
    expect(p.get('graphType')).toBe('workload');
    expect(p.get('focus')).toBe('wl:bookinfo:reviews-v2');
    expect(readGraphViewState(p).hops).toBe(2);
    expect(p.get('duration')).toBe('10m');
  });
});

import { describe, expect, it } from 'vitest';
import type { EdgeData, Graph, NodeData } from '@/lib/graph/types';
import { goToOptions } from './go-to-options';

const node = (id: string, nodeType = 'app') => ({
  data: { id, nodeType, app: id, namespace: 'ns' } as NodeData,
});
const edge = (source: string, target: string) => ({
  data: { id: `${source}->${target}`, source, target } as EdgeData,
});
// a → b → c, x → b; box B.
const g = {
  elements: {
    nodes: [node('B', 'box'), node('a'), node('b'), node('c'), node('x')],
    edges: [edge('a', 'b'), edge('b', 'c'), edge('x', 'b')],
  },
} as Graph;

describe('the go-to lists', () => {
  it('list every node (not boxes) and every edge of a graph within the limit', () => {
    const o = goToOptions(g, undefined, 10);
    expect(o.neighbourhood).toBe(false);
    expect(o.nodes.map((n) => n.value)).toEqual(['a', 'b', 'c', 'x']);
    expect(o.edges.map((e) => e.value)).toEqual(['a->b', 'b->c', 'x->b']);
  });

  it('past the limit, hold the selected node, its neighbours and its edges', () => {
    const o = goToOptions(g, 'c', 3);
    expect(o.neighbourhood).toBe(true);
    expect(o.nodes.map((n) => n.value).sort()).toEqual(['b', 'c']);
    expect(o.edges.map((e) => e.value)).toEqual(['b->c']);
  });

  it('past the limit, a selected edge brings both its ends’ neighbourhoods', () => {
    const o = goToOptions(g, 'x->b', 3);
    // Both ends first, then neighbours up to the limit.
    expect(o.nodes.map((n) => n.value).slice(0, 2)).toEqual(['x', 'b']);
    expect(o.nodes.length).toBe(3);
    expect(o.edges.map((e) => e.value)).toEqual(['a->b', 'b->c', 'x->b']);
  });

  it('past the limit with nothing selected, list nothing and never more than the limit', () => {
    expect(goToOptions(g, undefined, 3)).toEqual({ nodes: [], edges: [], neighbourhood: true });
    const o = goToOptions(g, 'b', 2);
    expect(o.edges.length).toBeLessThanOrEqual(2);
    expect(o.nodes.length).toBeLessThanOrEqual(2);
  });
});

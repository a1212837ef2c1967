import { describe, expect, it } from 'vitest';
import type { EdgeData, Graph, NodeData } from '@/lib/graph/types';
import { focusSet } from './focus';

const node = (id: string, parent?: string) => ({ data: { id, nodeType: 'app', parent } as NodeData });
const edge = (source: string, target: string) => ({
  data: { id: `${source}->${target}`, source, target } as EdgeData,
});
// a → b → c → d → e, and x → c; b is in box B.
const g = {
  elements: {
    nodes: [node('B'), node('a'), node('b', 'B'), node('c'), node('d'), node('e'), node('x')],
    edges: [edge('a', 'b'), edge('b', 'c'), edge('c', 'd'), edge('d', 'e'), edge('x', 'c')],
  },
} as Graph;

describe('focus on a node and N hops', () => {
  it('takes callers and callees within the hops, their edges and boxes', () => {
    expect([...focusSet(g, 'c', 1)].sort()).toEqual(['b', 'b->c', 'B', 'c', 'c->d', 'd', 'x', 'x->c'].sort());
  });

  it('reaches further with more hops', () => {
    const two = focusSet(g, 'c', 2);
    expect(two.has('a') && two.has('e') && two.has('a->b') && two.has('d->e')).toBe(true);
    expect(focusSet(g, 'a', 1).has('c')).toBe(false);
  });

  it('is empty for a node not in the graph', () => {
    expect(focusSet(g, 'nope', 3).size).toBe(0);
  });
});

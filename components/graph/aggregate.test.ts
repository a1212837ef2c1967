import { describe, expect, it } from 'vitest';
import type { EdgeData, Graph, NodeData } from '@/lib/graph/types';
import { aggregateGraph, namespaceOfAggregate, resolveAggregation } from './aggregate';

const rates = (total: number, http5xx = 0) => ({ total, http4xx: 0, http5xx, noResponse: 0 });
const node = (id: string, namespace: string, app: string, health: NodeData['health'] = 'healthy') => ({
  data: { id, nodeType: 'app', namespace, app, health } as NodeData,
});
const edge = (
  source: string,
  target: string,
  rps: number,
  http5xx = 0,
  health: EdgeData['health'] = 'healthy',
) => ({
  data: {
    id: `${source}->${target}`,
    source,
    target,
    rps,
    rates: rates(rps, http5xx),
    health,
    protocol: 'http',
    reporter: 'source',
  } as EdgeData,
});
const g = {
  timestamp: 1,
  duration: 60,
  graphType: 'versionedApp',
  warnings: [],
  elements: {
    nodes: [
      { data: { id: 'box:a:web', nodeType: 'box', namespace: 'a' } as NodeData },
      node('web-v1', 'a', 'web'),
      node('web-v2', 'a', 'web'),
      node('db-v1', 'b', 'db', 'failure'),
      node('cache-v1', 'b', 'cache'),
    ],
    edges: [
      edge('web-v1', 'db-v1', 4, 1, 'failure'),
      edge('web-v2', 'db-v1', 6),
      edge('web-v1', 'web-v2', 1),
      edge('db-v1', 'cache-v1', 2),
    ],
  },
} as Graph;

describe('aggregation', () => {
  it('draws one node a namespace, inner edges left out, edges between summed', () => {
    const a = aggregateGraph(g, 'namespace');
    expect(a.elements.nodes.map((n) => n.data.id)).toEqual(['ns:a', 'ns:b']);
    expect(a.elements.edges).toHaveLength(1);
    const e = a.elements.edges[0]?.data as EdgeData;
    expect(e).toMatchObject({ id: 'ns:a->ns:b', rps: 10, health: 'failure', errorRate: 0.1 });
    expect(a.elements.nodes[1]?.data).toMatchObject({ health: 'failure', rpsIn: 10, app: 'b' });
    expect(namespaceOfAggregate('ns:b')).toBe('b');
  });

  it('draws one node an app of a namespace', () => {
    const a = aggregateGraph(g, 'app');
    expect(a.elements.nodes.map((n) => n.data.id)).toEqual(['apps:a:web', 'apps:b:db', 'apps:b:cache']);
    expect(a.elements.nodes[0]?.data.app).toBe('web');
    expect(a.elements.edges.map((e) => e.data.id)).toEqual([
      'apps:a:web->apps:b:db',
      'apps:b:db->apps:b:cache',
    ]);
  });

  it('leaves the graph as it is without aggregation', () => {
    expect(aggregateGraph(g, 'none')).toBe(g);
  });

  it('says what it stands for, and a grouped graph is drawn as it was grouped', () => {
    const a = aggregateGraph(g, 'namespace');
    expect(a.aggregateOf).toEqual({ by: 'namespace', nodes: 4, edges: 4 });
    expect(resolveAggregation(a, 'auto')).toBe('namespace');
    expect(aggregateGraph(a, 'auto')).toBe(a);
    expect(aggregateGraph(a, 'namespace')).toBe(a);
  });

  it('auto: by namespace past AUTO_GROUP_NODES nodes (boxes not counted), else every node', () => {
    expect(aggregateGraph(g, 'auto')).toBe(g);
    const many = Array.from({ length: 5001 }, (_, i) => node(`w${i}`, `n${i % 3}`, `w${i}`));
    const big = { ...g, elements: { nodes: many, edges: [] } } as Graph;
    expect(resolveAggregation(big, 'auto')).toBe('namespace');
    expect(resolveAggregation(big, 'none')).toBe('none');
    expect(aggregateGraph(big, 'auto').elements.nodes.map((n) => n.data.id)).toEqual([
      'ns:n0',
      'ns:n1',
      'ns:n2',
    ]);
    const boxes = { ...g, elements: { nodes: [...many.slice(1), g.elements.nodes[0]], edges: [] } } as Graph;
    expect(resolveAggregation(boxes, 'auto')).toBe('none');
  });
});

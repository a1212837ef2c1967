import { describe, expect, it } from 'vitest';
import type { EdgeData, Graph, NodeData } from '@/lib/graph/types';
import { isPartial, LEAN_MIN_NODES, PAGE_FORMAT, pageGraph, withoutFormat } from './lean-graph';

function node(i: number): NodeData {
  return {
    id: `n${i}`,
    nodeType: 'workload',
    namespace: 'ns',
    workload: `w${i}`,
    rpsIn: 1,
    rpsOut: 2,
    inbound: { total: 1, http4xx: 0, http5xx: 0, noResponse: 0 },
    errorRate: 0,
    responses: { '200': { flags: { '-': 100 }, hosts: { 'a.ns.svc.cluster.local': 100 } } },
    latency: {},
    health: 'healthy',
    badges: {},
    traffic: [{ protocol: 'http', rates: { httpIn: 1 } }],
    destServices: [{ namespace: 'ns', name: 'a' }],
  };
}

function edge(i: number): EdgeData {
  return {
    id: `n${i}->n${i + 1}`,
    source: `n${i}`,
    target: `n${i + 1}`,
    protocol: 'http',
    reporter: 'source',
    rps: 3,
    rates: { total: 3, http4xx: 0, http5xx: 1, noResponse: 0 },
    errorRate: 0.3,
    percentReq: 50,
    latency: {},
    isMTLS: 100,
    sourcePrincipal: 'spiffe://cluster.local/ns/ns/sa/a',
    destPrincipal: 'spiffe://cluster.local/ns/ns/sa/b',
    health: 'failure',
    traffic: {
      protocol: 'http',
      rates: { http: 3 },
      responses: { '503': { flags: { URX: 30 }, hosts: {} } },
    },
    badges: { retries: { attempts: 3 } },
  };
}

function graph(nodes: number): Graph {
  return {
    timestamp: 1,
    duration: 60,
    graphType: 'workload',
    latency: 'omitted',
    warnings: [],
    elements: {
      nodes: Array.from({ length: nodes }, (_, i) => ({ data: node(i) })),
      edges: Array.from({ length: nodes - 1 }, (_, i) => ({ data: edge(i) })),
    },
  };
}

describe('pageGraph', () => {
  const big = graph(LEAN_MIN_NODES);

  it('answers the graph itself unless the page format is asked for a graph that large', () => {
    expect(pageGraph(big, null)).toBe(big);
    expect(pageGraph(big, 'kiali')).toBe(big);
    const small = graph(LEAN_MIN_NODES - 1);
    expect(pageGraph(small, PAGE_FORMAT)).toBe(small);
    expect(isPartial(pageGraph(small, PAGE_FORMAT))).toBe(false);
  });

  it('keeps what the canvas, the status line, the grouping and find read; leaves the details out', () => {
    const lean = pageGraph(big, PAGE_FORMAT);
    expect(isPartial(lean)).toBe(true);
    const n = lean.elements.nodes[0]?.data as NodeData;
    const e = lean.elements.edges[0]?.data as EdgeData;
    // Kept: identity, kind, rates and their classes, health, badges, mTLS share.
    expect(n).toMatchObject({ id: 'n0', nodeType: 'workload', workload: 'w0', rpsIn: 1, health: 'healthy' });
    expect(n.inbound).toEqual(node(0).inbound);
    expect(e).toMatchObject({ source: 'n0', target: 'n1', rps: 3, health: 'failure', isMTLS: 100 });
    expect(e.rates).toEqual(edge(0).rates);
    expect(e.badges).toEqual({ retries: { attempts: 3 } });
    // Left out: the details.
    expect(n.traffic).toBeUndefined();
    expect(n.destServices).toBeUndefined();
    expect(n.responses).toEqual({});
    expect(e.sourcePrincipal).toBeUndefined();
    expect(e.destPrincipal).toBeUndefined();
    expect(e.traffic).toEqual({ protocol: 'http', rates: {}, responses: {} });
    // Smaller on the wire, and the graph given is not changed.
    expect(JSON.stringify(lean).length).toBeLessThan(JSON.stringify(big).length * 0.7);
    expect(big.elements.edges[0]?.data.sourcePrincipal).toBeDefined();
  });
});

describe('withoutFormat', () => {
  it('drops the format parameter and keeps the rest byte for byte', () => {
    expect(withoutFormat('graphType=app&namespaces=a%2Cb&latency=false&format=page')).toBe(
      'graphType=app&namespaces=a%2Cb&latency=false',
    );
    expect(withoutFormat('format=page&duration=60s')).toBe('duration=60s');
    expect(withoutFormat('duration=60s')).toBe('duration=60s');
  });
});

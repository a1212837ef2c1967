import { describe, expect, it } from 'vitest';
import { parseExpression } from '@/lib/graph/expression';
import type { EdgeData, Graph } from '@/lib/graph/types';
import { edgeWidth, MTLS_GLYPH, PLAINTEXT_GLYPH, toElements } from './elements';

const expr = (t: string) => {
  const r = parseExpression(t);
  if (!r.ok) throw new Error(r.message);
  return r.value;
};
const base = {
  rpsIn: 0,
  rpsOut: 0,
  inbound: { total: 0, http4xx: 0, http5xx: 0, noResponse: 0 },
  errorRate: 0,
  responses: {},
  latency: {},
  health: 'healthy' as const,
  badges: {},
};
const graph: Graph = {
  timestamp: 0,
  duration: 60,
  graphType: 'versionedApp',
  warnings: [],
  elements: {
    nodes: [
      {
        data: {
          ...base,
          id: 'svc:ns:reviews',
          nodeType: 'service',
          namespace: 'ns',
          service: 'reviews',
          badges: { circuitBreaker: {}, live: { reported: true, ejectionsActive: 2 } },
        },
      },
      {
        data: {
          ...base,
          id: 'app:ns:ratings:v1',
          nodeType: 'app',
          namespace: 'ns',
          app: 'ratings',
          version: 'v1',
        },
      },
    ],
    edges: [
      {
        data: {
          id: 'svc:ns:reviews->app:ns:ratings:v1',
          source: 'svc:ns:reviews',
          target: 'app:ns:ratings:v1',
          protocol: 'http',
          reporter: 'source',
          rps: 12.5,
          rates: { total: 12.5, http4xx: 0, http5xx: 0, noResponse: 0 },
          errorRate: 0,
          percentReq: 40,
          latency: { p95: 120 },
          health: 'healthy',
          traffic: { protocol: 'http', rates: {}, responses: {} },
          badges: { retries: { attempts: 2 } },
        },
      },
    ],
  },
};

describe('graph → cytoscape elements', () => {
  it('labels nodes with their name and badges, edges with the chosen number', () => {
    const els = toElements(graph, { edgeLabels: 'rps', find: [], hide: [] });
    expect(els.find((e) => e.data.id === 'svc:ns:reviews')?.data.label).toBe('reviews\n⚡ ⊘2');
    expect(els.find((e) => e.data.id === 'app:ns:ratings:v1')?.data.label).toBe('v1');
    expect(els.find((e) => e.group === 'edges')?.data.label).toBe('12.5 rps ↻');
    expect(
      toElements(graph, { edgeLabels: 'p95', find: [], hide: [] }).find((e) => e.group === 'edges')?.data
        .label,
    ).toBe('120 ms ↻');
    expect(
      toElements(graph, { edgeLabels: 'percent', find: [], hide: [] }).find((e) => e.group === 'edges')?.data
        .label,
    ).toBe('40% ↻');
  });

  it('hides matching nodes with their edges, marks found ones', () => {
    const hidden = toElements(graph, { edgeLabels: 'none', find: [], hide: expr('app=ratings') });
    expect(hidden.map((e) => e.data.id)).toEqual(['svc:ns:reviews']);
    const found = toElements(graph, { edgeLabels: 'none', find: expr('rps > 5'), hide: [] });
    expect(found.find((e) => e.group === 'edges')?.classes).toContain('found');
  });

  it('scales edge width with traffic, 1 to 8 px', () => {
    expect(edgeWidth(0, 10)).toBe(1);
    expect(edgeWidth(10, 10)).toBe(8);
    expect(edgeWidth(1, 10)).toBeGreaterThan(1);
    expect(edgeWidth(10, 10, 3)).toBe(3);
  });

  it('draws a large graph without app boxes, versions named with their app', () => {
    const many: Graph = {
      ...graph,
      elements: {
        edges: [0, 1].map((i) => ({
          data: { ...(graph.elements.edges[0]?.data as EdgeData), id: `e${i}`, rps: 10 * i },
        })),
        nodes: Array.from({ length: 501 }, (_, i) => ({
          data: {
            ...base,
            id: `app:ns:a${i}:v1`,
            nodeType: 'app' as const,
            namespace: 'ns',
            app: `a${i}`,
            version: 'v1',
            parent: `box:ns:a${i}`,
          },
        })),
      },
    };
    const els = toElements(many, { edgeLabels: 'rps', find: [], hide: [] });
    expect(els[0]?.data.parent).toBeUndefined();
    expect(els[0]?.data.label).toBe('a0 v1');
    // Thinner edges: the busiest is 3 px, not 8.
    expect(Math.max(...els.filter((e) => e.group === 'edges').map((e) => e.data.width as number))).toBe(3);
  });

  const withEdge = (over: Partial<EdgeData>): Graph => ({
    ...graph,
    elements: {
      ...graph.elements,
      edges: [{ data: { ...(graph.elements.edges[0]?.data as EdgeData), ...over } }],
    },
  });
  const edgeOf = (g: Graph, security = false, protocols?: string[]) =>
    toElements(g, { edgeLabels: 'rps', find: [], hide: [], security, protocols }).find(
      (e) => e.group === 'edges',
    );

  it('draws Kiali’s lock on an mTLS edge, and none where no destination reported mTLS', () => {
    const e = edgeOf(withEdge({ isMTLS: 100 }));
    expect(e?.data.label).toBe(`${MTLS_GLYPH} 12.5 rps ↻`);
    expect(e?.classes).toContain('mtls');
    expect(edgeOf(graph)?.data.label).toBe('12.5 rps ↻');
    expect(edgeOf(withEdge({ isMTLS: 0 }))?.classes).not.toContain('mtls');
  });

  it('marks plaintext that should have been mTLS with the open lock and its own class', () => {
    const e = edgeOf(withEdge({ isMTLS: 0, mtlsWarning: '100% of requests in plaintext' }));
    expect(e?.data.label).toBe(`${PLAINTEXT_GLYPH} 12.5 rps ↻`);
    expect(e?.classes).toContain('plaintext');
  });

  it('shows the principals’ service accounts with the Security option only', () => {
    const g = withEdge({
      isMTLS: 100,
      sourcePrincipal: 'spiffe://cluster.local/ns/ns/sa/reviews',
      destPrincipal: 'spiffe://cluster.local/ns/ns/sa/ratings',
    });
    expect(edgeOf(g, true)?.data.label).toBe(`${MTLS_GLYPH} 12.5 rps ↻\nreviews → ratings`);
    expect(edgeOf(g, false)?.data.label).toBe(`${MTLS_GLYPH} 12.5 rps ↻`);
  });

  it('leaves out the edges of protocols the traffic selector does not draw; TCP edges get their class', () => {
    const tcp = withEdge({ protocol: 'tcp' });
    expect(edgeOf(tcp, false, ['http', 'grpc'])).toBeUndefined();
    expect(edgeOf(tcp, false, ['tcp'])?.classes).toContain('tcp');
    expect(edgeOf(graph, false, ['tcp'])).toBeUndefined();
  });

  it('groups external hosts and egress clusters in Kiali’s “outside the mesh” box, with their classes', () => {
    const ext: Graph = {
      ...graph,
      elements: {
        edges: [],
        nodes: [
          {
            data: {
              ...base,
              id: 'svc:ns:PassthroughCluster',
              nodeType: 'service',
              namespace: 'ns',
              service: 'PassthroughCluster',
              isEgressCluster: true,
            },
          },
          {
            data: {
              ...base,
              id: 'svc:ns:httpbin.org',
              nodeType: 'service',
              namespace: 'ns',
              service: 'httpbin.org',
              isServiceEntry: 'MESH_EXTERNAL',
            },
          },
          {
            data: {
              ...base,
              id: 'app:istio-system:istio-egressgateway',
              nodeType: 'app',
              namespace: 'istio-system',
              isEgressGateway: true,
            },
          },
        ],
      },
    };
    const els = toElements(ext, { edgeLabels: 'rps', find: [], hide: [] });
    expect(els[0]?.data).toMatchObject({ id: 'box:outside-mesh', label: 'outside the mesh' });
    expect(els.find((e) => e.data.id === 'svc:ns:PassthroughCluster')).toMatchObject({
      data: { parent: 'box:outside-mesh' },
      classes: expect.stringContaining('egresscluster'),
    });
    expect(els.find((e) => e.data.id === 'svc:ns:httpbin.org')?.data.parent).toBe('box:outside-mesh');
    const gw = els.find((e) => e.data.id === 'app:istio-system:istio-egressgateway');
    expect(gw?.data.parent).toBeUndefined();
    expect(gw?.classes).toContain('egressgateway');
    // Nothing outside: no box.
    expect(
      toElements(graph, { edgeLabels: 'rps', find: [], hide: [] }).some(
        (e) => e.data.id === 'box:outside-mesh',
      ),
    ).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import {
  GRAPH_COMPRESS_MAX_ELEMENTS,
  graphJsonChunks,
  graphJsonStream,
  sentUncompressed,
} from './graph-json';
import { assembleSamples, BOOKINFO, bucketSamples, type EdgeSpec, requestSample } from './test-samples';
import type { Graph } from './types';

const { productpage, reviewsV1, reviewsV2, ratings, REVIEWS, RATINGS } = BOOKINFO;

function graph(over: Partial<Graph> = {}): Graph {
  const edges = [
    { reporter: 'source' as const, from: productpage, to: reviewsV1, service: REVIEWS, rps: 1 / 3 },
    {
      reporter: 'source' as const,
      from: productpage,
      to: reviewsV2,
      service: REVIEWS,
      code: '503',
      rps: 0.7,
    },
    { reporter: 'destination' as const, from: reviewsV2, to: ratings, service: RATINGS, rps: 2 },
  ];
  const a = assembleSamples({
    graphType: 'versionedApp',
    injectServiceNodes: true,
    includeIdleEdges: false,
    namespaces: [],
    requests: edges.map(requestSample),
    latencyBuckets: bucketSamples(
      edges[0] as EdgeSpec,
      [10, 100, Number.POSITIVE_INFINITY],
      [0.1, 0.3, 1 / 3],
    ),
  });
  return {
    timestamp: 1_700_000_000,
    duration: 60,
    graphType: 'versionedApp',
    elements: { nodes: a.nodes.map((data) => ({ data })), edges: a.edges.map((data) => ({ data })) },
    warnings: [{ code: 'envoy_stats_unavailable', message: 'not "there"\n' }],
    ...over,
  };
}

async function streamed(g: Graph, perChunk: number): Promise<string> {
  return new Response(graphJsonStream(g, perChunk)).text();
}

describe('graph JSON in chunks', () => {
  it('writes exactly what JSON.stringify writes, for every chunk size', async () => {
    for (const g of [graph(), graph({ latency: 'omitted' }), graph({ latencyTime: 1_699_999_990 })]) {
      const whole = JSON.stringify(g);
      for (const n of [1, 2, 3, 50]) {
        expect([...graphJsonChunks(g, n)].join('')).toBe(whole);
        expect(await streamed(g, n)).toBe(whole);
      }
    }
  });

  it('sends the UTF-8 bytes of the JSON, names beyond ASCII included', async () => {
    const g = graph();
    // é is one byte in Latin-1 but two in UTF-8; 名 and the emoji are not Latin-1 at all.
    for (const name of ['ascii', 'ré', '名前', 'a😀b']) {
      const named = {
        ...g,
        elements: {
          nodes: g.elements.nodes.map((n, i) => (i === 1 ? { data: { ...n.data, app: name } } : n)),
          edges: g.elements.edges,
        },
      } as Graph;
      const whole = Buffer.from(JSON.stringify(named), 'utf8');
      for (const n of [1, 2, 50]) {
        const bytes = Buffer.from(await new Response(graphJsonStream(named, n)).arrayBuffer());
        expect(bytes.equals(whole)).toBe(true);
      }
    }
  });

  it('leaves out undefined members and writes an empty graph', () => {
    const g = { ...graph(), latency: undefined, elements: { nodes: [], edges: [] } } as Graph;
    expect([...graphJsonChunks(g)].join('')).toBe(JSON.stringify(g));
  });

  it('sends a large graph in many pieces, none holding the whole', () => {
    const g = graph();
    const many = { ...g, elements: { nodes: Array(120).fill(g.elements.nodes[0]), edges: g.elements.edges } };
    const chunks = [...graphJsonChunks(many as Graph, 10)];
    const whole = JSON.stringify(many);
    expect(chunks.length).toBeGreaterThan(12);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(whole.length / 5);
  });
});

describe('sentUncompressed', () => {
  const graphOf = (nodes: number, edges: number) =>
    ({
      elements: {
        nodes: Array.from({ length: nodes }, () => ({ data: {} })),
        edges: Array.from({ length: edges }, () => ({ data: {} })),
      },
    }) as unknown as Graph;

  it('sends a graph of more elements than the bound as it is, a smaller one compressible', () => {
    expect(sentUncompressed(graphOf(3, 2), 5)).toBe(false);
    expect(sentUncompressed(graphOf(3, 3), 5)).toBe(true);
    expect(sentUncompressed(graphOf(2_000, 4_000), GRAPH_COMPRESS_MAX_ELEMENTS)).toBe(false); // 1,000 workloads
  });
});

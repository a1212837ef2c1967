// Contract test: metrics recorded from real Istio meshes (fixtures/istio), loaded into a real
// Prometheus, make the graph Kiali would draw — and the one Meshlens promises where Kiali drops edges.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGraph } from '../../lib/graph/build-graph';
import { parseGraphParams } from '../../lib/graph/params';
import {
  joinedRequestRateQuery,
  reporterSelections,
  requestRateQuery,
  splitJoinedRequests,
} from '../../lib/graph/promql';
import type { EdgeData, Graph, NodeData } from '../../lib/graph/types';
import { createPrometheusClient, type PromClient } from '../../lib/prometheus/client';
import {
  type LoadedPrometheus,
  parseExposition,
  type Replay,
  replay,
  startLoadedPrometheus,
} from './graph-prometheus';

const FIXTURES = new URL('../../fixtures/istio/', import.meta.url);
const egress = parseExposition(readFileSync(new URL('egress-serviceentry-scrape.prom', FIXTURES), 'utf8'));
const bookinfo = parseExposition(
  readFileSync(new URL('bookinfo-reviews-v1-inbound-istio-1.11.4.prom', FIXTURES), 'utf8'),
);

const R: Replay = { start: 1_700_000_000, intervalS: 15, scrapes: 40 };
const QUERY_TIME = R.start + (R.scrapes - 1) * R.intervalS;

let prom: LoadedPrometheus;
let client: PromClient;

beforeAll(async () => {
  prom = await startLoadedPrometheus(replay(egress, R) + replay(bookinfo, R));
  client = createPrometheusClient({ baseUrl: prom.url });
});
afterAll(async () => {
  await prom?.close();
});

async function graph(query: string): Promise<Graph> {
  const params = parseGraphParams(new URLSearchParams(`${query}&queryTime=${QUERY_TIME}&duration=60s`));
  if (!params.ok) throw new Error(params.message);
  const r = await buildGraph(params.value, { prometheus: client });
  if (!r.ok) throw new Error(r.error.message);
  return r.graph;
}
const nodeOf = (g: Graph, id: string): NodeData | undefined =>
  g.elements.nodes.find((n) => n.data.id === id)?.data;
const edgeOf = (g: Graph, id: string): EdgeData | undefined =>
  g.elements.edges.find((e) => e.data.id === id)?.data;

describe('egress to a ServiceEntry host (real Istio scrape)', () => {
  it("draws httpbin.org as an external service node with the caller's rates, codes and error share", async () => {
    const g = await graph('namespaces=test-ext-svc');
    expect(g.timestamp).toBe(QUERY_TIME);
    expect(g.elements.nodes.map((n) => n.data.id)).toEqual([
      'box:test-ext-svc:curl',
      'app:test-ext-svc:curl:latest',
      'svc:test-ext-svc:httpbin.org',
    ]);
    const svc = nodeOf(g, 'svc:test-ext-svc:httpbin.org');
    expect(svc).toMatchObject({
      nodeType: 'service',
      isServiceEntry: 'MESH_EXTERNAL',
      serviceHost: 'httpbin.org',
    });
    const e = edgeOf(g, 'app:test-ext-svc:curl:latest->svc:test-ext-svc:httpbin.org');
    // Counters grow by their scraped value every 15 s.
    expect(e?.rps).toBeCloseTo((54 + 106 + 3) / 15, 3);
    expect(e?.reporter).toBe('source');
    expect(e?.errorRate).toBeCloseTo((106 + 3) / 163, 3);
    expect(e?.percentReq).toBe(100);
    expect(Object.keys(e?.traffic.responses ?? {})).toEqual(['200', '400', '504']);
    expect(e?.traffic.responses['504']?.flags['-']).toBeCloseTo((3 / 163) * 100, 1);
    expect(e?.health).toBe('failure');
    expect(nodeOf(g, 'app:test-ext-svc:curl:latest')?.isRoot).toBe(true);
  });
});

describe('Bookinfo reviews-v1 inbound (Istio 1.11.4, destination-reported only)', () => {
  it('keeps the edge Kiali drops: destination-reported series from a known caller', async () => {
    const g = await graph('namespaces=default');
    const into = edgeOf(g, 'app:default:productpage:v1->svc:default:reviews');
    expect(into?.reporter).toBe('destination');
    expect(into?.rps).toBeCloseTo(1 / 15, 4);
    expect(into?.isMTLS).toBe(100);
    expect(edgeOf(g, 'svc:default:reviews->app:default:reviews:v1')?.rps).toBeCloseTo(1 / 15, 4);
    expect(nodeOf(g, 'app:default:reviews:v1')).toMatchObject({
      parent: 'box:default:reviews',
      workload: 'reviews-v1',
      health: 'healthy',
      destServices: [{ namespace: 'default', name: 'reviews' }],
    });
  });

  it("computes p50/p95/p99 exactly as Prometheus' histogram_quantile does", async () => {
    const g = await graph('namespaces=default');
    const e = edgeOf(g, 'app:default:productpage:v1->svc:default:reviews');
    for (const [k, q] of [
      ['p50', 0.5],
      ['p95', 0.95],
      ['p99', 0.99],
    ] as const) {
      const r = await client.instant(
        `histogram_quantile(${q}, sum by (le) (rate(istio_request_duration_milliseconds_bucket{reporter="destination",response_code=~"2.."}[60s])))`,
        QUERY_TIME,
      );
      if (!r.ok) throw new Error(r.error.message);
      expect(e?.latency[k]).toBeCloseTo(r.value[0]?.value as number, 2);
    }
    expect(e?.responseTime).toBe(e?.latency.p95);
  });

  it('answers both namespaces at once, and the workload graph without service nodes', async () => {
    const all = await graph('');
    expect(all.elements.edges).toHaveLength(3);
    const wl = await graph('graphType=workload&injectServiceNodes=false');
    expect(wl.elements.edges.map((e) => e.data.id).sort()).toEqual([
      'wl:default:productpage-v1->wl:default:reviews-v1',
      'wl:test-ext-svc:curl->svc:test-ext-svc:httpbin.org',
    ]);
  });

  it("reads the request rates joined into one label and splits them into exactly Istio's labelled series", async () => {
    for (const namespaces of [[], ['default'], ['test-ext-svc', 'default']]) {
      const sel = reporterSelections(namespaces);
      const both = [...sel.source, ...sel.destination];
      const joined = await client.instant(joinedRequestRateQuery(both, '60s'), QUERY_TIME);
      const labelled = await client.instant(requestRateQuery(both, '60s'), QUERY_TIME);
      if (!joined.ok || !labelled.ok) throw new Error('query failed');
      const split = splitJoinedRequests(joined.value);
      expect(split, 'every joined value splits').toBeDefined();
      const byLabels = (s: { labels: Record<string, string>; value: number }[]) =>
        s.map((x) => JSON.stringify([Object.entries(x.labels).sort(), x.value])).sort();
      expect(labelled.value.length).toBeGreaterThan(0);
      expect(byLabels(split ?? [])).toEqual(byLabels(labelled.value));
    }
  });

  it('says "not reported" for Envoy stats a real Istio mesh does not export', async () => {
    const g = await graph('namespaces=default');
    expect(nodeOf(g, 'svc:default:reviews')?.badges.live).toEqual({ reported: false });
    expect(g.warnings).toEqual([]);
  });
});

describe('Prometheus down', () => {
  it('is an error value naming Prometheus, not an exception', async () => {
    const down = createPrometheusClient({ baseUrl: 'http://127.0.0.1:1', timeoutMs: 2000 });
    const params = parseGraphParams(new URLSearchParams(''));
    if (!params.ok) throw new Error(params.message);
    const r = await buildGraph(params.value, { prometheus: down });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('prometheus_unavailable');
      expect(r.error.message).toMatch(/127\.0\.0\.1:1/);
    }
  });
});

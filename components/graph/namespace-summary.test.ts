// The graph's summary (`lib/graph/namespace-summary.ts`), grouped, says what the whole graph grouped says:
// the same namespaces (and apps), edges between them, rates and health, and the same counts of the mesh —
// over the same series, as Prometheus would answer the summary's read (summed by its labels) and the
// graph's (every label).
import { describe, expect, it } from 'vitest';
import { buildGraph } from '@/lib/graph/build-graph';
import { fakePrometheus } from '@/lib/graph/fake-prometheus';
import { DEFAULT_HEALTH } from '@/lib/graph/health';
import {
  lastGraphSize,
  MAX_REMEMBERED_VIEWS,
  readGraphSummary,
  rememberGraphSize,
  SUMMARY_LABELS,
  summaryGraph,
} from '@/lib/graph/namespace-summary';
import type { GraphParams } from '@/lib/graph/params';
import { JOIN_SEPARATOR } from '@/lib/graph/promql';
import type { Sample } from '@/lib/graph/series';
import { type EdgeSpec, prng, requestSample, type Side } from '@/lib/graph/test-samples';
import { GRAPH_TYPES, type Graph } from '@/lib/graph/types';
import { aggregateGraph } from './aggregate';

const TIME = 1_700_000_000;

/**
 * A mesh with what a real one has: both reporters (flags, mTLS policy and SPIFFE ids differing between
 * series of one edge), callers without a proxy (destination-reported only), callers from outside the mesh,
 * errors of every class, gRPC statuses, workloads without an app, external hosts, the egress cluster,
 * requests that reached no workload, and idle series.
 */
function meshSamples(): Sample[] {
  const rand = prng(7);
  const workloads: Side[] = [];
  for (let i = 0; i < 40; i++) {
    const ns = `ns-${i % 4}`;
    const app = `app-${Math.floor(i / 2)}`;
    const version = `v${(i % 2) + 1}`;
    workloads.push(i % 13 === 5 ? { ns, wl: `job-${i}` } : { ns, wl: `${app}-${version}`, app, version });
  }
  const host = (w: Side) => `${w.app ?? w.wl}.${w.ns}.svc.cluster.local`;
  const codes = ['200', '200', '200', '404', '503', '0', '201'];
  const specs: EdgeSpec[] = [];
  for (let k = 0; k < 160; k++) {
    const from = workloads[Math.floor(rand() * workloads.length)] as Side;
    const to = workloads[Math.floor(rand() * workloads.length)] as Side;
    if (from === to) continue;
    const code = codes[Math.floor(rand() * codes.length)] as string;
    const grpc = rand() < 0.15;
    const rps = rand() < 0.05 ? 0 : Math.round(rand() * 2000) / 100;
    const edge: EdgeSpec = {
      reporter: 'source',
      from,
      to,
      service: host(to),
      code,
      flags: code === '503' ? 'URX' : '-',
      rps,
      protocol: grpc ? 'grpc' : 'http',
      grpcStatus: grpc ? (rand() < 0.3 ? '14' : '0') : undefined,
    };
    const noProxy = rand() < 0.1;
    if (!noProxy) specs.push(edge);
    // The destination's view of the same requests, over mTLS with the ids, and as two flag variants.
    specs.push({ ...edge, reporter: 'destination', flags: '-', principals: true, rps: rps * 0.6 });
    specs.push({ ...edge, reporter: 'destination', flags: 'DC', mtls: false, rps: rps * 0.4 });
  }
  const a = workloads[1] as Side;
  const b = workloads[6] as Side;
  specs.push(
    // From outside the mesh.
    { reporter: 'destination', to: b, service: host(b), rps: 3, principals: true },
    { reporter: 'destination', to: b, service: host(b), code: '500', rps: 1 },
    // An external host, the egress cluster, a request that reached no workload.
    { reporter: 'source', from: a, service: 'httpbin.org', rps: 2 },
    { reporter: 'source', from: a, service: 'httpbin.org', code: '502', flags: 'UF', rps: 0.5 },
    {
      reporter: 'source',
      from: b,
      service: 'PassthroughCluster',
      serviceName: 'PassthroughCluster',
      rps: 1.5,
    },
    { reporter: 'source', from: b, service: host(a), code: '503', flags: 'NR', rps: 0.7 },
  );
  return specs.map(requestSample);
}

/** TCP bytes per second: a workload's database, and a caller outside the mesh. */
function tcpSamples(): Sample[] {
  const db: Side = { ns: 'ns-2', wl: 'db-v1', app: 'db', version: 'v1' };
  const caller: Side = { ns: 'ns-1', wl: 'app-3-v2', app: 'app-3', version: 'v2' };
  return [
    { reporter: 'source', from: caller, to: db, service: 'db.ns-2.svc.cluster.local', rps: 5000 },
    { reporter: 'destination', from: caller, to: db, service: 'db.ns-2.svc.cluster.local', rps: 4900 },
    { reporter: 'destination', to: db, service: 'db.ns-2.svc.cluster.local', rps: 100 },
  ].map((e) => {
    const {
      response_code: _code,
      grpc_response_status: _status,
      ...labels
    } = requestSample(e as EdgeSpec).labels;
    return { labels: { ...labels, request_protocol: 'tcp' }, value: e.rps };
  });
}

/** Prometheus's `sum by (names)`: samples grouped by those labels' values, summed; empty labels left out. */
function sumBy(samples: readonly Sample[], names: readonly string[]): Sample[] {
  const groups = new Map<string, Sample>();
  for (const s of samples) {
    const key = names.map((n) => s.labels[n] ?? '').join('\u0000');
    const g = groups.get(key);
    if (g) g.value += s.value;
    else {
      const labels: Record<string, string> = {};
      for (const n of names) if (s.labels[n]) labels[n] = s.labels[n] as string;
      groups.set(key, { labels, value: s.value });
    }
  }
  return [...groups.values()];
}

const REQUESTS = meshSamples();
const TCP = tcpSamples();

function params(over: Partial<GraphParams>): GraphParams {
  return {
    namespaces: [],
    graphType: 'versionedApp',
    duration: 60,
    queryTime: TIME,
    injectServiceNodes: true,
    includeIdleEdges: false,
    latency: false,
    rateGrpc: 'requests',
    ...over,
  };
}

/** The whole graph as the API answers it (JSON), from the graph's own reads of the same series. */
async function wholeGraph(p: GraphParams): Promise<Graph> {
  const prometheus = fakePrometheus([
    ['istio_tcp_received_bytes_total', TCP],
    ['istio_requests_total', REQUESTS],
  ]);
  const r = await buildGraph(p, { prometheus, thresholds: DEFAULT_HEALTH });
  if (!r.ok) throw new Error(r.error.message);
  return JSON.parse(JSON.stringify(r.graph)) as Graph;
}

function summaryOf(p: GraphParams): Graph {
  const requests = sumBy(REQUESTS, SUMMARY_LABELS);
  const tcp = TCP.map((s) => ({ ...s, labels: { ...s.labels } }));
  return JSON.parse(JSON.stringify(summaryGraph(p, TIME, [...requests, ...tcp], DEFAULT_HEALTH))) as Graph;
}

describe('the graph summary, grouped', () => {
  it('reads fewer series than the graph: those differing only by flags, mTLS policy or ids are one', () => {
    expect(sumBy(REQUESTS, SUMMARY_LABELS).length).toBeLessThan(REQUESTS.length * 0.75);
  });

  const cases: [string, Partial<GraphParams>][] = [
    ...GRAPH_TYPES.map((graphType): [string, Partial<GraphParams>] => [graphType, { graphType }]),
    ['versionedApp without service nodes', { injectServiceNodes: false }],
    ['workload, idle edges included', { graphType: 'workload', includeIdleEdges: true }],
    ['two namespaces asked for (outsiders drawn)', { namespaces: ['ns-1', 'ns-3'] }],
  ];
  for (const [name, over] of cases) {
    it(`says what the whole graph grouped says: ${name}`, async () => {
      const p = params(over);
      const whole = await wholeGraph(p);
      const summary = summaryOf(p);
      expect(summary.elements.nodes.length).toBeGreaterThan(20);
      for (const by of ['namespace', 'app'] as const) {
        const a = aggregateGraph(whole, by);
        const b = aggregateGraph(summary, by);
        expect(b.aggregateOf).toEqual(a.aggregateOf);
        expect(b.elements).toEqual(a.elements);
      }
      // Not a vacuous comparison: errors and the unknown caller are there.
      const grouped = aggregateGraph(summary, 'namespace');
      expect(grouped.elements.nodes.map((n) => n.data.health)).toContain('failure');
      expect(grouped.elements.edges.some((e) => e.data.rates.http5xx > 0)).toBe(true);
    });
  }

  it('is read with the summary labels joined, and split back', async () => {
    const joined = sumBy(REQUESTS, SUMMARY_LABELS).map((s) => ({
      labels: { summary: SUMMARY_LABELS.map((n) => s.labels[n] ?? '').join(JOIN_SEPARATOR) },
      value: s.value,
    }));
    const prometheus = fakePrometheus([
      ['istio_tcp_received_bytes_total', TCP],
      ['label_join(rate(istio_requests_total', joined],
    ]);
    const p = params({});
    const r = await readGraphSummary(p, { prometheus, thresholds: DEFAULT_HEALTH }, TIME);
    expect(r?.ok).toBe(true);
    if (!r?.ok) return;
    const requestReads = prometheus.asked.filter((q) => q.includes('istio_requests_total'));
    expect(requestReads).toHaveLength(1);
    expect(requestReads[0]).not.toContain('source_principal');
    expect(aggregateGraph(JSON.parse(JSON.stringify(r.value)), 'namespace')).toEqual(
      aggregateGraph(await wholeGraph(p), 'namespace'),
    );
  });

  it('falls back to the labelled read when a joined value does not split', async () => {
    const prometheus = fakePrometheus([
      ['label_join', [{ labels: { summary: 'a;b' }, value: 1 }]],
      ['istio_requests_total', sumBy(REQUESTS, SUMMARY_LABELS)],
    ]);
    const r = await readGraphSummary(params({}), { prometheus }, TIME);
    expect(r?.ok && r.value.elements.nodes.length).toBeGreaterThan(20);
    expect(prometheus.asked.filter((q) => q.includes('istio_requests_total'))).toHaveLength(2);
  });

  it('fails as the graph does when Prometheus fails, and stands for no gRPC message rates', async () => {
    const failing = fakePrometheus([['istio_requests_total', { error: 'boom' }]]);
    const r = await readGraphSummary(params({}), { prometheus: failing }, TIME);
    expect(r?.ok).toBe(false);
    const none = await readGraphSummary(params({ rateGrpc: 'sent' }), { prometheus: failing }, TIME);
    expect(none).toBeUndefined();
  });
});

describe('remembered graph sizes', () => {
  it('keeps the last size of each view, the oldest forgotten past the limit', () => {
    rememberGraphSize('view-a', 12_000);
    rememberGraphSize('view-a', 9_000);
    expect(lastGraphSize('view-a')).toBe(9_000);
    for (let i = 0; i < MAX_REMEMBERED_VIEWS; i++) rememberGraphSize(`view-${i}`, i);
    expect(lastGraphSize('view-a')).toBeUndefined();
    expect(lastGraphSize(`view-${MAX_REMEMBERED_VIEWS - 1}`)).toBe(MAX_REMEMBERED_VIEWS - 1);
  });
});

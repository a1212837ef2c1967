// The graph's recording rules against a real Prometheus: the rules parse and evaluate (backfilled with
// promtool over replayed Istio metrics), the probe finds them, and the graph built from the recorded
// series has the latency the raw histogram gives; a Prometheus without them is detected as such.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGraph } from '../../lib/graph/build-graph';
import { parseGraphParams } from '../../lib/graph/params';
import { reporterSelections } from '../../lib/graph/promql';
import {
  RULES_PROBE_QUERY,
  recordedLatencyQueries,
  recordingRulesYaml,
  rulesPresent,
} from '../../lib/graph/recording-rules';
import { bucketSamples, type EdgeSpec, requestSample, type Side } from '../../lib/graph/test-samples';
import type { Graph } from '../../lib/graph/types';
import { createPrometheusClient, type PromClient } from '../../lib/prometheus/client';
import {
  backfillRules,
  fromSamples,
  type LoadedPrometheus,
  replay,
  startLoadedPrometheus,
} from './graph-prometheus';

const web: Side = { ns: 'shop', wl: 'web-v1', app: 'web', version: 'v1' };
const api: Side = { ns: 'shop', wl: 'api-v1', app: 'api', version: 'v1' };
const db: Side = { ns: 'data', wl: 'db-v1', app: 'db', version: 'v1' };
const LES = [5, 10, 25, 50, 100, 250, 500, Number.POSITIVE_INFINITY];
const EDGES: { spec: EdgeSpec; counts: number[] }[] = [
  {
    spec: { reporter: 'source', from: web, to: api, service: 'api.shop.svc.cluster.local', rps: 10 },
    counts: [1, 2, 5, 8, 9, 10, 10, 10],
  },
  {
    spec: { reporter: 'destination', from: web, to: api, service: 'api.shop.svc.cluster.local', rps: 10 },
    counts: [0, 1, 3, 6, 9, 10, 10, 10],
  },
  // Only the destination reports this one: its buckets come from the destination side.
  {
    spec: { reporter: 'destination', from: api, to: db, service: 'db.data.svc.cluster.local', rps: 4 },
    counts: [0, 0, 1, 2, 3, 4, 4, 4],
  },
];
const R = { start: 1_700_000_000, intervalS: 15, scrapes: 12 };
const QUERY_TIME = R.start + (R.scrapes - 1) * R.intervalS;

let prom: LoadedPrometheus;
let client: PromClient;

beforeAll(async () => {
  const requests = EDGES.map((e) => requestSample(e.spec));
  const buckets = EDGES.flatMap((e) => bucketSamples(e.spec, LES, e.counts));
  prom = await startLoadedPrometheus(
    replay(fromSamples('istio_requests_total', requests), R, true) +
      replay(fromSamples('istio_request_duration_milliseconds_bucket', buckets), R, true),
  );
  client = createPrometheusClient({ baseUrl: prom.url });
}, 120_000);

afterAll(async () => {
  await prom?.close();
});

async function graph(recorded: boolean, duration = '60s'): Promise<Graph> {
  const p = parseGraphParams(
    new URLSearchParams({ queryTime: String(QUERY_TIME), duration, graphType: 'workload' }),
  );
  if (!p.ok) throw new Error(p.message);
  const r = await buildGraph(p.value, { prometheus: client, recordedLatency: async () => recorded });
  if (!r.ok) throw new Error(r.error.message);
  return r.graph;
}

const latencies = (g: Graph) => Object.fromEntries(g.elements.edges.map((e) => [e.data.id, e.data.latency]));

describe('graph recording rules on a real Prometheus', () => {
  it('without the rules: the probe says absent and the graph reads the raw histogram', async () => {
    const probe = await client.instant(RULES_PROBE_QUERY, QUERY_TIME);
    expect(probe.ok && rulesPresent(probe.value)).toBe(false);
    // Told the rules exist when they do not: the empty recorded answer falls back to raw.
    expect(latencies(await graph(true))).toEqual(latencies(await graph(false)));
  });

  it('backfilled: the probe finds them and the latency from the recorded series is the raw one', async () => {
    const raw = latencies(await graph(false));
    const raw2m = latencies(await graph(false, '2m'));
    prom = await backfillRules(prom, recordingRulesYaml(), {
      start: R.start + 60,
      end: QUERY_TIME,
      evalIntervalS: R.intervalS,
    });
    client = createPrometheusClient({ baseUrl: prom.url });
    const probe = await client.instant(RULES_PROBE_QUERY, QUERY_TIME);
    expect(probe.ok && rulesPresent(probe.value)).toBe(true);

    // The recorded query itself answers (the graph would otherwise quietly fall back to raw): one
    // chosen reporter per edge, every bucket bound.
    const queries = recordedLatencyQueries(reporterSelections([]), 60);
    const fromSource = await client.instant(queries.source, QUERY_TIME);
    const fromDestination = await client.instant(queries.destination(), QUERY_TIME);
    const direct = [
      ...(fromSource.ok ? fromSource.value : []),
      ...(fromDestination.ok ? fromDestination.value : []),
    ];
    expect(direct.length).toBeGreaterThanOrEqual(2 * LES.length);
    expect(new Set(direct.map((s) => s.labels.reporter))).toEqual(new Set(['source', 'destination']));

    const recorded = latencies(await graph(true));
    expect(Object.keys(recorded).sort()).toEqual(Object.keys(raw).sort());
    expect(Object.values(raw).some((l) => l.p95 !== undefined)).toBe(true);
    for (const [id, l] of Object.entries(raw)) {
      for (const q of ['p50', 'p95', 'p99'] as const) {
        expect(recorded[id]?.[q], `${id} ${q}`).toBeCloseTo(l[q] as number, 1);
      }
    }
    // Longer windows average the recorded 1 m rates: steady traffic, the same quantiles.
    const recorded2m = latencies(await graph(true, '2m'));
    for (const [id, l] of Object.entries(raw2m)) expect(recorded2m[id]?.p95).toBeCloseTo(l.p95 as number, 1);
  });
});

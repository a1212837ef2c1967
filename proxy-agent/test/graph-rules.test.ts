// The graph's recording rules against a real Prometheus: the rules parse and evaluate (backfilled with
// promtool over replayed Istio metrics), the probe finds them, and the graph built from the recorded
// series has the latency the raw histogram gives; a Prometheus without them is detected as such.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupBucketsOfBody } from '../../lib/graph/bucket-answer';
import { buildGraph } from '../../lib/graph/build-graph';
import { groupBuckets } from '../../lib/graph/latency-cache';
import { parseGraphParams } from '../../lib/graph/params';
import { joinedRequestRateQuery, reporterSelections, splitJoinedRequests } from '../../lib/graph/promql';
import { requestSamplesOfBody } from '../../lib/graph/rates-answer';
import {
  BOUNDS_QUERY,
  belowTotalLatencyQueries,
  belowTotalRecord,
  EDGE_JOINED,
  EDGE_LATENCY_BELOW_TOTAL_RECORD,
  EDGE_LATENCY_RECORD,
  RULES_PROBE_QUERY,
  recordedLatencyQueries,
  recordingRuleStages,
  rulesPresent,
  uniformBounds,
} from '../../lib/graph/recording-rules';
import { destinationOnlyCallers } from '../../lib/graph/series';
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
  // A caller outside the `data` namespace into a service in it: a namespace-filtered graph finds it by
  // the service's namespace.
  {
    spec: { reporter: 'source', from: web, to: db, service: 'db.data.svc.cluster.local', rps: 2 },
    counts: [0, 0, 0, 1, 1, 2, 2, 2],
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
/** Every query the graphs asked, in order. */
const asked: string[] = [];

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

async function graph(recorded: boolean, duration = '60s', namespaces = ''): Promise<Graph> {
  const p = parseGraphParams(
    new URLSearchParams({ queryTime: String(QUERY_TIME), duration, graphType: 'workload', namespaces }),
  );
  if (!p.ok) throw new Error(p.message);
  const recording: PromClient = {
    baseUrl: client.baseUrl,
    instant: (query, time) => {
      asked.push(query);
      return client.instant(query, time);
    },
    // The real client's unparsed answers too: the below-total answer is read from Prometheus' own bytes.
    instantBody: (query, time) => {
      asked.push(query);
      if (!client.instantBody) throw new Error('the real client hands answers over unparsed');
      return client.instantBody(query, time);
    },
    range: (...args) => client.range(...args),
  };
  const r = await buildGraph(p.value, { prometheus: recording, recordedLatency: async () => recorded });
  if (!r.ok) throw new Error(r.error.message);
  return r.graph;
}

const latencies = (g: Graph) => Object.fromEntries(g.elements.edges.map((e) => [e.data.id, e.data.latency]));

describe('graph recording rules on a real Prometheus', () => {
  it("the request rates read from Prometheus' own bytes (rates-answer.ts): the samples and callers its parse gives", async () => {
    const sel = reporterSelections([]);
    const query = joinedRequestRateQuery([...sel.source, ...sel.destination], '1m');
    for (let poll = 0; poll < 2; poll++) {
      // The second time the series are found by their place in the answer before.
      const answer = await client.instantBody?.(query, QUERY_TIME - poll * R.intervalS);
      if (!answer?.ok) throw new Error('the rates answer, unparsed');
      const parsed = answer.value.samples();
      const split = parsed.ok ? splitJoinedRequests(parsed.value) : undefined;
      expect(split?.length).toBe(EDGES.length);
      const read = requestSamplesOfBody(answer.value.body);
      if (!read?.samples || !split) throw new Error("read from Prometheus' bytes");
      expect(read.samples).toEqual(split);
      expect(read.callers()).toEqual(destinationOnlyCallers(split));
      expect(read.callers()).toEqual(['api-v1']);
    }
  });

  it('without the rules: the probe says absent and the graph reads the raw histogram', async () => {
    const probe = await client.instant(RULES_PROBE_QUERY, QUERY_TIME);
    expect(probe.ok && rulesPresent(probe.value)).toBe(false);
    // Told the rules exist when they do not: the empty recorded answer falls back to raw.
    expect(latencies(await graph(true))).toEqual(latencies(await graph(false)));
  });

  it('backfilled: the probe finds them and the latency from the recorded series is the raw one', async () => {
    const raw = latencies(await graph(false));
    const raw2m = latencies(await graph(false, '2m'));
    const raw5m = latencies(await graph(false, '5m'));
    const rawData = latencies(await graph(false, '60s', 'data'));
    prom = await backfillRules(prom, recordingRuleStages(), {
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
    // The below-total series: fewer (the buckets equal to their edge's total left out), one layout of bounds.
    const partial = belowTotalLatencyQueries(reporterSelections([]), 60);
    if (!partial) throw new Error('the 1 m window is recorded');
    const belowSource = await client.instant(partial.source, QUERY_TIME);
    const belowDestination = await client.instant(partial.destination(), QUERY_TIME);
    const below = [
      ...(belowSource.ok ? belowSource.value : []),
      ...(belowDestination.ok ? belowDestination.value : []),
    ];
    expect(below.length).toBeGreaterThan(0);
    expect(below.length).toBeLessThan(direct.length);
    // Prometheus' own bytes of it, read as the graph reads them (bucket-answer.ts): the groups its parse gives.
    const belowBody = await client.instantBody?.(partial.source, QUERY_TIME);
    if (!belowBody?.ok) throw new Error('the below-total answer, unparsed');
    const belowParsed = belowBody.value.samples();
    expect(belowParsed.ok && belowParsed.value.length).toBeGreaterThan(0);
    expect(groupBucketsOfBody(belowBody.value.body, EDGE_JOINED)).toEqual({
      groups: groupBuckets(belowParsed.ok ? belowParsed.value : []),
      samples: belowParsed.ok ? belowParsed.value.length : -1,
    });
    const bounds = await client.instant(BOUNDS_QUERY, QUERY_TIME);
    expect(bounds.ok && uniformBounds(bounds.value)).toEqual(LES);

    asked.length = 0;
    const recorded = latencies(await graph(true));
    // Over the rules' window the graph read the below-total series, not the dense ones.
    expect(asked.some((q) => q.includes(EDGE_LATENCY_BELOW_TOTAL_RECORD))).toBe(true);
    expect(asked.some((q) => q.includes(`${EDGE_LATENCY_RECORD}{`))).toBe(false);
    expect(Object.keys(recorded).sort()).toEqual(Object.keys(raw).sort());
    expect(Object.values(raw).some((l) => l.p95 !== undefined)).toBe(true);
    for (const [id, l] of Object.entries(raw)) {
      for (const q of ['p50', 'p95', 'p99'] as const) {
        expect(recorded[id]?.[q], `${id} ${q}`).toBeCloseTo(l[q] as number, 1);
      }
    }
    // Filtered by namespace: the edge from outside into `data` has its latency from the recorded series too.
    const recordedData = latencies(await graph(true, '60s', 'data'));
    expect(Object.keys(recordedData).sort()).toEqual(Object.keys(rawData).sort());
    expect(Object.values(rawData).filter((l) => l.p95 !== undefined).length).toBeGreaterThanOrEqual(2);
    for (const [id, l] of Object.entries(rawData)) expect(recordedData[id], id).toEqual(l);
    // Longer windows average the recorded 1 m rates: steady traffic, the same quantiles.
    const recorded2m = latencies(await graph(true, '2m'));
    for (const [id, l] of Object.entries(raw2m)) expect(recorded2m[id]?.p95).toBeCloseTo(l.p95 as number, 1);
    // A window the graph offers has its own below-total series (the 5 m one averages the 1 m rates).
    asked.length = 0;
    const recorded5m = latencies(await graph(true, '5m'));
    expect(asked.some((q) => q.includes(belowTotalRecord('5m')))).toBe(true);
    expect(Object.keys(recorded5m).sort()).toEqual(Object.keys(raw5m).sort());
    for (const [id, l] of Object.entries(raw5m)) expect(recorded5m[id]?.p95).toBeCloseTo(l.p95 as number, 1);
  });
});

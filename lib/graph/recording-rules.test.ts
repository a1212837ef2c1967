import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { PromClient, PromResult } from '../prometheus/client';
import { buildGraph } from './build-graph';
import { LatencyCache } from './latency-cache';
import type { GraphParams } from './params';
import { reporterSelections } from './promql';
import {
  cachedDetection,
  EDGE_LATENCY_RECORD,
  RULES_PROBE_QUERY,
  recordedBuckets,
  recordedLatencyQueries,
  recordingRulesYaml,
  rulesPresent,
} from './recording-rules';
import type { Sample } from './series';
import { bucketSamples, requestSample } from './test-samples';

const from = { ns: 'bookinfo', wl: 'productpage-v1', app: 'productpage', version: 'v1' };
const to = { ns: 'bookinfo', wl: 'reviews-v1', app: 'reviews', version: 'v1' };
const edge = { reporter: 'source' as const, from, to, service: 'reviews.bookinfo.svc.cluster.local' };

const params: GraphParams = {
  namespaces: [],
  graphType: 'workload',
  duration: 60,
  queryTime: 1_700_000_000,
  injectServiceNodes: false,
  includeIdleEdges: false,
  latency: true,
};

/** A Prometheus that answers by the query's kind, recording what it was asked. */
function fakeProm(answers: { recorded: Sample[] }): { client: PromClient; asked: string[] } {
  const asked: string[] = [];
  const ok = (value: Sample[]): PromResult<Sample[]> => ({ ok: true, value });
  const client: PromClient = {
    baseUrl: 'http://prom',
    async instant(query) {
      asked.push(query);
      // Every caller has a proxy: no edge is reported by its destination only.
      if (query.startsWith('count by (source_workload_namespace,source_workload)')) return ok([]);
      if (query.startsWith(`sum by (le,`) && query.includes(EDGE_LATENCY_RECORD)) return ok(answers.recorded);
      if (query.includes('istio_request_duration_milliseconds_bucket'))
        return ok(bucketSamples({ ...edge, rps: 10 }, [100, Number.POSITIVE_INFINITY], [10, 10]));
      if (query.includes('istio_requests_total')) return ok([requestSample({ ...edge, rps: 10 })]);
      return ok([]);
    },
    async range() {
      return { ok: true, value: [] };
    },
  };
  return { client, asked };
}

describe('graph recording rules', () => {
  it('writes a rule file Prometheus and promtool read', () => {
    const file = parse(recordingRulesYaml()) as {
      groups: { name: string; interval: string; rules: { record: string; expr: string }[] }[];
    };
    expect(file.groups[0]?.rules[0]?.record).toBe(EDGE_LATENCY_RECORD);
    expect(file.groups[0]?.rules[0]?.expr).toMatch(/^sum by \(le,reporter,source_workload_namespace,/);
    expect(file.groups[0]?.rules[0]?.expr).toContain('response_code=~"2.."');
  });

  it('reads the recorded series as they are over their window, averaged over longer ranges', () => {
    expect(recordedBuckets([], 60)).toBe(`${EDGE_LATENCY_RECORD}{}`);
    expect(recordedBuckets([], 300)).toBe(`avg_over_time(${EDGE_LATENCY_RECORD}{}[300s])`);
    const q = recordedLatencyQueries(reporterSelections(['a"b']), 300);
    // Values stay escaped; the raw histogram is never read; destination-reported buckets by caller.
    expect(q.source).toContain('source_workload_namespace="a\\"b"');
    for (const text of [q.source, q.destination(['unknown'])]) {
      expect(text).not.toContain('istio_request_duration_milliseconds_bucket');
      expect(text).not.toContain('response_code');
    }
    expect(q.destination(['unknown'])).toContain('reporter="destination"');
    expect(q.destination(['unknown'])).toContain('source_workload="unknown"');
  });

  it('says the rules are present only for a non-zero count', () => {
    expect(rulesPresent([])).toBe(false);
    expect(rulesPresent([{ value: 0 }])).toBe(false);
    expect(rulesPresent([{ value: 3000 }])).toBe(true);
    expect(RULES_PROBE_QUERY).toContain('le="+Inf"');
  });

  it('caches a detection for its time to live, probes once for concurrent callers, never caches a failure', async () => {
    let clock = 0;
    const answers: (boolean | undefined)[] = [undefined, true, false];
    let probes = 0;
    const detect = cachedDetection(
      async () => {
        probes++;
        return answers.shift();
      },
      1000,
      () => clock,
    );
    expect(await detect()).toBe(false); // failed: not cached
    expect(await Promise.all([detect(), detect()])).toEqual([true, true]);
    expect(probes).toBe(2);
    clock = 999;
    expect(await detect()).toBe(true);
    clock = 1000;
    expect(await detect()).toBe(false);
    expect(probes).toBe(3);
  });

  it('builds latency from the recorded series when present, from the raw histogram otherwise', async () => {
    const recorded = bucketSamples({ ...edge, rps: 10 }, [50, Number.POSITIVE_INFINITY], [10, 10]);
    const withRules = fakeProm({ recorded });
    const a = await buildGraph(params, { prometheus: withRules.client, recordedLatency: async () => true });
    expect(a.ok).toBe(true);
    expect(withRules.asked.some((q) => q.includes('istio_request_duration_milliseconds_bucket'))).toBe(false);
    // All 2xx under 50 ms (recorded) vs under 100 ms (raw): the p50 tells which was read.
    const p50 = (r: typeof a) => (r.ok ? r.graph.elements.edges[0]?.data.latency.p50 : undefined);
    expect(p50(a)).toBe(25);

    const missing = fakeProm({ recorded: [] });
    const b = await buildGraph(params, { prometheus: missing.client, recordedLatency: async () => true });
    expect(p50(b)).toBe(50);

    const none = fakeProm({ recorded });
    const c = await buildGraph(params, { prometheus: none.client, recordedLatency: async () => false });
    expect(none.asked.some((q) => q.includes(EDGE_LATENCY_RECORD))).toBe(false);
    expect(p50(c)).toBe(50);
  });
});

describe('graph latency cache', () => {
  const bucketQueries = (asked: string[]) =>
    asked.filter((q) => q.includes('istio_request_duration_milliseconds_bucket')).length;

  it('reads the buckets once for polls of a live graph and says when they were read', async () => {
    let now = 2_000_000_000;
    const cache = new LatencyCache({ freshS: 15, maxAgeS: 60, cheapMs: 0, now: () => now });
    const prom = fakeProm({ recorded: [] });
    const live = { ...params, queryTime: undefined };
    const deps = { prometheus: prom.client, latencyCache: cache, now: () => now };
    const a = await buildGraph(live, deps);
    now += 10;
    const b = await buildGraph(live, deps);
    expect(bucketQueries(prom.asked)).toBe(1);
    // Rates are read at each poll's time; latency at the first.
    expect(a.ok && b.ok && [b.graph.timestamp, b.graph.latencyTime]).toEqual([2_000_000_010, 2_000_000_000]);
    expect(b.ok && b.graph.elements.edges[0]?.data.latency.p50).toBe(50);
  });

  it('reads latency for each pinned time and omits latencyTime when latency is not asked for', async () => {
    const cache = new LatencyCache({ cheapMs: 0, now: () => 2_000_000_000 });
    const prom = fakeProm({ recorded: [] });
    await buildGraph(params, { prometheus: prom.client, latencyCache: cache });
    await buildGraph(params, { prometheus: prom.client, latencyCache: cache });
    await buildGraph(
      { ...params, queryTime: 1_700_000_015 },
      { prometheus: prom.client, latencyCache: cache },
    );
    expect(bucketQueries(prom.asked)).toBe(2);
    const fast = await buildGraph(
      { ...params, latency: false },
      { prometheus: prom.client, latencyCache: cache },
    );
    expect(fast.ok && fast.graph.latencyTime).toBeUndefined();
  });
});

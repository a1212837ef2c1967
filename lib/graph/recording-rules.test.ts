import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { PromClient, PromResult } from '../prometheus/client';
import { gatherBucketsOfBody, groupBucketsOfBody } from './bucket-answer';
import { buildGraph } from './build-graph';
import { prometheusBody } from './fake-prometheus';
import { type BucketGroup, bucketCount, bucketGroup, bucketsOf, LatencyCache } from './latency-cache';
import type { GraphParams } from './params';
import { eq, ne, oneOf, reporterSelections } from './promql';
import {
  BOUNDS_QUERY,
  belowTotalLatencyQueries,
  belowTotalRecord,
  cachedDetection,
  completeBelowTotal,
  completeGathered,
  DETECTIONS_KEPT,
  EDGE_LATENCY_BELOW_TOTAL_RECORD,
  EDGE_LATENCY_RECORD,
  GRAPH_RECORDING_RULES,
  joinedMatcher,
  RECORDED_EDGE_LABELS,
  RULES_PROBE_QUERY,
  recordedBuckets,
  recordedLatencyQueries,
  recordingRuleStages,
  recordingRulesYaml,
  rulesPresent,
  splitJoinedEdges,
  uniformBounds,
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
function fakeProm(
  answers: { recorded: Sample[]; belowTotal?: Sample[]; bounds?: Sample[] },
  bodies = false,
): {
  client: PromClient;
  asked: string[];
  /** Answers parsed the generic way after `instantBody` (with `bodies`). */
  parsed: string[];
} {
  const asked: string[] = [];
  const parsed: string[] = [];
  const ok = (value: Sample[]): PromResult<Sample[]> => ({ ok: true, value });
  const client: PromClient = {
    baseUrl: 'http://prom',
    async instant(query) {
      asked.push(query);
      if (query === BOUNDS_QUERY) return ok(answers.bounds ?? []);
      if (query.includes(EDGE_LATENCY_BELOW_TOTAL_RECORD)) return ok(answers.belowTotal ?? []);
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
  // As the real client: the answer's bytes, as Prometheus writes them.
  if (bodies)
    client.instantBody = async (query, timeSec) => {
      const r = await client.instant(query, timeSec);
      if (!r.ok) return r;
      const samples = () => {
        parsed.push(query);
        return r;
      };
      return { ok: true, value: { body: prometheusBody(r.value, timeSec), samples } };
    };
  return { client, asked, parsed };
}

describe('graph recording rules', () => {
  it('writes a rule file Prometheus reads, and the stages promtool backfills one after the other', () => {
    type RuleFile = {
      groups: { name: string; interval: string; rules: { record: string; expr: string }[] }[];
    };
    const file = parse(recordingRulesYaml()) as RuleFile;
    const rules = file.groups[0]?.rules ?? [];
    expect(rules[0]?.record).toBe(EDGE_LATENCY_RECORD);
    expect(rules[0]?.expr).toMatch(/^sum by \(le,reporter,source_workload_namespace,/);
    // A namespace-filtered graph selects source-reported edges by the service's namespace too.
    expect(rules[0]?.expr).toContain('destination_service_namespace');
    expect(rules[0]?.expr).toContain('response_code=~"2.."');
    // The rules after the first read what it recorded: a group evaluates them in order. Every window the
    // graph offers has its below-total series; the long ones in a group evaluated once a minute.
    const all = file.groups.flatMap((g) => g.rules);
    for (const r of all.slice(1)) expect(r.expr).toContain(EDGE_LATENCY_RECORD);
    for (const w of ['1m', '5m', '10m', '30m', '1h'])
      expect(all.map((r) => r.record)).toContain(belowTotalRecord(w));
    expect(file.groups.map((g) => g.interval)).toEqual(['15s', '1m']);
    expect(all.find((r) => r.record === belowTotalRecord('5m'))?.expr).toContain(
      `avg_over_time(${EDGE_LATENCY_RECORD}[5m])`,
    );
    const stages = recordingRuleStages().map((y) =>
      (parse(y) as RuleFile).groups.flatMap((g) => g.rules.map((r) => r.record)),
    );
    expect(stages).toEqual([[EDGE_LATENCY_RECORD], all.slice(1).map((r) => r.record)]);
    expect(all.map((r) => r.record)).toEqual(GRAPH_RECORDING_RULES.map((r) => r.record));
  });

  it('reads the recorded series as they are over their window, averaged over longer ranges', () => {
    expect(recordedBuckets([], 60)).toBe(`${EDGE_LATENCY_RECORD}{}`);
    expect(recordedBuckets([], 120)).toBe(`avg_over_time(${EDGE_LATENCY_RECORD}{}[120s])`);
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

  it('reads the below-total series with the same selections, as one matcher on the joined edge label', () => {
    // reporter; source ns; source workload; service; called ns; called workload; service ns.
    const any = '[^;]*';
    expect(
      joinedMatcher([eq('reporter', 'source'), oneOf('destination_service_namespace', ['a', 'b.c'])]),
    ).toEqual({
      label: 'edge',
      op: '=~',
      value: `source;${any};${any};${any};${any};${any};(?:a|b\\.c)`,
    });
    expect(() => joinedMatcher([eq('response_code', '200')])).toThrow(/not a label/);
    expect(() => joinedMatcher([ne('reporter', 'source')])).toThrow(/cannot match/);
    const q = belowTotalLatencyQueries(reporterSelections(['a"b']), 60);
    if (!q) throw new Error('the 1 m window is recorded');
    // Other windows read their own series; a window not recorded has none.
    expect(belowTotalLatencyQueries(reporterSelections([]), 1800)?.source).toContain(belowTotalRecord('30m'));
    expect(belowTotalLatencyQueries(reporterSelections([]), 30)).toBeUndefined();
    expect(belowTotalLatencyQueries(reporterSelections([]), 120)).toBeUndefined();
    // Escaped for the regex, then for the PromQL string.
    expect(q.source).toMatch(/^sum by \(le,edge\)/);
    expect(q.source).toContain(`${EDGE_LATENCY_BELOW_TOTAL_RECORD}{edge=~"source;a\\"b;`);
    expect(q.source).toContain(`${any};a\\"b"}`);
    expect(q.destination(['x.y'])).toContain(`{edge=~"destination;${any};x\\\\.y;`);
  });

  it('splits the joined edge label back into the edge labels, or gives up on a stray separator', () => {
    const { buckets } = bucketGroup({}, [[Number.POSITIVE_INFINITY, 1]]);
    const edgeLabel = 'source;a;web;api.a.svc.cluster.local;a;api;';
    expect(splitJoinedEdges([{ labels: { edge: edgeLabel }, buckets }])).toEqual([
      {
        labels: {
          reporter: 'source',
          source_workload_namespace: 'a',
          source_workload: 'web',
          destination_service: 'api.a.svc.cluster.local',
          destination_workload_namespace: 'a',
          destination_workload: 'api',
        },
        buckets,
      },
    ]);
    expect(splitJoinedEdges([{ labels: { edge: 'source;a;web' }, buckets }])).toBeUndefined();
  });

  it('gives each joined edge the labels object it had at the reading before (frozen, shared)', () => {
    const { buckets } = bucketGroup({}, [[Number.POSITIVE_INFINITY, 1]]);
    const edge = 'source;b;web;api.b.svc.cluster.local;b;api;b';
    const [first] = splitJoinedEdges([{ labels: { edge }, buckets }]) ?? [];
    // Another reading: a new string of the same characters, other buckets.
    const again = bucketGroup({}, [[Number.POSITIVE_INFINITY, 2]]).buckets;
    const [second] = splitJoinedEdges([{ labels: { edge: [edge].join('') }, buckets: again }]) ?? [];
    expect(second?.labels).toBe(first?.labels);
    expect(Object.isFrozen(first?.labels)).toBe(true);
    expect(second?.buckets).toBe(again);
    expect(first?.labels.destination_service_namespace).toBe('b');
  });

  it('takes the bucket bounds only when every edge has all of them', () => {
    const bound = (le: string, value: number): Sample => ({ labels: { le }, value });
    expect(uniformBounds([bound('+Inf', 3), bound('100', 3), bound('5', 3)])).toEqual([
      5,
      100,
      Number.POSITIVE_INFINITY,
    ]);
    // One edge with its own layout (fewer bounds): nothing to complete with.
    expect(uniformBounds([bound('+Inf', 3), bound('100', 2), bound('5', 3)])).toBeUndefined();
    expect(uniformBounds([bound('5', 3)])).toBeUndefined();
    expect(uniformBounds([])).toBeUndefined();
  });

  it('completes below-total buckets into exactly the dense ones', () => {
    const bounds = [1, 5, 10, 25, 50, 100, 250, 1000, Number.POSITIVE_INFINITY];
    // Cumulative counts: spread; all in one bucket (below it zeros, above it the total); all under the
    // first bound; none at all; and random ones.
    const cases = [
      [0, 1, 3, 6, 9, 10, 10, 10, 10],
      [0, 0, 0, 7, 7, 7, 7, 7, 7],
      [4, 4, 4, 4, 4, 4, 4, 4, 4],
      [0, 0, 0, 0, 0, 0, 0, 0, 0],
      [1, 2, 3, 4, 5, 6, 7, 8, 9],
    ];
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let i = 0; i < 50; i++) {
      let c = 0;
      cases.push(bounds.map(() => (c += rand() < 0.5 ? 0 : Math.round(rand() * 5))));
    }
    const dense = cases.map((counts, i) => ({
      labels: { edge: String(i) },
      buckets: bounds.map((b, j) => [b, counts[j] as number] as [number, number]),
    }));
    // What the below-total rule keeps: buckets under the total, and the total; in any order.
    const partial = dense.map((g) => {
      const total = (g.buckets[g.buckets.length - 1] as [number, number])[1];
      return bucketGroup(
        g.labels,
        g.buckets.filter(([le, v]) => v < total || le === Number.POSITIVE_INFINITY).reverse(),
      );
    });
    expect(partial.reduce((n, g) => n + bucketCount(g), 0)).toBeLessThan(
      dense.reduce((n, g) => n + g.buckets.length, 0),
    );
    const complete = completeBelowTotal(partial, bounds);
    expect(complete?.map((g) => ({ labels: g.labels, buckets: bucketsOf(g) }))).toEqual(dense);
    // Every completed group's pairs are a view of one array (no array a bucket, nor a group).
    expect(complete?.every((g) => g.buckets instanceof Float64Array)).toBe(true);
    expect(new Set(complete?.map((g) => g.buckets.buffer)).size).toBe(1);
  });

  it('completes as the pairs sorted by bound would: stable for a bound twice, any order read', () => {
    const inf = Number.POSITIVE_INFINITY;
    // The completion as it was with an array a bucket (the reference): sorted, the prefix checked, the rest filled.
    const reference = (read: [number, number][], bounds: number[]) => {
      const sorted = [...read].sort((a, b) => a[0] - b[0]);
      const total = sorted[sorted.length - 1];
      if (total === undefined || total[0] !== inf) return undefined;
      const below = sorted.length - 1;
      for (let i = 0; i < below; i++) if (sorted[i]?.[0] !== bounds[i]) return undefined;
      const out = sorted.slice(0, below);
      for (let i = below; i < bounds.length - 1; i++) out.push([bounds[i] as number, total[1]]);
      out.push(total);
      return out;
    };
    const bounds = [1, 5, 10, inf];
    const reads: [number, number][][] = [
      [
        [inf, 3],
        [5, 2],
        [1, 1],
      ],
      [
        [inf, 3],
        [inf, 4],
      ],
      [
        [1, 1],
        [inf, 3],
        [5, 2],
        [10, 2.5],
      ],
      [
        [1, 1],
        [5, 2],
        [10, 2.5],
        [inf, 3],
        [inf, 9],
      ],
      [
        [5, 2],
        [inf, 3],
      ],
      [[1, 1]],
      [],
    ];
    for (const read of reads) {
      const got = completeBelowTotal([bucketGroup({ e: 'x' }, read)], bounds);
      const want = reference(read, bounds);
      expect(got && bucketsOf(got[0] as BucketGroup)).toEqual(want);
    }
  });

  it('completes the gathered below-total samples as splitting and completing their groups does, in one copy', () => {
    const inf = Number.POSITIVE_INFINITY;
    const joined = (i: number) => `source;ns;w${i};s${i}.ns.svc.cluster.local;ns;s${i};ns`;
    const bounds = [1, 5, 10, inf];
    const sample = (i: number, le: number, value: number): Sample => ({
      labels: { edge: joined(i), le: le === inf ? '+Inf' : String(le) },
      value,
    });
    // Edges interleaved (a group's samples not one run), bounds out of order, a NaN left out.
    const fits = [
      sample(0, inf, 3),
      sample(1, 1, 1),
      sample(0, 5, 2),
      sample(1, inf, 4),
      sample(2, inf, 2),
      sample(0, 1, 1),
      sample(3, 5, Number.NaN),
      sample(3, inf, 1),
    ];
    const misfits = [
      [...fits, sample(4, 7, 1), sample(4, inf, 2)], // a bound the layout lacks
      [...fits, sample(4, 5, 1)], // no total
      [...fits.slice(0, 2), { labels: { edge: 'source;a;web', le: '+Inf' }, value: 1 }], // does not split
    ];
    const reference = (body: Buffer) => {
      const groups = splitJoinedEdges(groupBucketsOfBody(body, 'edge')?.groups ?? []);
      return groups && completeBelowTotal(groups, bounds);
    };
    const views = (groups: BucketGroup[] | undefined) =>
      groups?.map((g) => ({ labels: g.labels, buckets: bucketsOf(g) }));
    for (const samples of [fits, ...misfits, []]) {
      const body = prometheusBody(samples, 1_700_000_000);
      const gathered = gatherBucketsOfBody(body, 'edge');
      if (!gathered) throw new Error('not gathered');
      const got = completeGathered(gathered, bounds);
      const want = reference(body);
      expect(views(got)).toEqual(views(want));
      // The same frozen labels objects (shared between readings), every group a view of one array.
      for (const [i, g] of (got ?? []).entries()) expect(g.labels).toBe(want?.[i]?.labels);
      expect(new Set(got?.map((g) => g.buckets.buffer)).size).toBe(got?.length ? 1 : 0);
    }
    const one = gatherBucketsOfBody(prometheusBody(fits, 1_700_000_000), 'edge');
    const all = one && completeGathered(one, bounds);
    expect(all?.map((g) => bucketsOf(g).map(([, v]) => v))).toEqual([
      [1, 2, 3, 3],
      [1, 4, 4, 4],
      [2, 2, 2, 2],
      [1, 1, 1, 1],
    ]);
  });

  it('does not complete edges that do not fit the bounds', () => {
    const bounds = [5, 10, Number.POSITIVE_INFINITY];
    const inf = Number.POSITIVE_INFINITY;
    // A bound the layout lacks; a gap under the total; no total.
    expect(
      completeBelowTotal(
        [
          {
            labels: {},
            buckets: bucketGroup({}, [
              [7, 1],
              [inf, 2],
            ]).buckets,
          },
        ],
        bounds,
      ),
    ).toBeUndefined();
    expect(
      completeBelowTotal(
        [
          {
            labels: {},
            buckets: bucketGroup({}, [
              [10, 1],
              [inf, 2],
            ]).buckets,
          },
        ],
        bounds,
      ),
    ).toBeUndefined();
    expect(completeBelowTotal([bucketGroup({}, [[5, 1]])], bounds)).toBeUndefined();
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

  it('keeps a detection per key: a pinned time neither takes nor sets the live one, the most recent kept', async () => {
    const present = new Set([0, 2]);
    const probed: number[] = [];
    const detect = cachedDetection(
      async (minute: number) => {
        probed.push(minute);
        return present.has(minute);
      },
      60_000,
      () => 0,
      (minute) => minute,
    );
    expect(await detect(0)).toBe(true);
    expect(await detect(1)).toBe(false);
    expect(await detect(0)).toBe(true);
    expect(await detect(1)).toBe(false);
    expect(probed).toEqual([0, 1]);
    // Past the kept bound, the least recently probed is probed again.
    for (let m = 2; m < 2 + DETECTIONS_KEPT; m++) await detect(m);
    expect(await detect(2)).toBe(true);
    expect(probed.length).toBe(2 + DETECTIONS_KEPT);
    await detect(0);
    expect(probed.length).toBe(3 + DETECTIONS_KEPT);
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

  it('reads the below-total series over the rules window when every edge has the same bounds', async () => {
    const inf = Number.POSITIVE_INFINITY;
    const bounds = [10, 20, 40, inf].map((le) => ({
      labels: { le: le === inf ? '+Inf' : String(le) },
      value: 1,
    }));
    // Dense recorded: half under 10 ms, all under 20 (p50 5). Below total: the 10 ms bucket and the total;
    // completed with 20 and 40 at the total, it gives the same p50 and p99 (19.8).
    const recorded = bucketSamples({ ...edge, rps: 10 }, [10, 20, 40, inf], [5, 10, 10, 10]);
    const belowTotal = bucketSamples({ ...edge, rps: 10 }, [10, inf], [5, 10]).map((b) => ({
      labels: { le: b.labels.le as string, edge: RECORDED_EDGE_LABELS.map((l) => b.labels[l]).join(';') },
      value: b.value,
    }));
    const latency = (r: Awaited<ReturnType<typeof buildGraph>>) =>
      r.ok ? r.graph.elements.edges[0]?.data.latency : undefined;

    const sparse = fakeProm({ recorded, belowTotal, bounds });
    const a = await buildGraph(params, { prometheus: sparse.client, recordedLatency: async () => true });
    expect(latency(a)).toEqual({ p50: 10, p95: 19, p99: 19.8 });
    expect(sparse.asked.some((q) => q.includes(EDGE_LATENCY_BELOW_TOTAL_RECORD))).toBe(true);
    // Read from the answer's bytes (the real client's `instantBody`), not parsed: the same latency.
    const bytes = fakeProm({ recorded, belowTotal, bounds }, true);
    const d = await buildGraph(params, { prometheus: bytes.client, recordedLatency: async () => true });
    expect(latency(d)).toEqual(latency(a));
    expect(bytes.asked.some((q) => q.includes(EDGE_LATENCY_BELOW_TOTAL_RECORD))).toBe(true);
    // (The fake answers the joined rates query with labelled series: that one is parsed, then asked again.)
    expect(bytes.parsed.filter((q) => q.includes(EDGE_LATENCY_BELOW_TOTAL_RECORD))).toEqual([]);
    expect(
      sparse.asked.some((q) => q.startsWith('sum by (le,') && q.includes(`${EDGE_LATENCY_RECORD}{`)),
    ).toBe(false);

    // Bounds differing between edges, or a window the rules do not record: the dense series.
    const mixed = fakeProm({
      recorded,
      belowTotal,
      bounds: [...bounds.slice(0, 3), { labels: { le: '+Inf' }, value: 2 }],
    });
    const b = await buildGraph(params, { prometheus: mixed.client, recordedLatency: async () => true });
    expect(latency(b)).toEqual(latency(a));
    expect(mixed.asked.some((q) => q.includes(`${EDGE_LATENCY_RECORD}{`))).toBe(true);
    const longer = fakeProm({ recorded, belowTotal, bounds });
    await buildGraph(
      { ...params, duration: 120 },
      { prometheus: longer.client, recordedLatency: async () => true },
    );
    expect(longer.asked.some((q) => q.includes('_below_total'))).toBe(false);
    // A window shorter than the rules' own: the raw histogram (the recorded 1 m would not be it).
    const shorter = fakeProm({ recorded, belowTotal, bounds });
    await buildGraph(
      { ...params, duration: 30 },
      { prometheus: shorter.client, recordedLatency: async () => true },
    );
    expect(shorter.asked.some((q) => q.includes(EDGE_LATENCY_RECORD))).toBe(false);
    expect(shorter.asked.some((q) => q.includes('istio_request_duration_milliseconds_bucket{'))).toBe(true);
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

import { describe, expect, it, vi } from 'vitest';
import { fakePrometheus } from './fake-prometheus';
import { bucketsOf, LatencyCache } from './latency-cache';
import { readLatency } from './latency-read';
import { parseGraphParams } from './params';
import { reporterSelections } from './promql';
import {
  BOUNDS_QUERY,
  completeBelowTotal,
  EDGE_LATENCY_BELOW_TOTAL_RECORD,
  EDGE_LATENCY_RECORD,
  RECORDED_EDGE_LABELS,
} from './recording-rules';
import { BOOKINFO, bucketSamples } from './test-samples';

// The completion after the read counted (`completeBelowTotal`), what it does unchanged.
vi.mock('./recording-rules', async (original) => {
  const m = await original<typeof import('./recording-rules')>();
  return { ...m, completeBelowTotal: vi.fn(m.completeBelowTotal) };
});

const RAW = 'istio_request_duration_milliseconds_bucket{';
const DENSE = `${EDGE_LATENCY_RECORD}{`;
const edge = { reporter: 'source' as const, from: BOOKINFO.productpage, service: BOOKINFO.REVIEWS, rps: 1 };
const buckets = bucketSamples(edge, [10, Number.POSITIVE_INFINITY], [1, 1]);

function read(query: string, recorded: boolean, prometheus = fakePrometheus([[RAW, buckets]])) {
  const params = parseGraphParams(new URLSearchParams(`${query}&queryTime=1700000000`));
  if (!params.ok) throw new Error(params.message);
  const deps = { prometheus, recordedLatency: async () => recorded };
  const sel = reporterSelections([]);
  return {
    prometheus,
    result: readLatency({ params: params.value, deps, sel, callers: async () => [] }, 1_700_000_000),
  };
}

describe('latency read', () => {
  it('reads the raw histogram without the recording rules; no destination read without such callers', async () => {
    const { prometheus, result } = await read('duration=60s', false);
    const r = await result;
    expect(r.ok && r.value?.groups).toHaveLength(1);
    expect(prometheus.asked).toHaveLength(1);
    expect(prometheus.asked[0]).toContain(RAW);
  });

  it('reads a window shorter than the rules record from the raw histogram, rules or not', async () => {
    const { prometheus, result } = await read('duration=30s', true);
    await result;
    expect(prometheus.asked.every((q) => q.includes(RAW))).toBe(true);
  });

  it('with the rules: the below-total series first, then the dense recorded ones, then raw', async () => {
    const empty = await read('duration=60s', true, fakePrometheus([[RAW, buckets]]));
    const r = await empty.result;
    expect(r.ok && r.value?.groups).toHaveLength(1);
    expect(
      empty.prometheus.asked.map((q) => (q.includes(RAW) ? 'raw' : q.includes(DENSE) ? 'dense' : 'below')),
    ).toEqual(expect.arrayContaining(['below', 'dense', 'raw']));
    const dense = await read('duration=60s', true, fakePrometheus([[DENSE, buckets]]));
    await dense.result;
    expect(dense.prometheus.asked.some((q) => q.includes(EDGE_LATENCY_BELOW_TOTAL_RECORD))).toBe(true);
    expect(dense.prometheus.asked.some((q) => q.includes(RAW))).toBe(false);
  });

  it('reads nothing when latency is not asked for, and a failed read is an error value', async () => {
    const off = await read('duration=60s&latency=false', false);
    expect(await off.result).toEqual({ ok: true, value: undefined });
    expect(off.prometheus.asked).toEqual([]);
    const down = await read('duration=60s', false, fakePrometheus([[RAW, { error: 'boom' }]]));
    expect(await down.result).toMatchObject({ ok: false, error: { message: 'boom' } });
  });

  it('groups the below-total answer from its bytes as from its samples, with callers only their destination reports or none', async () => {
    const inf = Number.POSITIVE_INFINITY;
    const joined = (samples: ReturnType<typeof bucketSamples>) =>
      samples.map((b) => ({
        labels: {
          edge: RECORDED_EDGE_LABELS.map((l) => b.labels[l] ?? '').join(';'),
          le: b.labels.le as string,
        },
        value: b.value,
      }));
    const below = [
      ...joined(bucketSamples(edge, [10, inf], [1, 2])),
      ...joined(bucketSamples({ ...edge, service: BOOKINFO.RATINGS }, [inf], [3])),
    ];
    const destinationBelow = joined(bucketSamples({ ...edge, reporter: 'destination' }, [10, inf], [0.5, 2]));
    const bounds = [
      { labels: { le: '10' }, value: 3 },
      { labels: { le: '20' }, value: 3 },
      { labels: { le: '+Inf' }, value: 3 },
    ];
    const latency = async (withBody: boolean, callers: string[] | undefined) => {
      const fake = fakePrometheus([
        [`${EDGE_LATENCY_BELOW_TOTAL_RECORD}{edge=~"destination;`, destinationBelow],
        [EDGE_LATENCY_BELOW_TOTAL_RECORD, below],
        [BOUNDS_QUERY, bounds],
      ]);
      const prometheus = withBody ? fake : { ...fake, instantBody: undefined };
      const params = parseGraphParams(new URLSearchParams('duration=60s&queryTime=1700000000'));
      if (!params.ok) throw new Error(params.message);
      const deps = { prometheus, recordedLatency: async () => true };
      const sel = reporterSelections([]);
      const r = await readLatency(
        { params: params.value, deps, sel, callers: async () => callers },
        1_700_000_000,
      );
      return { r, asked: fake.asked.filter((q) => q.includes(EDGE_LATENCY_BELOW_TOTAL_RECORD)).length };
    };
    for (const callers of [[], ['productpage-v1'], undefined]) {
      const fast = await latency(true, callers);
      const parsed = await latency(false, callers);
      expect(fast.r.ok && fast.r.value?.groups.length).toBeGreaterThan(1);
      expect(fast).toEqual(parsed);
      expect(fast.asked).toBe(callers?.length === 0 ? 1 : 2);
    }
  });

  it('completes the below-total buckets as they are read when the bounds landed first, as it completes them after', async () => {
    const inf = Number.POSITIVE_INFINITY;
    const below = [
      ...bucketSamples(edge, [10, inf], [1, 2]),
      ...bucketSamples({ ...edge, service: BOOKINFO.RATINGS }, [inf], [3]),
    ].map((b) => ({
      labels: {
        edge: RECORDED_EDGE_LABELS.map((l) => b.labels[l] ?? '').join(';'),
        le: b.labels.le as string,
      },
      value: b.value,
    }));
    const bounds = [
      { labels: { le: '10' }, value: 2 },
      { labels: { le: '20' }, value: 2 },
      { labels: { le: '+Inf' }, value: 2 },
    ];
    const later = <T>(p: Promise<T>) => p.then((v) => new Promise<T>((r) => setTimeout(() => r(v), 5)));
    const latency = async (boundsFirst: boolean) => {
      const fake = fakePrometheus([
        [EDGE_LATENCY_BELOW_TOTAL_RECORD, below],
        [BOUNDS_QUERY, bounds],
      ]);
      const body = fake.instantBody;
      if (!body) throw new Error('the fake answers bodies');
      const prometheus = {
        ...fake,
        instant: (q: string, t: number) => (boundsFirst ? fake.instant(q, t) : later(fake.instant(q, t))),
        instantBody: (q: string, t: number) => (boundsFirst ? later(body(q, t)) : body(q, t)),
      };
      const params = parseGraphParams(new URLSearchParams('duration=60s&queryTime=1700000000'));
      if (!params.ok) throw new Error(params.message);
      const deps = { prometheus, recordedLatency: async () => true };
      vi.mocked(completeBelowTotal).mockClear();
      const r = await readLatency(
        { params: params.value, deps, sel: reporterSelections([]), callers: async () => [] },
        1_700_000_000,
      );
      return { r, completedAfter: vi.mocked(completeBelowTotal).mock.calls.length };
    };
    const first = await latency(true);
    const after = await latency(false);
    expect([first.completedAfter, after.completedAfter]).toEqual([0, 1]);
    expect(first.r).toEqual(after.r);
    expect(first.r.ok && first.r.value?.groups.map((g) => bucketsOf(g))).toEqual([
      [
        [10, 1],
        [20, 2],
        [inf, 2],
      ],
      [
        [10, 3],
        [20, 3],
        [inf, 3],
      ],
    ]);
  });

  it("sends the below-total read beside the rules' probe when the probe is a round trip, and uses it only with the rules", async () => {
    const inf = Number.POSITIVE_INFINITY;
    const below = bucketSamples(edge, [10, inf], [1, 2]).map((b) => ({
      labels: {
        edge: RECORDED_EDGE_LABELS.map((l) => b.labels[l] ?? '').join(';'),
        le: b.labels.le as string,
      },
      value: b.value,
    }));
    const bounds = [
      { labels: { le: '10' }, value: 1 },
      { labels: { le: '+Inf' }, value: 1 },
    ];
    for (const present of [true, false]) {
      const prometheus = fakePrometheus([
        [EDGE_LATENCY_BELOW_TOTAL_RECORD, below],
        [BOUNDS_QUERY, bounds],
        [RAW, buckets],
      ]);
      let answer: (v: boolean) => void = () => {};
      const probe = new Promise<boolean>((resolve) => {
        answer = resolve;
      });
      const params = parseGraphParams(new URLSearchParams('duration=60s&queryTime=1700000000'));
      if (!params.ok) throw new Error(params.message);
      const deps = { prometheus, recordedLatency: () => probe };
      const result = readLatency(
        { params: params.value, deps, sel: reporterSelections([]), callers: async () => [] },
        1_700_000_000,
      );
      // The probe not answered yet: the below-total read and the bounds are already asked.
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(prometheus.asked.some((q) => q.includes(EDGE_LATENCY_BELOW_TOTAL_RECORD))).toBe(true);
      expect(prometheus.asked).toContain(BOUNDS_QUERY);
      answer(present);
      const r = await result;
      // With the rules the below-total answer (total 2); without, the raw histogram's (total 1), read after the probe.
      expect(r.ok && r.value?.groups.map((g) => bucketsOf(g))).toEqual([
        [
          [10, 1],
          [inf, present ? 2 : 1],
        ],
      ]);
      expect(prometheus.asked.some((q) => q.includes(RAW))).toBe(!present);
    }
  });

  it('reads through the cache with the latency client (its own timeout), on the request path with the graph one', async () => {
    const params = parseGraphParams(new URLSearchParams('duration=60s'));
    if (!params.ok) throw new Error(params.message);
    const sel = reporterSelections([]);
    const graphClient = fakePrometheus([[RAW, buckets]]);
    const latencyClient = fakePrometheus([[RAW, buckets]]);
    const deps = {
      prometheus: graphClient,
      latencyPrometheus: latencyClient,
      recordedLatency: async () => false,
    };
    const cached = await readLatency(
      {
        params: params.value,
        deps: { ...deps, latencyCache: new LatencyCache() },
        sel,
        callers: async () => [],
      },
      1_700_000_000,
    );
    expect(cached.ok && cached.value?.groups).toHaveLength(1);
    expect([graphClient.asked.length, latencyClient.asked.length]).toEqual([0, 1]);
    await readLatency({ params: params.value, deps, sel, callers: async () => [] }, 1_700_000_000);
    expect([graphClient.asked.length, latencyClient.asked.length]).toEqual([1, 1]);
  });
});

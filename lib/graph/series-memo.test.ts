import { describe, expect, it } from 'vitest';
import { JOIN_SEPARATOR, REQUEST_JOINED, REQUEST_LABELS, splitJoinedRequests } from './promql';
import { type Sample, toRequestSeries } from './series';
import { GenerationalMemo } from './series-memo';
import { BOOKINFO, requestSample } from './test-samples';
import { trafficMap } from './traffic-map';

const { productpage, reviewsV1, REVIEWS } = BOOKINFO;

/** A request sample as `joinedRequestRateQuery` answers it: its labels joined into one. */
function joined(s: Sample): Sample {
  const value = REQUEST_LABELS.map((l) => s.labels[l] ?? '').join(JOIN_SEPARATOR);
  return { labels: { [REQUEST_JOINED]: value }, value: s.value };
}

describe('generational memo', () => {
  it('makes each value once, keeps at most its bound, and drops what no one asked for in a generation', () => {
    const made: string[] = [];
    const memo = new GenerationalMemo<string, string>(4);
    const get = (k: string) =>
      memo.get(k, (key) => {
        made.push(key);
        return key.toUpperCase();
      });
    expect([get('a'), get('b'), get('a')]).toEqual(['A', 'B', 'A']);
    expect(made).toEqual(['a', 'b']);
    for (const k of ['c', 'd', 'e', 'f', 'g']) get(k);
    expect(memo.size).toBeLessThanOrEqual(4);
    get('a');
    expect(made.filter((k) => k === 'a')).toHaveLength(2);
  });

  it('keeps nothing with a bound of 0, and answers undefined values as kept ones', () => {
    let calls = 0;
    const none = new GenerationalMemo<string, number>(0);
    none.get('a', () => ++calls);
    none.get('a', () => ++calls);
    expect([calls, none.size]).toEqual([2, 0]);
    const memo = new GenerationalMemo<string, undefined>(4);
    memo.get('x', () => void calls++);
    memo.get('x', () => void calls++);
    expect(calls).toBe(3);
  });
});

describe('request series kept between graphs', () => {
  const sample = requestSample({
    reporter: 'source',
    from: productpage,
    to: reviewsV1,
    service: REVIEWS,
    rps: 3,
  });

  it('splits a label string once: the same (frozen) labels object each time, the rates of each answer', () => {
    const a = splitJoinedRequests([joined(sample)]);
    const b = splitJoinedRequests([{ ...joined(sample), value: 5 }]);
    // Empty values are left out, as Prometheus leaves out an empty label.
    expect(a?.[0]?.labels).toEqual(
      Object.fromEntries(Object.entries(sample.labels).filter(([, v]) => v !== '')),
    );
    expect(b?.[0]?.labels).toBe(a?.[0]?.labels);
    expect(Object.isFrozen(a?.[0]?.labels)).toBe(true);
    expect([a?.[0]?.value, b?.[0]?.value]).toEqual([3, 5]);
  });

  it('reads shared labels as it reads fresh ones, with each sample its own rate', () => {
    const [shared] = splitJoinedRequests([joined(sample)]) ?? [];
    expect(toRequestSeries(shared as Sample)).toEqual(toRequestSeries(sample));
    expect(toRequestSeries({ labels: (shared as Sample).labels, value: 7 })?.rps).toBe(7);
    expect(toRequestSeries({ labels: (shared as Sample).labels, value: Number.NaN })).toBeUndefined();
  });

  it('gives the same graph from shared labels, whatever graph type asked for them before', () => {
    const fresh = (graphType: 'versionedApp' | 'workload' | 'service') =>
      trafficMap({ graphType, injectServiceNodes: true, requests: [sample], keepHops: false });
    const shared = (graphType: 'versionedApp' | 'workload' | 'service') =>
      trafficMap({
        graphType,
        injectServiceNodes: true,
        requests: splitJoinedRequests([joined(sample)]) ?? [],
        keepHops: false,
      });
    for (const t of ['versionedApp', 'workload', 'service', 'versionedApp'] as const) {
      expect([...shared(t).edges.keys()]).toEqual([...fresh(t).edges.keys()]);
      expect([...shared(t).nodes.keys()]).toEqual([...fresh(t).nodes.keys()]);
    }
  });
});

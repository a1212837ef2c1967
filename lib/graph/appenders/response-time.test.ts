import { describe, expect, it } from 'vitest';
import { bucketGroup, bucketsOf, groupBuckets, LatencyCache } from '../latency-cache';
import { BOOKINFO, bucketSamples, type EdgeSpec, mapOf, requestSample } from '../test-samples';
import { appendResponseTime, prepareResponseTimeMap } from './response-time';

const { productpage, reviewsV1, ratings, REVIEWS, RATINGS } = BOOKINFO;
const INF = Number.POSITIVE_INFINITY;

describe('response time appender', () => {
  const src: EdgeSpec = { reporter: 'source', from: productpage, to: reviewsV1, service: REVIEWS, rps: 10 };
  const dst: EdgeSpec = { ...src, reporter: 'destination' };

  it("takes the chosen reporter's buckets, along the series' hops kept by the walk or walked again", () => {
    const groups = groupBuckets([
      ...bucketSamples(src, [10, 100, INF], [5, 10, 10]),
      // The destination's own (faster) view of the same edge is not mixed in.
      ...bucketSamples(dst, [10, 100, INF], [10, 10, 10]),
    ]);
    for (const keepHops of [true, false]) {
      const m = mapOf([src, dst], { keepHops });
      appendResponseTime(m, groups);
      expect(m.edges.get('app:bookinfo:productpage:v1->svc:bookinfo:reviews')?.latency).toEqual({
        p50: 10,
        p95: 91,
        p99: 98.2,
      });
      expect(m.nodes.get('app:bookinfo:reviews:v1')?.latency?.p50).toBe(10);
      // The caller's own latency is that of its inbound requests: none.
      expect(m.nodes.get('app:bookinfo:productpage:v1')?.latency).toEqual({});
    }
  });

  it('merges histograms with different bounds on one axis, a bound none had left out', () => {
    const a: EdgeSpec = { reporter: 'source', from: productpage, to: ratings, service: RATINGS, rps: 2 };
    const b: EdgeSpec = { ...a, from: reviewsV1 };
    const m = mapOf([a, b], { keepHops: true });
    appendResponseTime(
      m,
      groupBuckets([
        ...bucketSamples(a, [10, 50, INF], [1, 2, 2]),
        ...bucketSamples(b, [10, 100, INF], [0, 2, 2]),
      ]),
    );
    // Merged: ≤10: 1, ≤50: 2 (a's only), ≤100: 2, +Inf: 4 — the median (rank 2) at 50 ms.
    const node = m.nodes.get('app:bookinfo:ratings:v1');
    expect(node?.latency?.p50).toBe(50);
    const hist = node?.buckets;
    expect(hist?.present.subarray(hist.at, hist.at + 4)).toEqual(new Uint8Array([1, 1, 1, 1]));
  });

  it('gives a graph over the same reading and the same shared series the latency it gave the one before', () => {
    const other: EdgeSpec = { reporter: 'source', from: reviewsV1, to: ratings, service: RATINGS, rps: 3 };
    // Shared labels (frozen, as the series memo keeps them), the same objects in every poll's answer.
    const shared = [src, dst, other].map((e) => {
      const s = requestSample(e);
      return { labels: Object.freeze({ ...s.labels }), value: s.value };
    });
    const groups = groupBuckets([
      ...bucketSamples(src, [10, 100, INF], [5, 10, 10]),
      ...bucketSamples(other, [10, 100, INF], [1, 3, 3]),
    ]);
    const build = (requests: typeof shared) => {
      const m = mapOf([], { requests, keepHops: true });
      appendResponseTime(m, groups);
      return m;
    };
    const latencies = (m: ReturnType<typeof build>) => ({
      nodes: Object.fromEntries([...m.nodes].map(([id, n]) => [id, n.latency])),
      edges: Object.fromEntries([...m.edges].map(([id, e]) => [id, e.latency])),
    });
    const first = build(shared);
    // Rates moved (another poll): the same series, the same hops.
    const second = build(shared.map((s) => ({ labels: s.labels, value: s.value * 2 })));
    expect(latencies(second)).toEqual(latencies(first));
    const edgeId = 'app:bookinfo:productpage:v1->svc:bookinfo:reviews';
    expect(second.edges.get(edgeId)?.latency).toBe(first.edges.get(edgeId)?.latency); // kept, not merged again
    expect(second.edges.get(edgeId)?.buckets).toBeUndefined();
    // The same series in elements met in another order (kept by place, found by id where the place differs).
    const reordered = mapOf([], { requests: shared, keepHops: true });
    for (const m of [reordered.nodes, reordered.edges] as Map<string, unknown>[]) {
      const [firstId, firstElement] = [...m][0] as [string, unknown];
      m.delete(firstId);
      m.set(firstId, firstElement);
    }
    appendResponseTime(reordered, groups);
    expect(reordered.edges.get(edgeId)?.buckets).toBeUndefined();
    expect(latencies(reordered)).toEqual(latencies(first));
    // One series idle now: drawn differently, merged again (ratings gets no latency).
    const third = build(shared.map((s, i) => ({ labels: s.labels, value: i === 2 ? 0 : s.value })));
    expect(third.nodes.get('app:bookinfo:ratings:v1')).toBeUndefined();
    expect(third.edges.get(edgeId)?.latency).toEqual(first.edges.get(edgeId)?.latency);
    expect(third.edges.get(edgeId)?.buckets).toBeDefined();
    // Fresh (unshared) labels are never taken for the same series.
    const fresh = build(shared.map((s) => ({ labels: { ...s.labels }, value: s.value })));
    expect(fresh.edges.get(edgeId)?.buckets).toBeDefined();
    expect(latencies(fresh)).toEqual(latencies(first));
  });

  it("keeps a pinned time's latencies with its reading at its second merge, a live view's at its first", async () => {
    const s = requestSample(src);
    const shared = [{ labels: Object.freeze({ ...s.labels }), value: s.value }];
    const read = async () => ({
      ok: true as const,
      value: groupBuckets(bucketSamples(src, [10, 100, INF], [5, 10, 10])),
    });
    const cache = new LatencyCache();
    const pinned = await cache.get('view', 100, true, read);
    const live = await cache.get('view', 100, false, read);
    if (!pinned.ok || !live.ok) throw new Error('no reading');
    const build = (groups: typeof pinned.value.groups) => {
      const m = mapOf([], { requests: shared, keepHops: true });
      appendResponseTime(m, groups);
      return m.edges.get('app:bookinfo:productpage:v1->svc:bookinfo:reviews');
    };
    // A pinned time's reading: merged at its first graph and its second (kept then), answered from it after.
    const [p1, p2, p3] = [1, 2, 3].map(() => build(pinned.value.groups));
    expect(p2?.buckets).toBeDefined();
    expect(p3?.buckets).toBeUndefined();
    expect(p3?.latency).toBe(p2?.latency);
    expect(p3?.latency).toEqual(p1?.latency);
    expect(p1?.latency?.p50).toBeDefined();
    // A live view's reading: kept at its first merge.
    const [l1, l2] = [1, 2].map(() => build(live.value.groups));
    expect(l2?.buckets).toBeUndefined();
    expect(l2?.latency).toBe(l1?.latency);
  });

  it('ignores buckets of a reporter not chosen for their edge, and buckets of edges not drawn', () => {
    const m = mapOf([src]);
    const ghost: EdgeSpec = { ...src, to: ratings, service: RATINGS };
    appendResponseTime(
      m,
      groupBuckets([
        ...bucketSamples(dst, [10, INF], [1, 1]),
        ...bucketSamples({ ...ghost, reporter: 'destination' }, [10, INF], [1, 1]),
      ]),
    );
    for (const e of m.edges.values()) expect(e.latency).toEqual({});
    for (const n of m.nodes.values()) expect(n.latency).toEqual({});
  });

  it('gives what the general merge gives when every group has the bounds in order and the map was prepared first', () => {
    const other: EdgeSpec = { reporter: 'source', from: reviewsV1, to: ratings, service: RATINGS, rps: 3 };
    // An edge not drawn: its buckets count nowhere, with or without a prepared map.
    const undrawn: EdgeSpec = { ...other, from: productpage, to: BOOKINFO.reviewsV2 };
    const les = [10, 25, 100, 250, INF];
    // A completed below-total reading: every group has every bound, in order (`completeBelowTotal`).
    const groups = groupBuckets([
      ...bucketSamples(src, les, [1, 5, 9, 10, 10]),
      ...bucketSamples(dst, les, [4, 6, 10, 10, 10]),
      ...bucketSamples(other, les, [0, 1, 2, 3, 3]),
      ...bucketSamples(undrawn, les, [2, 2, 2, 2, 2]),
    ]);
    // The same buckets, each group's bounds in reverse (the merge then finds each bound's place on the axis).
    const reversed = groups.map((g) => bucketGroup(g.labels, bucketsOf(g).reverse()));
    const latencyOf = (m: ReturnType<typeof mapOf>) => ({
      nodes: [...m.nodes.values()].map((n) => [n.spec.id, n.latency]),
      edges: [...m.edges.values()].map((e) => [e.id, e.latency]),
    });
    const general = mapOf([src, dst, other]);
    appendResponseTime(general, reversed);
    const prepared = mapOf([src, dst, other]);
    prepareResponseTimeMap(prepared);
    appendResponseTime(prepared, groups);
    const plain = mapOf([src, dst, other]);
    appendResponseTime(plain, groups);
    expect(latencyOf(general).edges).toContainEqual([
      'app:bookinfo:productpage:v1->svc:bookinfo:reviews',
      { p50: 25, p95: 175, p99: 235 },
    ]);
    expect(latencyOf(prepared)).toEqual(latencyOf(general));
    expect(latencyOf(plain)).toEqual(latencyOf(general));
  });
});

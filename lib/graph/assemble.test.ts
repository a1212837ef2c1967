import { describe, expect, it } from 'vitest';
import { histogramQuantile } from './histogram';
import { LATENCY_EDGE_LABELS } from './promql';
import { assembleSamples, bucketSamples, type EdgeSpec, requestSample, type Side } from './test-samples';

const productpage: Side = { ns: 'bookinfo', wl: 'productpage-v1', app: 'productpage', version: 'v1' };
const reviewsV1: Side = { ns: 'bookinfo', wl: 'reviews-v1', app: 'reviews', version: 'v1' };
const reviewsV2: Side = { ns: 'bookinfo', wl: 'reviews-v2', app: 'reviews', version: 'v2' };
const ratings: Side = { ns: 'bookinfo', wl: 'ratings-v1', app: 'ratings', version: 'v1' };
const REVIEWS = 'reviews.bookinfo.svc.cluster.local';
const RATINGS = 'ratings.bookinfo.svc.cluster.local';
const PRODUCTPAGE = 'productpage.bookinfo.svc.cluster.local';

function build(edges: EdgeSpec[], over: Partial<Parameters<typeof assembleSamples>[0]> = {}) {
  return assembleSamples({
    graphType: 'versionedApp',
    injectServiceNodes: true,
    namespaces: [],
    requests: edges.map(requestSample),
    latencyBuckets: [],
    ...over,
  });
}
const node = (g: ReturnType<typeof build>, id: string) => g.nodes.find((n) => n.id === id);
const edge = (g: ReturnType<typeof build>, id: string) => g.edges.find((e) => e.id === id);

describe('reporter handling', () => {
  it('counts each request once: source-reported where the caller reports, not both', () => {
    const g = build([
      { reporter: 'source', from: productpage, to: reviewsV1, service: REVIEWS, rps: 4 },
      { reporter: 'destination', from: productpage, to: reviewsV1, service: REVIEWS, rps: 3.9 },
    ]);
    const e = edge(g, 'app:bookinfo:productpage:v1->svc:bookinfo:reviews');
    expect(e?.rps).toBe(4);
    expect(e?.reporter).toBe('source');
    expect(node(g, 'app:bookinfo:reviews:v1')?.rpsIn).toBe(4);
  });

  it('keeps failures only the caller saw (UH never reached a workload) in the source-reported numbers', () => {
    const g = build([
      { reporter: 'source', from: reviewsV1, to: ratings, service: RATINGS, rps: 9 },
      { reporter: 'source', from: reviewsV1, service: RATINGS, code: '503', flags: 'UH', rps: 1 },
      { reporter: 'destination', from: reviewsV1, to: ratings, service: RATINGS, rps: 9 },
    ]);
    const e = edge(g, 'app:bookinfo:reviews:v1->svc:bookinfo:ratings');
    expect(e?.rps).toBe(10);
    expect(e?.errorRate).toBeCloseTo(0.1);
    expect(e?.traffic.responses['503']?.flags).toEqual({ UH: 10 });
    expect(e?.health).toBe('failure');
    // The UH requests end at the service node; only the 9 that arrived go on to the workload.
    expect(edge(g, 'svc:bookinfo:ratings->app:bookinfo:ratings:v1')?.rps).toBe(9);
    expect(node(g, 'svc:bookinfo:ratings')?.rpsIn).toBe(10);
  });

  it('falls back to destination-reported series for an edge whose caller reports nothing (Kiali drops it)', () => {
    const g = build([
      { reporter: 'destination', from: productpage, to: reviewsV2, service: REVIEWS, rps: 2 },
    ]);
    const e = edge(g, 'app:bookinfo:productpage:v1->svc:bookinfo:reviews');
    expect(e?.rps).toBe(2);
    expect(e?.reporter).toBe('destination');
    expect(e?.isMTLS).toBe(100);
  });

  it('draws traffic from outside the mesh as an unknown source', () => {
    const g = build([{ reporter: 'destination', to: productpage, service: PRODUCTPAGE, rps: 5 }]);
    expect(node(g, 'unknown')).toMatchObject({ nodeType: 'unknown', isRoot: true, rpsOut: 5 });
    expect(edge(g, 'unknown->svc:bookinfo:productpage')?.rps).toBe(5);
  });
});

describe('graph types', () => {
  const traffic: EdgeSpec[] = [
    { reporter: 'source', from: productpage, to: reviewsV1, service: REVIEWS, rps: 3 },
    { reporter: 'source', from: productpage, to: reviewsV2, service: REVIEWS, rps: 1 },
    { reporter: 'source', from: reviewsV2, to: ratings, service: RATINGS, rps: 1 },
  ];

  it('versionedApp: versions in app boxes, with the service node in its app box', () => {
    const g = build(traffic);
    expect(node(g, 'box:bookinfo:reviews')).toMatchObject({ nodeType: 'box', isBox: 'app', app: 'reviews' });
    expect(node(g, 'app:bookinfo:reviews:v2')).toMatchObject({
      nodeType: 'app',
      app: 'reviews',
      version: 'v2',
      workload: 'reviews-v2',
      parent: 'box:bookinfo:reviews',
      destServices: [{ namespace: 'bookinfo', name: 'reviews' }],
    });
    expect(node(g, 'svc:bookinfo:reviews')).toMatchObject({
      nodeType: 'service',
      parent: 'box:bookinfo:reviews',
    });
    expect(edge(g, 'svc:bookinfo:reviews->app:bookinfo:reviews:v1')?.percentReq).toBe(75);
    expect(edge(g, 'app:bookinfo:productpage:v1->svc:bookinfo:reviews')?.percentReq).toBe(100);
    expect(node(g, 'app:bookinfo:productpage:v1')?.isRoot).toBe(true);
  });

  it('app: one node per app, no versions, no boxes', () => {
    const g = build(traffic, { graphType: 'app' });
    expect(g.nodes.map((n) => n.id)).toEqual([
      'app:bookinfo:productpage',
      'app:bookinfo:ratings',
      'app:bookinfo:reviews',
      'svc:bookinfo:ratings',
      'svc:bookinfo:reviews',
    ]);
    expect(edge(g, 'svc:bookinfo:reviews->app:bookinfo:reviews')?.rps).toBe(4);
  });

  it('workload: one node per workload', () => {
    const g = build(traffic, { graphType: 'workload', injectServiceNodes: false });
    expect(g.edges.map((e) => e.id)).toEqual([
      'wl:bookinfo:productpage-v1->wl:bookinfo:reviews-v1',
      'wl:bookinfo:productpage-v1->wl:bookinfo:reviews-v2',
      'wl:bookinfo:reviews-v2->wl:bookinfo:ratings-v1',
    ]);
  });

  it('service: services only, callers drawn as their service', () => {
    const g = build(
      [...traffic, { reporter: 'destination', to: productpage, service: PRODUCTPAGE, rps: 4 }],
      { graphType: 'service' },
    );
    expect(g.edges.map((e) => e.id)).toEqual([
      'svc:bookinfo:productpage->svc:bookinfo:reviews',
      'svc:bookinfo:reviews->svc:bookinfo:ratings',
      'unknown->svc:bookinfo:productpage',
    ]);
  });
});

describe('external services and namespaces', () => {
  it('draws a ServiceEntry host as a service node in the caller namespace', () => {
    const curl: Side = { ns: 'test-ext-svc', wl: 'curl', app: 'curl' };
    const g = build([
      { reporter: 'source', from: curl, service: 'httpbin.org', rps: 1 },
      { reporter: 'source', from: curl, service: 'httpbin.org', code: '504', flags: 'UT', rps: 1 },
    ]);
    expect(node(g, 'svc:test-ext-svc:httpbin.org')).toMatchObject({
      nodeType: 'service',
      service: 'httpbin.org',
      serviceHost: 'httpbin.org',
      isServiceEntry: 'MESH_EXTERNAL',
      health: 'failure',
    });
    expect(edge(g, 'app:test-ext-svc:curl:latest->svc:test-ext-svc:httpbin.org')?.traffic.responses).toEqual({
      '200': { flags: { '-': 50 }, hosts: { 'httpbin.org': 50 } },
      '504': { flags: { UT: 50 }, hosts: { 'httpbin.org': 50 } },
    });
  });

  it('draws a ServiceEntry host declared in a namespace (not a cluster FQDN) as external', () => {
    const g = build([{ reporter: 'source', from: ratings, service: 'ratings-db.example.com', rps: 1 }]);
    const n = g.nodes.find((x) => x.serviceHost === 'ratings-db.example.com');
    expect(n?.isServiceEntry).toBe('MESH_EXTERNAL');
  });

  it('leaves out idle series unless asked for', () => {
    const idle: EdgeSpec[] = [
      { reporter: 'source', from: productpage, to: reviewsV1, service: REVIEWS, rps: 1 },
      { reporter: 'source', from: productpage, to: reviewsV2, service: REVIEWS, rps: 0 },
      {
        reporter: 'source',
        from: productpage,
        to: reviewsV1,
        service: REVIEWS,
        code: '503',
        flags: 'URX',
        rps: 0,
      },
    ];
    const g = build(idle);
    expect(node(g, 'app:bookinfo:reviews:v2')).toBeUndefined();
    expect(edge(g, 'app:bookinfo:productpage:v1->svc:bookinfo:reviews')?.traffic.responses).toEqual({
      '200': { flags: { '-': 100 }, hosts: { [REVIEWS]: 100 } },
    });
    expect(
      edge(build(idle, { includeIdleEdges: true }), 'svc:bookinfo:reviews->app:bookinfo:reviews:v2')?.rps,
    ).toBe(0);
  });

  it('marks nodes of namespaces not asked for as outside', () => {
    const web: Side = { ns: 'web', wl: 'frontend', app: 'frontend', version: 'v1' };
    const g = build([{ reporter: 'source', from: web, to: reviewsV1, service: REVIEWS, rps: 1 }], {
      namespaces: ['bookinfo'],
    });
    expect(node(g, 'app:web:frontend:v1')?.isOutside).toBe(true);
    expect(node(g, 'app:bookinfo:reviews:v1')?.isOutside).toBeUndefined();
  });
});

describe('latency', () => {
  it("computes p50/p95/p99 per edge and per node from the chosen reporter's 2xx buckets", () => {
    const src: EdgeSpec = { reporter: 'source', from: productpage, to: reviewsV1, service: REVIEWS, rps: 10 };
    const dst: EdgeSpec = { ...src, reporter: 'destination' };
    const les = [10, 100, 1000, Number.POSITIVE_INFINITY];
    const g = build([src, dst], {
      latencyBuckets: [
        ...bucketSamples(src, les, [5, 10, 10, 10]),
        ...bucketSamples(dst, les, [10, 10, 10, 10]),
      ],
    });
    const e = edge(g, 'app:bookinfo:productpage:v1->svc:bookinfo:reviews');
    expect(e?.latency.p50).toBe(10);
    expect(e?.latency.p95).toBe(91);
    expect(e?.responseTime).toBe(91);
    expect(node(g, 'app:bookinfo:reviews:v1')?.latency.p50).toBe(10);
  });

  it('places buckets that carry only the edge-telling labels by their request series (apps, versions)', () => {
    const src: EdgeSpec = { reporter: 'source', from: productpage, to: reviewsV2, service: REVIEWS, rps: 10 };
    const keep = new Set(['le', ...LATENCY_EDGE_LABELS]);
    const slim = bucketSamples(src, [10, 100, Number.POSITIVE_INFINITY], [5, 10, 10]).map((b) => ({
      labels: Object.fromEntries(Object.entries(b.labels).filter(([k]) => keep.has(k))),
      value: b.value,
    }));
    const g = build([src, { ...src, code: '503', rps: 1 }], { latencyBuckets: slim });
    expect(edge(g, 'app:bookinfo:productpage:v1->svc:bookinfo:reviews')?.latency.p50).toBe(10);
    // The called workload's app and version come from the request series: its versioned node gets them.
    expect(node(g, 'app:bookinfo:reviews:v2')?.latency.p50).toBe(10);
  });

  it("merges the callers' buckets into the called node's latency, bound by bound", () => {
    const fromPage: EdgeSpec = {
      reporter: 'source',
      from: productpage,
      to: ratings,
      service: RATINGS,
      rps: 2,
    };
    const fromReviews: EdgeSpec = { ...fromPage, from: reviewsV2 };
    const g = build([fromPage, fromReviews], {
      latencyBuckets: [
        // 1 of 2 within 10 ms from productpage; none of 2 from reviews (which has no 50 ms bound).
        ...bucketSamples(fromPage, [10, 50, Number.POSITIVE_INFINITY], [1, 2, 2]),
        ...bucketSamples(fromReviews, [10, 100, Number.POSITIVE_INFINITY], [0, 2, 2]),
      ],
    });
    // Merged: ≤10: 1, ≤50: 2 (productpage's only), ≤100: 2, +Inf: 4. The median (rank 2) is at 50 ms —
    // what Prometheus' histogram_quantile gives over the summed buckets.
    const merged = new Map([
      [10, 1],
      [50, 2],
      [100, 2],
      [Number.POSITIVE_INFINITY, 4],
    ]);
    expect(node(g, 'app:bookinfo:ratings:v1')?.latency.p50).toBe(histogramQuantile(0.5, merged));
    expect(node(g, 'app:bookinfo:ratings:v1')?.latency.p50).toBe(50);
    // Each edge keeps its own.
    expect(edge(g, 'app:bookinfo:reviews:v2->svc:bookinfo:ratings')?.latency.p50).toBe(55);
  });
});

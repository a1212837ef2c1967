import { describe, expect, it } from 'vitest';
import type { Sample } from './series';
import { BOOKINFO, mapOf, requestSample } from './test-samples';
import { type TrafficMap, trafficMap } from './traffic-map';

const { productpage, reviewsV1, reviewsV2, REVIEWS } = BOOKINFO;
const traffic = [
  { reporter: 'source' as const, from: productpage, to: reviewsV1, service: REVIEWS, rps: 3 },
  { reporter: 'source' as const, from: productpage, to: reviewsV2, service: REVIEWS, code: '503', rps: 1 },
  { reporter: 'destination' as const, from: productpage, to: reviewsV1, service: REVIEWS, rps: 3 },
];

describe('traffic map', () => {
  it('walks each chosen series along its path: outbound at the caller and every hop before the last', () => {
    const m = mapOf(traffic);
    expect(m.nodes.get('app:bookinfo:productpage:v1')?.out).toBe(4);
    // The service passes its requests on: they are its outbound too (percentReq of its edges).
    expect(m.nodes.get('svc:bookinfo:reviews')?.out).toBe(4);
    expect(m.nodes.get('svc:bookinfo:reviews')?.inbound).toEqual({
      total: 4,
      http4xx: 0,
      http5xx: 1,
      noResponse: 0,
    });
    expect(m.nodes.get('app:bookinfo:reviews:v2')?.codes.get('503')?.hosts.get(REVIEWS)).toBe(1);
    expect([...(m.nodes.get('app:bookinfo:reviews:v1')?.destServices?.values() ?? [])]).toEqual([
      { namespace: 'bookinfo', name: 'reviews' },
    ]);
    expect(m.nodes.get('app:bookinfo:productpage:v1')?.hasInbound).toBe(false);
  });

  it('keeps both reporters in `series` but walks only the chosen one', () => {
    const m = mapOf(traffic);
    expect(m.series).toHaveLength(3);
    expect(m.edges.get('app:bookinfo:productpage:v1->svc:bookinfo:reviews')?.rates.total).toBe(4);
    expect(m.edges.get('app:bookinfo:productpage:v1->svc:bookinfo:reviews')?.reporter).toBe('source');
  });

  it("keeps each chosen series' hops (edge, node, edge, node) only when asked, for the latency to come", () => {
    expect(mapOf(traffic).hops).toBeUndefined();
    const m = mapOf(traffic, { keepHops: true });
    const [first] = m.series;
    const hops = first ? m.hops?.get(first) : undefined;
    expect(hops).toEqual([
      m.edges.get('app:bookinfo:productpage:v1->svc:bookinfo:reviews'),
      m.nodes.get('svc:bookinfo:reviews'),
      m.edges.get('svc:bookinfo:reviews->app:bookinfo:reviews:v1'),
      m.nodes.get('app:bookinfo:reviews:v1'),
    ]);
  });

  it('leaves idle series out unless asked for', () => {
    const idle = [
      { reporter: 'source' as const, from: productpage, to: reviewsV2, service: REVIEWS, rps: 0 },
    ];
    expect(mapOf(idle).nodes.size).toBe(0);
    expect(mapOf(idle, { includeIdleEdges: true }).nodes.has('app:bookinfo:reviews:v2')).toBe(true);
  });

  it('walks shared labels polled again (the plan of the walk before) as it walks them afresh', () => {
    const { ratings, RATINGS } = BOOKINFO;
    const edges = [
      { reporter: 'source' as const, from: productpage, to: reviewsV1, service: REVIEWS, rps: 3 },
      { reporter: 'destination' as const, from: productpage, to: reviewsV1, service: REVIEWS, rps: 3 },
      { reporter: 'destination' as const, from: reviewsV2, to: ratings, service: RATINGS, rps: 1 },
      { reporter: 'source' as const, from: reviewsV1, to: ratings, service: RATINGS, code: '503', rps: 2 },
    ];
    // Shared labels objects, as the rates' answer gives them from one poll to the next.
    const labels = edges.map((e) => Object.freeze({ ...requestSample(e).labels }));
    const polls = [
      [3, 3, 1, 2],
      [3.5, 2.5, 0.25, 1],
      // A series idle (its edge left out), then one with no finite rate too, then both back.
      [4, 4, 0, 2],
      [4, 4, 0, Number.NaN],
      [1, 2, 3, 4],
      [1.5, 2, 3, 4.5],
    ];
    const view = (m: TrafficMap) => ({
      nodes: [...m.nodes],
      edges: [...m.edges],
      // Without a rate: a shared labels object's series is one object for every poll (its rate is in `rates`).
      series: m.series.map((x) => ({ ...x, rps: undefined })),
      rates: [...m.rates],
      routes: m.routes,
    });
    for (const graphType of ['versionedApp', 'service', 'versionedApp'] as const)
      for (const rates of polls) {
        const shared: Sample[] = labels.map((l, i) => ({ labels: l, value: rates[i] as number }));
        const fresh: Sample[] = labels.map((l, i) => ({ labels: { ...l }, value: rates[i] as number }));
        const walk = (requests: Sample[]) =>
          trafficMap({ graphType, injectServiceNodes: true, requests, keepHops: false });
        expect(view(walk(shared))).toEqual(view(walk(fresh)));
      }
  });
});

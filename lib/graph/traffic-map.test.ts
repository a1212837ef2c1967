import { describe, expect, it } from 'vitest';
import { trafficGraph } from './assemble';
import type { Sample } from './series';
import { BOOKINFO, mapOf, requestSample } from './test-samples';
import { type TrafficMap, type TrafficNode, trafficMap, walkObjectsReused, walkOf } from './traffic-map';
import { WalkLease } from './walk-lease';

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

  it('keeps a walk plan per view: two views polled in turn each walk their own plan again', () => {
    const { ratings, RATINGS } = BOOKINFO;
    const all = [
      { reporter: 'source' as const, from: productpage, to: reviewsV1, service: REVIEWS, rps: 3 },
      { reporter: 'source' as const, from: reviewsV1, to: ratings, service: RATINGS, rps: 2 },
    ];
    // Two views of the same options (two tabs: every namespace, and one), their series shared labels objects.
    const views = {
      all: all.map((e) => Object.freeze({ ...requestSample(e).labels })),
      one: all.slice(0, 1).map((e) => Object.freeze({ ...requestSample(e).labels })),
    };
    const programs = new Map<string, object[]>();
    for (let poll = 0; poll < 3; poll++)
      for (const [view, labels] of Object.entries(views)) {
        const m = trafficMap({
          graphType: 'versionedApp',
          injectServiceNodes: true,
          requests: labels.map((l, i) => ({ labels: l, value: poll + i + 1 })),
          keepHops: false,
          view,
        });
        programs.set(view, [...(programs.get(view) ?? []), walkOf(m)?.program as object]);
      }
    for (const view of Object.keys(views)) {
      const [first, ...then] = programs.get(view) ?? [];
      // Each poll of a view walks the plan its first walk kept, whichever view walked in between.
      expect(then.every((p) => p === first)).toBe(true);
    }
    expect(programs.get('all')?.[0]).not.toBe(programs.get('one')?.[0]);
  });

  it("adds a node's rates in the order of its series, to the bit, replayed or walked afresh", () => {
    const { ratings, RATINGS } = BOOKINFO;
    // Three callers into ratings: ((0.1 + 0.2) + 0.3) is not (0.1 + (0.2 + 0.3)) in doubles.
    const edges = [productpage, reviewsV1, reviewsV2].map((from, i) => ({
      reporter: 'source' as const,
      from,
      to: ratings,
      service: RATINGS,
      rps: [0.1, 0.2, 0.3][i] as number,
    }));
    const labels = edges.map((e) => Object.freeze({ ...requestSample(e).labels }));
    for (let poll = 0; poll < 3; poll++) {
      const m = trafficMap({
        graphType: 'workload',
        injectServiceNodes: false,
        requests: labels.map((l, i) => ({ labels: l, value: edges[i]?.rps as number })),
        keepHops: false,
      });
      const node = [...m.nodes.values()].find((n) => n.spec.workload === ratings.wl);
      expect(node?.inbound.total).toBe(0.1 + 0.2 + 0.3);
      expect(node?.inbound.total).not.toBe(0.1 + (0.2 + 0.3));
    }
  });

  it('appends mTLS, principals and app boxes to a walk of the plan by their places, as to a fresh walk', () => {
    const { ratings, RATINGS } = BOOKINFO;
    const edges = [
      { reporter: 'source' as const, from: productpage, to: reviewsV1, service: REVIEWS, rps: 3 },
      {
        reporter: 'destination' as const,
        from: productpage,
        to: reviewsV1,
        service: REVIEWS,
        rps: 3,
        principals: true,
      },
      {
        reporter: 'destination' as const,
        from: productpage,
        to: reviewsV2,
        service: REVIEWS,
        rps: 1,
        mtls: false,
      },
      {
        reporter: 'destination' as const,
        from: reviewsV2,
        to: ratings,
        service: RATINGS,
        rps: 2,
        principals: true,
      },
      { reporter: 'source' as const, from: reviewsV1, to: ratings, service: RATINGS, code: '503', rps: 2 },
    ];
    const labels = edges.map((e) => Object.freeze({ ...requestSample(e).labels }));
    const graph = (rates: number[], fresh: boolean) =>
      trafficGraph({
        graphType: 'versionedApp',
        injectServiceNodes: true,
        requests: labels.map((l, i) => ({ labels: fresh ? { ...l } : l, value: rates[i] as number })),
        keepHops: false,
        namespaces: [],
      });
    const view = (m: TrafficMap) => ({
      parents: [...m.nodes.values()].map((n) => [n.spec.id, n.parent]),
      mtls: [...m.edges.values()].map((e) => [e.id, e.mtls, e.principals]),
      boxes: [...m.boxes],
    });
    for (const rates of [
      [3, 3, 1, 2, 2],
      [3.5, 3.25, 0.5, 1.5, 2],
      [4, 0.1, 0.2, 0.3, 1],
    ]) {
      const m = graph(rates, false);
      expect(view(m)).toEqual(view(graph(rates, true)));
      expect(m.boxes.size).toBeGreaterThan(0);
      expect([...m.edges.values()].some((e) => e.mtls.yes > 0 && e.mtls.yes < e.mtls.all)).toBe(true);
    }
  });

  it("walks the plan into nodes and edges of its own (none of the walk before's), equal to a fresh walk", () => {
    const { ratings, RATINGS } = BOOKINFO;
    const edges = [
      { reporter: 'source' as const, from: productpage, to: reviewsV1, service: REVIEWS, rps: 3 },
      { reporter: 'source' as const, from: reviewsV1, to: ratings, service: RATINGS, code: '503', rps: 2 },
      { reporter: 'destination' as const, from: reviewsV1, to: ratings, service: RATINGS, rps: 2 },
    ];
    const labels = edges.map((e) => Object.freeze({ ...requestSample(e).labels }));
    const options = { graphType: 'app' as const, injectServiceNodes: true };
    const walk = (rates: number[], fresh = false) =>
      trafficMap({
        ...options,
        requests: labels.map((l, i) => ({ labels: fresh ? { ...l } : l, value: rates[i] as number })),
        keepHops: true,
      });
    // Hops by series: a fresh walk's series are objects of its own.
    const view = (m: TrafficMap) => ({
      nodes: [...m.nodes],
      edges: [...m.edges],
      hops: [...(m.hops?.values() ?? [])],
    });
    let before = walk([3, 2, 2]);
    for (const rates of [
      [3.5, 1, 1],
      [4, 0.5, 0.5],
      // A series idle: not the plan's series, so not its objects either.
      [4, 0, 0.5],
      [5, 1, 1],
    ]) {
      const m = walk(rates);
      expect(view(m)).toEqual(view(walk(rates, true)));
      // Its own objects: none of the walk before's.
      const earlier = new Set<object>([...before.nodes.values(), ...before.edges.values()]);
      for (const x of [...m.nodes.values(), ...m.edges.values()]) expect(earlier.has(x)).toBe(false);
      before = m;
    }
  });
  it("shares a node's services among the walks of a plan (read only after the walk: no copy a poll)", () => {
    const labels = traffic.map((e) => Object.freeze({ ...requestSample(e).labels }));
    const walk = (rps: number) =>
      trafficMap({
        graphType: 'versionedApp',
        injectServiceNodes: true,
        requests: labels.map((l) => ({ labels: l, value: rps })),
        keepHops: false,
      });
    const id = 'app:bookinfo:reviews:v1';
    const first = walk(1).nodes.get(id)?.destServices;
    const second = walk(2).nodes.get(id)?.destServices;
    const third = walk(3).nodes.get(id);
    expect([...(third?.destServices?.values() ?? [])]).toEqual([{ namespace: 'bookinfo', name: 'reviews' }]);
    expect(second).toBeDefined();
    expect(third?.destServices).toBe(second);
    expect(Object.isFrozen(first)).toBe(false);
  });
  it("fills a released walk's objects again for the next walk of its plan (only once released), as a fresh walk", () => {
    const elsewhere = { ns: 'shop', wl: 'cart-v1', app: 'cart', version: 'v1' };
    const edges = [
      ...traffic,
      {
        reporter: 'destination' as const,
        from: elsewhere,
        to: reviewsV2,
        service: REVIEWS,
        rps: 1,
        principals: true,
      },
    ];
    const labels = edges.map((e) => Object.freeze({ ...requestSample(e).labels }));
    const graph = (rates: number[], lease?: WalkLease, fresh = false) =>
      trafficGraph({
        graphType: 'versionedApp',
        injectServiceNodes: true,
        requests: labels.map((l, i) => ({ labels: fresh ? { ...l } : l, value: rates[i] as number })),
        keepHops: false,
        namespaces: ['bookinfo'],
        view: 'reuse',
        lease,
      });
    const view = (m: TrafficMap) => ({ nodes: [...m.nodes], edges: [...m.edges], boxes: [...m.boxes] });
    const objects = (m: TrafficMap) => new Set<object>([...m.nodes.values(), ...m.edges.values()]);
    const first = new WalkLease();
    const a = graph([3, 1, 3, 2], first);
    const aView = view(graph([3, 1, 3, 2], undefined, true));
    expect(view(a)).toEqual(aView);
    // What the last appenders set on a build's objects (latency, config, live stats): none of it in the next.
    for (const n of a.nodes.values()) {
      n.latency = { p50: 1 } as unknown as TrafficNode['latency'];
      n.buckets = { counts: new Float64Array(1), present: new Uint8Array(1), at: 0 };
      n.badges.live = { reported: false };
      Object.assign(n, { hasVS: true, hasCB: true, isEgressGateway: true, isServiceEntry: 'MESH_EXTERNAL' });
    }
    for (const e of a.edges.values()) {
      Object.assign(e, {
        mtlsWarning: 'plaintext',
        refusal: 'no',
        tlsOrigination: 'SIMPLE',
        health: 'failure',
      });
      e.badges = { live: { reported: false } };
    }
    // Still held (an answer being written from it): the next walk makes objects of its own.
    const second = new WalkLease();
    const reusedBefore = walkObjectsReused();
    const b = graph([4, 1, 2, 2], second);
    expect([...objects(b)].some((x) => objects(a).has(x))).toBe(false);
    expect(view(b)).toEqual(view(graph([4, 1, 2, 2], undefined, true)));
    // Released: the next walk of the plan fills the same objects again, as a fresh walk makes them.
    const aObjects = objects(a);
    first.release();
    const c = graph([0.5, 7, 0.25, 3], new WalkLease());
    expect(walkObjectsReused()).toBe(reusedBefore + 1);
    expect([...objects(c)].every((x) => aObjects.has(x))).toBe(true);
    expect(view(c)).toEqual(view(graph([0.5, 7, 0.25, 3], undefined, true)));
    expect([...c.nodes.values()].some((n) => n.isOutside)).toBe(true);
    // The held one is as it was; a walk without a lease never takes a released set.
    expect(view(b)).toEqual(view(graph([4, 1, 2, 2], undefined, true)));
    second.release();
    // A lease released before its walk (a build given up): objects of its own, not a released set.
    const gone = new WalkLease();
    gone.release();
    expect([...objects(graph([2, 2, 2, 2], gone))].some((x) => objects(b).has(x))).toBe(false);
    const d = graph([1, 1, 1, 1]);
    expect([...objects(d)].some((x) => objects(b).has(x))).toBe(false);
    expect(walkObjectsReused()).toBe(reusedBefore + 1);
  });
});

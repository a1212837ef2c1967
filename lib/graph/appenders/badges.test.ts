import { describe, expect, it } from 'vitest';
import type { DestinationRule, VirtualService } from '../../mesh-config/schema';
import { configBadges, serviceEntryLocations } from '../config-badges';
import { foldLiveStats, liveStatQuery, parseClusterName } from '../envoy-stats';
import { assembleSamples, mapOf, requestSample, type Side } from '../test-samples';
import type { TrafficMap } from '../traffic-map';
import { appendBadges } from './badges';

const productpage: Side = { ns: 'bookinfo', wl: 'productpage-v1', app: 'productpage', version: 'v1' };
const reviewsV1: Side = { ns: 'bookinfo', wl: 'reviews-v1', app: 'reviews', version: 'v1' };
const REVIEWS = 'reviews.bookinfo.svc.cluster.local';

const vs: VirtualService = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'reviews', namespace: 'bookinfo' },
  spec: {
    hosts: ['reviews'],
    http: [
      {
        route: [
          { destination: { host: 'reviews', subset: 'v1' }, weight: 90 },
          { destination: { host: 'reviews', subset: 'v2' }, weight: 10 },
        ],
        retries: { attempts: 3, perTryTimeout: '2s', retryOn: '5xx' },
        fault: { abort: { percentage: { value: 5 }, httpStatus: 503 } },
      },
    ],
  },
};
const dr: DestinationRule = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: { name: 'reviews', namespace: 'bookinfo' },
  spec: {
    host: 'reviews',
    subsets: [{ name: 'v1', labels: { version: 'v1' } }],
    trafficPolicy: { outlierDetection: { consecutive5xxErrors: 3, interval: '5s', baseEjectionTime: '30s' } },
  },
};

/** productpage → reviews (its first edge's badges from the host's config and stats) and reviews → productpage. */
const bothWays = [
  requestSample({ reporter: 'source', from: productpage, to: reviewsV1, service: REVIEWS, rps: 2 }),
  requestSample({
    reporter: 'source',
    from: reviewsV1,
    to: productpage,
    service: 'productpage.bookinfo.svc.cluster.local',
    rps: 1,
  }),
];

/** productpage → reviews-v1, with or without the service node between. */
const oneEdge = (injectServiceNodes: boolean) => ({
  graphType: 'versionedApp' as const,
  injectServiceNodes,
  namespaces: [],
  requests: [
    requestSample({ reporter: 'source', from: productpage, to: reviewsV1, service: REVIEWS, rps: 2 }),
  ],
});

describe('config badges', () => {
  it('reads canary weights, retries and fault from a VirtualService, circuit breaker from a DestinationRule', () => {
    const c = configBadges({ virtualServices: [vs], destinationRules: [dr], serviceEntries: [] }).get(
      REVIEWS,
    );
    expect(c?.hasVS).toBe(true);
    expect(c?.hasCB).toBe(true);
    expect(c?.badges.canary?.weights).toEqual([
      { host: REVIEWS, subset: 'v1', weight: 90 },
      { host: REVIEWS, subset: 'v2', weight: 10 },
    ]);
    expect(c?.badges.retries).toEqual({ attempts: 3, perTryTimeout: '2s', retryOn: '5xx' });
    expect(c?.badges.fault).toEqual({ abortPercent: 5, abortHttpStatus: 503 });
    expect(c?.badges.circuitBreaker?.outlierDetection?.consecutive5xxErrors).toBe(3);
  });

  it('takes ServiceEntry locations, MESH_EXTERNAL by default', () => {
    const m = serviceEntryLocations([
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'ServiceEntry',
        metadata: { name: 'httpbin', namespace: 'x' },
        spec: { hosts: ['httpbin.org'], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }] },
      },
    ]);
    expect(m.get('httpbin.org')).toBe('MESH_EXTERNAL');
  });
});

describe('live Envoy stats', () => {
  it('parses Istio cluster names', () => {
    expect(parseClusterName('outbound|9080|v1|reviews.bookinfo.svc.cluster.local')).toEqual({
      direction: 'outbound',
      port: 9080,
      subset: 'v1',
      host: REVIEWS,
    });
    expect(parseClusterName('outbound|9080||reviews')?.subset).toBeUndefined();
    expect(parseClusterName('BlackHoleCluster')).toBeUndefined();
  });

  it('queries outbound clusters only, rates for counters', () => {
    expect(liveStatQuery('retryRate', '60s')).toBe(
      'sum by (cluster_name, namespace, workload) (rate(envoy_cluster_upstream_rq_retry{cluster_name=~"outbound\\\\|.*"}[60s]))',
    );
    expect(liveStatQuery('ejectionsActive', '60s')).not.toContain('rate(');
  });

  it('puts stats on the service node and the caller edge; absent stats are "not reported", not zero', () => {
    const live = foldLiveStats({
      ejectionsActive: [
        {
          labels: {
            cluster_name: `outbound|9080|v1|${REVIEWS}`,
            namespace: 'bookinfo',
            workload: 'productpage-v1',
          },
          value: 1,
        },
        {
          labels: {
            cluster_name: `outbound|9080|v2|${REVIEWS}`,
            namespace: 'bookinfo',
            workload: 'productpage-v1',
          },
          value: 0,
        },
      ],
      retryRate: [
        {
          labels: {
            cluster_name: `outbound|9080|v1|${REVIEWS}`,
            namespace: 'bookinfo',
            workload: 'productpage-v1',
          },
          value: 0.5,
        },
      ],
    });
    const g = assembleSamples({
      ...oneEdge(true),
      config: { virtualServices: [vs], destinationRules: [dr], serviceEntries: [] },
      live,
    });
    const svc = g.nodes.find((n) => n.id === 'svc:bookinfo:reviews');
    expect(svc?.hasCB).toBe(true);
    expect(svc?.badges.live).toEqual({ reported: true, ejectionsActive: 1, retryRate: 0.5 });
    expect(svc?.badges.canary?.weights).toHaveLength(2);
    // Drawn on the service node only, not again on the workloads behind it.
    expect(g.nodes.find((n) => n.id === 'app:bookinfo:reviews:v1')?.badges).toEqual({});
    const into = g.edges.find((e) => e.id === 'app:bookinfo:productpage:v1->svc:bookinfo:reviews');
    expect(into?.badges.retries?.attempts).toBe(3);
    expect(into?.badges.live).toMatchObject({ reported: true, retryRate: 0.5 });
    const onward = g.edges.find((e) => e.id === 'svc:bookinfo:reviews->app:bookinfo:reviews:v1');
    expect(onward?.badges).toEqual({});

    const bare = assembleSamples({ ...oneEdge(true), live: foldLiveStats({}) });
    expect(bare.nodes.find((n) => n.id === 'svc:bookinfo:reviews')?.badges.live).toEqual({ reported: false });
  });

  it('gives an edge with neither route badges nor caller stats the frozen "not reported" badges, others their own', () => {
    const live = foldLiveStats({
      retryRate: [
        {
          labels: {
            cluster_name: `outbound|9080||${REVIEWS}`,
            namespace: 'bookinfo',
            workload: 'productpage-v1',
          },
          value: 0.5,
        },
      ],
    });
    const g = assembleSamples({ ...oneEdge(true), requests: bothWays, live });
    const into = g.edges.find((e) => e.id === 'app:bookinfo:productpage:v1->svc:bookinfo:reviews');
    const back = g.edges.find((e) => e.id === 'app:bookinfo:reviews:v1->svc:bookinfo:productpage');
    expect(into?.badges).toEqual({ live: { reported: true, retryRate: 0.5 } });
    expect(Object.isFrozen(into?.badges)).toBe(false);
    expect(back?.badges).toEqual({ live: { reported: false } });
    expect(Object.isFrozen(back?.badges)).toBe(true);
    // With a VirtualService on the host, the edge has its own badges again.
    const configured = assembleSamples({
      ...oneEdge(true),
      config: { virtualServices: [vs], destinationRules: [], serviceEntries: [] },
    });
    const routed = configured.edges.find((e) => e.id === 'app:bookinfo:productpage:v1->svc:bookinfo:reviews');
    expect(routed?.badges.retries?.attempts).toBe(3);
    expect(routed?.badges.live).toEqual({ reported: false });
  });

  it("places a polled map's badges where the map before of the same series had them, with this poll's stats", () => {
    // Shared labels (frozen, as the series memo keeps them): the walk's plan, and its routes, are kept.
    const shared = bothWays.map((s) => ({ labels: Object.freeze({ ...s.labels }), value: s.value }));
    const liveOf = (retryRate: number) =>
      foldLiveStats({
        retryRate: [
          {
            labels: {
              cluster_name: `outbound|9080||${REVIEWS}`,
              namespace: 'bookinfo',
              workload: 'productpage-v1',
            },
            value: retryRate,
          },
        ],
      });
    const config = { virtualServices: [vs], destinationRules: [dr], serviceEntries: [] };
    const badgesOf = (m: TrafficMap) => ({
      nodes: Object.fromEntries([...m.nodes].map(([id, n]) => [id, [n.badges, n.hasVS, n.hasCB]])),
      edges: Object.fromEntries([...m.edges].map(([id, e]) => [id, e.badges])),
    });
    // What a map of its own labels (no plan, nothing kept) gets.
    const fresh = (retryRate: number, withConfig: boolean) => {
      const m = mapOf([], { requests: shared.map((s) => ({ labels: { ...s.labels }, value: s.value })) });
      appendBadges(m, withConfig ? config : undefined, liveOf(retryRate));
      return badgesOf(m);
    };
    const polled = (retryRate: number, withConfig: boolean, reorder = false) => {
      const m = mapOf([], {
        requests: shared.map((s) => ({ labels: s.labels, value: s.value * retryRate })),
      });
      if (reorder)
        for (const elements of [m.nodes, m.edges] as Map<string, unknown>[]) {
          const [id, element] = [...elements][0] as [string, unknown];
          elements.delete(id);
          elements.set(id, element);
        }
      appendBadges(m, withConfig ? config : undefined, liveOf(retryRate));
      return m;
    };
    const first = polled(0.5, false);
    const second = polled(1.5, true);
    expect(second.routes).toBe(first.routes);
    expect(badgesOf(first)).toEqual(fresh(0.5, false));
    expect(badgesOf(second)).toEqual(fresh(1.5, true));
    expect(second.nodes.get('svc:bookinfo:reviews')?.badges.live).toMatchObject({ retryRate: 1.5 });
    // The same series met in another order: each element checked, the places found again.
    expect(badgesOf(polled(2.5, true, true))).toEqual(fresh(2.5, true));
  });

  it('puts the badges on the workloads when no service node is drawn', () => {
    const g = assembleSamples({
      ...oneEdge(false),
      config: { virtualServices: [vs], destinationRules: [dr], serviceEntries: [] },
      live: foldLiveStats({
        ejectionsActive: [{ labels: { cluster_name: `outbound|9080|v1|${REVIEWS}` }, value: 1 }],
      }),
    });
    const v1 = g.nodes.find((n) => n.id === 'app:bookinfo:reviews:v1');
    expect(v1?.hasCB).toBe(true);
    expect(v1?.badges.live).toEqual({ reported: true, ejectionsActive: 1 });
    expect(g.edges[0]?.badges.retries?.attempts).toBe(3);
  });
});

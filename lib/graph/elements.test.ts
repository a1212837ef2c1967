import { describe, expect, it } from 'vitest';
import { appendBadges } from './appenders/badges';
import { appendBoxes } from './appenders/boxes';
import { appendOutsiders } from './appenders/outsider';
import { toElements } from './elements';
import { BOOKINFO, mapOf } from './test-samples';

const { productpage, reviewsV1, REVIEWS } = BOOKINFO;
const config = {
  virtualServices: [],
  serviceEntries: [],
  destinationRules: [
    {
      apiVersion: 'networking.istio.io/v1' as const,
      kind: 'DestinationRule' as const,
      metadata: { name: 'reviews', namespace: 'bookinfo' },
      spec: { host: 'reviews', trafficPolicy: { connectionPool: { tcp: { maxConnections: 1 } } } },
    },
  ],
};

describe('elements', () => {
  const map = () => {
    const m = mapOf([
      { reporter: 'source', from: productpage, to: reviewsV1, service: REVIEWS, rps: 1 / 3 },
      { reporter: 'source', from: productpage, to: reviewsV1, service: REVIEWS, code: '503', rps: 2 / 3 },
    ]);
    appendBoxes(m);
    appendOutsiders(m, ['web']);
    appendBadges(m, config, undefined);
    return m;
  };

  it('keeps id order poll after poll as elements come, go, swap for others and are set in another order', () => {
    const { reviewsV2, ratings, RATINGS } = BOOKINFO;
    const specs = [
      { reporter: 'source' as const, from: productpage, to: reviewsV1, service: REVIEWS, rps: 1 },
      { reporter: 'source' as const, from: productpage, to: reviewsV2, service: REVIEWS, rps: 1 },
      { reporter: 'source' as const, from: reviewsV1, to: ratings, service: RATINGS, rps: 1 },
      { reporter: 'source' as const, from: reviewsV2, to: ratings, service: RATINGS, rps: 1 },
    ];
    // The same count of elements each time (the order kept by their count would do), other ids and orders.
    const polls = [
      [0, 1, 2],
      [0, 1, 2],
      [0, 1, 3],
      [3, 1, 0],
      [3, 1, 0],
      [2, 1, 0],
      [0, 1, 2, 3],
      [1, 2, 3],
    ];
    for (const poll of polls) {
      const m = mapOf(poll.map((k) => specs[k] as (typeof specs)[number]));
      appendBoxes(m);
      const g = toElements(m);
      const byId = (ids: Iterable<string>) => [...ids].sort();
      expect(g.edges.map((e) => e.id)).toEqual(byId(m.edges.keys()));
      expect(g.nodes.map((n) => n.id)).toEqual([...byId(m.boxes.keys()), ...byId(m.nodes.keys())]);
      for (const e of g.edges) expect(e).toMatchObject({ id: m.edges.get(e.id)?.id });
    }
  });

  it('writes app boxes first, then nodes and edges in id order, numbers rounded', () => {
    const g = toElements(map());
    expect(g.nodes.map((n) => n.id)).toEqual([
      'box:bookinfo:productpage',
      'box:bookinfo:reviews',
      'app:bookinfo:productpage:v1',
      'app:bookinfo:reviews:v1',
      'svc:bookinfo:reviews',
    ]);
    const into = g.edges[0];
    expect(into?.rps).toBe(1);
    expect(into?.errorRate).toBe(0.6667);
    expect(into?.traffic.responses['503']?.flags).toEqual({ '-': 66.67 });
    expect(into?.traffic.rates).toEqual({ http: 1, httpPercentReq: 100, httpPercentErr: 66.67 });
  });

  it("keeps the JSON's key order: a version's box with its identity, a service's box and config flags last", () => {
    const g = toElements(map());
    expect(Object.keys(g.nodes.find((n) => n.id === 'app:bookinfo:reviews:v1') ?? {})).toEqual([
      'id',
      'nodeType',
      'namespace',
      'workload',
      'app',
      'version',
      'parent',
      'rpsIn',
      'rpsOut',
      'inbound',
      'errorRate',
      'responses',
      'latency',
      'health',
      'badges',
      'traffic',
      'destServices',
      'isOutside',
    ]);
    expect(Object.keys(g.nodes.find((n) => n.id === 'svc:bookinfo:reviews') ?? {}).slice(-4)).toEqual([
      'traffic',
      'isOutside',
      'parent',
      'hasCB',
    ]);
    expect(Object.keys(g.edges[0] ?? {})).toEqual([
      'id',
      'source',
      'target',
      'protocol',
      'reporter',
      'rps',
      'rates',
      'errorRate',
      'percentReq',
      'latency',
      'health',
      'traffic',
      'badges',
    ]);
  });

  it('orders a map whose ids changed afresh (the order of the map before is kept only for the same ids)', () => {
    const first = toElements(map()).edges.map((e) => e.id);
    expect(toElements(map()).edges.map((e) => e.id)).toEqual(first);
    const other = mapOf([
      {
        reporter: 'source',
        from: reviewsV1,
        to: productpage,
        service: 'productpage.bookinfo.svc.cluster.local',
        rps: 1,
      },
      { reporter: 'source', from: productpage, to: reviewsV1, service: REVIEWS, rps: 1 },
    ]);
    const ids = toElements(other).edges.map((e) => e.id);
    expect(ids).toEqual([...ids].sort());
    expect(ids).toHaveLength(4);
    expect(toElements(map()).edges.map((e) => e.id)).toEqual(first);
  });
});

import { describe, expect, it, vi } from 'vitest';
import { appendBadges } from './appenders/badges';
import { appendBoxes } from './appenders/boxes';
import { appendOutsiders } from './appenders/outsider';
import { assembleGraph, trafficGraph } from './assemble';
import type { MeshConfigView } from './config-badges';
import {
  type DirectElements,
  directElements,
  graphElements,
  programReplays,
  programReplaysByWalk,
  toElements,
} from './elements';
import { JsonBytes } from './json-bytes';
import { groupBuckets } from './latency-cache';
import { BOOKINFO, bucketSamples, type EdgeSpec, mapOf, requestSample } from './test-samples';

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

describe('write programs of a walk replayed', () => {
  const { reviewsV2, ratings, RATINGS } = BOOKINFO;
  const specs: EdgeSpec[] = [
    { reporter: 'source', from: productpage, to: reviewsV1, service: REVIEWS, rps: 1, principals: true },
    { reporter: 'source', from: productpage, to: reviewsV2, service: REVIEWS, rps: 2, principals: true },
    { reporter: 'source', from: productpage, to: reviewsV2, service: REVIEWS, code: '503', rps: 0.5 },
    { reporter: 'destination', from: reviewsV1, to: ratings, service: RATINGS, rps: 1.5, principals: true },
    { reporter: 'destination', from: reviewsV2, to: ratings, service: RATINGS, rps: 0.7, mtls: false },
  ];
  /** Frozen labels objects shared poll after poll, as Prometheus' answers' are: each poll walks the kept plan. */
  const labelsOf = (edges: EdgeSpec[]) => edges.map((e) => Object.freeze(requestSample(e).labels));
  const labels = labelsOf(specs);
  const NO_CONFIG = { virtualServices: [], serviceEntries: [], destinationRules: [] };
  const reading = (counts: number[]) =>
    groupBuckets(bucketSamples(specs[0] as EdgeSpec, [10, 100, Number.POSITIVE_INFINITY], counts));

  interface Poll {
    round: number;
    /** The series' labels (default: all of `specs`'). */
    of?: readonly Readonly<Record<string, string>>[];
    config?: MeshConfigView;
    latencyGroups?: ReturnType<typeof reading>;
    /** The walk plan's view (`TrafficInput.view`): another plan, the writer's records the same. */
    view?: string;
    /** Idle series drawn (`includeIdleEdges`), and these series' rates 0. */
    idle?: number[];
    /** Every node's and edge's latency, set after the appenders. */
    latency?: object;
  }

  /** A poll's elements written by the direct writer, against JSON.stringify of their data objects. */
  function poll(
    p: Poll,
    writtenFirst = false,
    counter: () => number = () => 0,
  ): { written: string; expected: string; counted: number } {
    const of = p.of ?? labels;
    const requests = of.map((l, k) => ({
      labels: l,
      value: p.idle?.includes(k) ? 0 : (1 + k) * (1 + (p.round * (k + 1)) / 7),
    }));
    const map = trafficGraph({
      graphType: 'versionedApp',
      injectServiceNodes: true,
      requests,
      keepHops: false,
      includeIdleEdges: p.idle !== undefined,
      namespaces: ['bookinfo'],
      view: p.view ?? 'test',
    });
    const assembled = assembleGraph(map, { config: p.config ?? NO_CONFIG, latencyGroups: p.latencyGroups });
    if (p.latency !== undefined) {
      for (const n of map.nodes.values()) n.latency = p.latency;
      for (const e of map.edges.values()) e.latency = p.latency;
    }
    const elements = graphElements(assembled);
    // The data objects (JSON.stringify's side) made before the writer's, unless the writer's is to be counted alone.
    const expectedOf = () => `${JSON.stringify(elements.nodes)},${JSON.stringify(elements.edges)}`;
    const before = writtenFirst ? '' : expectedOf();
    const from = counter();
    const d = directElements(elements) as DirectElements;
    const w = new JsonBytes();
    w.byte(0x5b);
    for (let i = 0; i < d.nodes; i++) {
      if (i > 0) w.byte(0x2c);
      d.node(w, i);
    }
    w.raw('],[');
    for (let i = 0; i < d.edges; i++) {
      if (i > 0) w.byte(0x2c);
      d.edge(w, i);
    }
    w.byte(0x5d);
    const written = Buffer.from(w.take()).toString('utf8');
    const counted = counter() - from;
    return { written, expected: writtenFirst ? expectedOf() : before, counted };
  }

  const writes = (polls: Poll[]) =>
    polls.map((p) => {
      const { written, expected } = poll(p);
      return written === expected;
    });

  it('skips the checks of what the walk sets when the same walk is replayed, its numbers moved', () => {
    expect(writes([{ round: 0 }])).toEqual([true]);
    const replays = programReplays();
    const walked = programReplaysByWalk();
    // Programs made at the first poll, each replayed unchecked at the polls after it.
    expect(writes([1, 2, 3].map((round) => ({ round })))).toEqual([true, true, true]);
    expect(programReplays() - replays).toBeGreaterThanOrEqual(3 * 10);
    expect(programReplaysByWalk() - walked).toBe(programReplays() - replays);
  });

  it('writes what changed besides the walk: the mesh config, the latency reading, elements come and go', () => {
    const cb = {
      ...NO_CONFIG,
      destinationRules: [
        {
          apiVersion: 'networking.istio.io/v1' as const,
          kind: 'DestinationRule' as const,
          metadata: { name: 'ratings', namespace: 'bookinfo' },
          spec: { host: 'ratings', trafficPolicy: { connectionPool: { tcp: { maxConnections: 1 } } } },
        },
      ],
    };
    const one = reading([0.1, 0.3, 1]);
    const other = reading([0.5, 0.7, 1]);
    const fewer = labels.slice(0, 4);
    const more = [
      ...labels,
      ...labelsOf([{ reporter: 'source', from: ratings, to: reviewsV1, service: REVIEWS, rps: 1 }]),
    ];
    const polls: Poll[] = [
      { round: 0 },
      { round: 1 },
      // A circuit breaker's badge appears on ratings, then goes.
      { round: 2, config: cb },
      { round: 3, config: cb },
      { round: 4 },
      // A latency reading, kept (the same frozen latencies), another, none.
      { round: 5, latencyGroups: one },
      { round: 6, latencyGroups: one },
      { round: 7, latencyGroups: other },
      { round: 8, latencyGroups: other },
      { round: 9 },
      // An element goes, comes back, another comes.
      { round: 10, of: fewer },
      { round: 11 },
      { round: 12, of: more },
      { round: 13, of: more },
      { round: 14 },
      // The same walk (idle series drawn) while an element's one series goes idle and comes back: its response map
      // is not a whole one while it has no requests.
      { round: 15, idle: [] },
      { round: 16, idle: [] },
      { round: 17, idle: [3] },
      { round: 18, idle: [3] },
      { round: 19, idle: [] },
    ];
    const got = polls.map((p) => poll(p));
    expect(got.map((g) => g.written === g.expected)).toEqual(polls.map(() => true));
    // Each change is in the answer (the checks that are kept saw it).
    expect(got[2]?.written).toContain('"hasCB":true');
    expect(got[4]?.written).not.toContain('"hasCB":true');
    expect(got[6]?.written).not.toBe(got[7]?.written.replace(/"rps":[^,]*/g, ''));
    expect(got[7]?.written).toContain('"latency":{');
    expect(got[17]?.written).toContain('"flags":{"-":0}');
    expect(got[18]?.written).not.toBe(got[19]?.written);
  });

  it('replays every element when only its latency is another object (a pinned graph at another time)', () => {
    const frozen = Object.freeze({ p50: 5, p95: 9.5, p99: 12.25 });
    const latencies: object[] = [
      { p50: 1.5, p95: 3, p99: 4.25 },
      // The same object again (not frozen: never kept), then new ones, one without p95 (no responseTime), none.
      { p50: 2, p95: 3.5, p99: 7.01 },
      { p50: 2, p99: 7.01 },
      {},
      // Frozen: kept with the program, written from its bytes while it is the same, then others.
      frozen,
      frozen,
      Object.freeze({ p50: 6, p95: 10, p99: 11 }),
      { p50: 0.01, p95: 1234.56, p99: 99999.99 },
    ];
    const first = latencies[0] as object;
    const got = [first, first, ...latencies.slice(1)].map((latency, round) =>
      poll({ round, view: 'latency', latency }, false, programReplays),
    );
    expect(got.map((g) => g.written === g.expected)).toEqual(got.map(() => true));
    // Every element with a program (all but the first write's) replayed whatever its latency.
    const all = got[1]?.counted as number;
    expect(all).toBeGreaterThanOrEqual(10);
    expect(got.slice(1).map((g) => g.counted)).toEqual(got.slice(1).map(() => all));
    expect(got[3]?.written).not.toContain('"responseTime"');
    expect(got[4]?.written).toContain('"latency":{}');
    expect(got[6]?.written).toContain('"responseTime":9.5,"latency":{"p50":5,"p95":9.5,"p99":12.25}');
  });

  it('sorts a response map of several codes only when they were not counted in JSON order', () => {
    const sorts = vi.spyOn(Array.prototype, 'sort');
    const codesIn = (order: string[]) => {
      const of = labelsOf(order.map((code) => ({ ...(specs[0] as EdgeSpec), code })));
      const { written, expected, counted } = poll(
        { round: 1, of, view: order.join() },
        true,
        () => sorts.mock.calls.length,
      );
      expect(written).toBe(expected);
      return counted;
    };
    try {
      expect(codesIn(['200', '404', '503'])).toBe(0);
      expect(codesIn(['503', '404', '200'])).toBeGreaterThan(0);
      expect(codesIn(['404', '200', '503', '1000'])).toBeGreaterThan(0);
    } finally {
      sorts.mockRestore();
    }
  });

  it('checks in full an element whose record another walk at its place wrote last', () => {
    // Two walks of the same ids (one view's records), one with principals and one without, in turn.
    const bare = labelsOf(specs.map((e) => ({ ...e, principals: false })));
    const polls: Poll[] = [0, 1, 2, 3, 4, 5].map((round) =>
      round % 2 === 0 ? { round, view: 'a' } : { round, of: bare, view: 'b' },
    );
    const got = polls.map((p) => poll(p));
    expect(got.map((g) => g.written === g.expected)).toEqual(polls.map(() => true));
    expect(got[0]?.written).toContain('"sourcePrincipal"');
    expect(got[1]?.written).not.toContain('"sourcePrincipal"');
  });
});

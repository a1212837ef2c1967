import { describe, expect, it } from 'vitest';
import { appendBadges } from './appenders/badges';
import { appendBoxes } from './appenders/boxes';
import { appendOutsiders } from './appenders/outsider';
import { forgetKeptElements, isSealed, toElements } from './elements';
import { addTo, Tally } from './tally';
import { BOOKINFO, mapOf } from './test-samples';
import type { ResponseCounts, TrafficEdge, TrafficMap, TrafficNode } from './traffic-map';

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

  it('answers an element written the same again with the same data, frozen all the way down', () => {
    const m = map();
    forgetKeptElements();
    const a = toElements(m);
    expect(a.edges.some((e) => Object.isFrozen(e))).toBe(false);
    const b = toElements(m);
    expect(b.nodes).toHaveLength(a.nodes.length);
    for (const [i, n] of b.nodes.entries()) expect(n).toBe(a.nodes[i]);
    for (const [i, e] of b.edges.entries()) expect(e).toBe(a.edges[i]);
    const edge = b.edges[0];
    expect(
      Object.isFrozen(edge) && Object.isFrozen(edge?.traffic.rates) && Object.isFrozen(edge?.rates),
    ).toBe(true);
    expect(isSealed(edge)).toBe(true);
  });

  // Each change of what an element's data is written from: the data answered after it is what a build without
  // the elements kept writes (a field the comparison missed would answer the old data).
  const edgeOf = (m: TrafficMap) =>
    m.edges.get('app:bookinfo:productpage:v1->svc:bookinfo:reviews') as TrafficEdge;
  const nodeOf = (m: TrafficMap) => m.nodes.get('app:bookinfo:reviews:v1') as TrafficNode;
  const addCode = (codes: ResponseCounts) => {
    const c = { flags: new Tally<number>(), hosts: new Tally<number>() };
    addTo(c.flags, 'NR', 0.2);
    addTo(c.hosts, 'elsewhere', 0.2);
    codes.set('404', c);
  };
  const changes: [string, (m: TrafficMap) => void][] = [
    [
      'edge total',
      (m) => {
        edgeOf(m).rates.total += 0.5;
      },
    ],
    [
      'edge 4xx',
      (m) => {
        edgeOf(m).rates.http4xx += 0.1;
      },
    ],
    [
      'edge 5xx',
      (m) => {
        edgeOf(m).rates.http5xx -= 0.1;
      },
    ],
    [
      'edge no response',
      (m) => {
        edgeOf(m).rates.noResponse += 0.1;
      },
    ],
    ['edge protocol', (m) => edgeOf(m).protocols.set('grpc', 5)],
    ['edge protocol tcp', (m) => edgeOf(m).protocols.set('tcp', 5)],
    [
      'edge reporter',
      (m) => {
        edgeOf(m).reporter = 'mixed';
      },
    ],
    [
      'edge latency',
      (m) => {
        edgeOf(m).latency = { p50: 1, p95: 2, p99: 3 };
      },
    ],
    [
      'edge mTLS',
      (m) => {
        edgeOf(m).mtls = { yes: 1, all: 2 };
      },
    ],
    [
      'edge principals',
      (m) => {
        edgeOf(m).principals = { source: 'spiffe://a', dest: 'spiffe://b' };
      },
    ],
    [
      'edge mTLS warning',
      (m) => {
        edgeOf(m).mtlsWarning = 'plaintext';
      },
    ],
    [
      'edge refusal',
      (m) => {
        edgeOf(m).refusal = 'NR';
      },
    ],
    [
      'edge TLS origination',
      (m) => {
        edgeOf(m).tlsOrigination = 'SIMPLE';
      },
    ],
    [
      'edge health',
      (m) => {
        edgeOf(m).health = 'failure';
      },
    ],
    [
      'edge tcp',
      (m) => {
        edgeOf(m).tcp = 12.5;
      },
    ],
    ['edge codes', (m) => addCode(edgeOf(m).codes)],
    [
      'edge badges',
      (m) => {
        edgeOf(m).badges = { canary: { host: 'reviews', weights: [] } };
      },
    ],
    [
      'edge caller out',
      (m) => {
        (m.nodes.get('app:bookinfo:productpage:v1') as TrafficNode).out += 1;
      },
    ],
    [
      'node inbound total',
      (m) => {
        nodeOf(m).inbound.total += 1;
      },
    ],
    [
      'node 4xx',
      (m) => {
        nodeOf(m).inbound.http4xx += 0.1;
      },
    ],
    [
      'node 5xx',
      (m) => {
        nodeOf(m).inbound.http5xx += 0.1;
      },
    ],
    [
      'node no response',
      (m) => {
        nodeOf(m).inbound.noResponse += 0.1;
      },
    ],
    [
      'node out',
      (m) => {
        nodeOf(m).out += 1;
      },
    ],
    [
      'node tcp in',
      (m) => {
        nodeOf(m).tcpIn = 3;
      },
    ],
    [
      'node tcp out',
      (m) => {
        nodeOf(m).tcpOut = 3;
      },
    ],
    [
      'node protocol',
      (m) => {
        nodeOf(m).protocol = 'grpc';
      },
    ],
    [
      'node protocol tcp',
      (m) => {
        nodeOf(m).protocol = 'tcp';
      },
    ],
    ['node codes', (m) => addCode(nodeOf(m).codes)],
    [
      'node dest services',
      (m) => {
        nodeOf(m).destServices = undefined;
      },
    ],
    [
      'node inbound',
      (m) => {
        nodeOf(m).hasInbound = false;
      },
    ],
    [
      'node latency',
      (m) => {
        nodeOf(m).latency = { p50: 5 };
      },
    ],
    [
      'node health',
      (m) => {
        nodeOf(m).health = 'degraded';
      },
    ],
    [
      'node service entry',
      (m) => {
        nodeOf(m).isServiceEntry = 'MESH_EXTERNAL';
      },
    ],
    [
      'node egress gateway',
      (m) => {
        nodeOf(m).isEgressGateway = true;
      },
    ],
    [
      'node egress scope',
      (m) => {
        nodeOf(m).egressScope = { hosts: ['*/*'] } as TrafficNode['egressScope'];
      },
    ],
    [
      'node outside',
      (m) => {
        nodeOf(m).isOutside = !nodeOf(m).isOutside;
      },
    ],
    [
      'node parent',
      (m) => {
        nodeOf(m).parent = 'box:other';
      },
    ],
    [
      'node badges',
      (m) => {
        nodeOf(m).badges = { ...nodeOf(m).badges, canary: { host: 'reviews', weights: [] } };
      },
    ],
    [
      'node VS',
      (m) => {
        nodeOf(m).hasVS = true;
      },
    ],
    [
      'node CB',
      (m) => {
        nodeOf(m).hasCB = !nodeOf(m).hasCB;
      },
    ],
    [
      'node spec',
      (m) => {
        nodeOf(m).spec = { ...nodeOf(m).spec, version: 'v9' };
      },
    ],
  ];
  it.each(changes)('writes an element anew when its %s changed', (_, change) => {
    const m = map();
    forgetKeptElements();
    const before = JSON.stringify(toElements(m));
    toElements(m); // kept and frozen
    change(m);
    const after = JSON.stringify(toElements(m));
    forgetKeptElements();
    const fresh = JSON.stringify(toElements(m));
    expect(after).toBe(fresh);
    expect(after).not.toBe(before);
  });
});

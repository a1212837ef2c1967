import { describe, expect, it } from 'vitest';
import type { Sidecar, WorkloadEntry } from '../../mesh-config/schema';
import type { MeshConfigView } from '../config-badges';
import { assembleSamples, BOOKINFO, mapOf, requestSample } from '../test-samples';
import type { TrafficMap } from '../traffic-map';
import { appendEgress } from './egress';

const { ratings, reviewsV1 } = BOOKINFO;
const gateway = { ns: 'istio-system', wl: 'istio-egressgateway', app: 'istio-egressgateway' };
const toGateway = requestSample({
  reporter: 'source',
  from: ratings,
  to: gateway,
  service: 'istio-egressgateway.istio-system.svc.cluster.local',
  rps: 3,
});

function sidecar(name: string, ns: string, hosts: string[], app?: string): Sidecar {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'Sidecar',
    metadata: { name, namespace: ns },
    spec: {
      ...(app ? { workloadSelector: { labels: { app } } } : {}),
      egress: [{ hosts }],
      outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' },
    },
  } as Sidecar;
}
const config = (sidecars: Sidecar[]): MeshConfigView => ({
  virtualServices: [],
  destinationRules: [],
  serviceEntries: [],
  sidecars,
});

function graph(config?: MeshConfigView) {
  return assembleSamples({
    graphType: 'versionedApp',
    injectServiceNodes: true,
    namespaces: [],
    config,
    requests: [
      // Allowed out under ALLOW_ANY, refused under REGISTRY_ONLY: Istio's labels, the host as the service.
      requestSample({
        reporter: 'source',
        from: reviewsV1,
        service: 'api.example.com',
        serviceName: 'PassthroughCluster',
        rps: 2,
      }),
      requestSample({
        reporter: 'source',
        from: ratings,
        service: 'evil.example.org',
        serviceName: 'BlackHoleCluster',
        code: '502',
        flags: 'NR',
        rps: 1,
      }),
      toGateway,
    ],
  });
}

describe('egress appender', () => {
  it('draws PassthroughCluster and BlackHoleCluster as service nodes flagged isEgressCluster (Kiali)', () => {
    const g = graph();
    const pass = g.nodes.find((n) => n.id === 'svc:bookinfo:PassthroughCluster');
    expect(pass).toMatchObject({ nodeType: 'service', service: 'PassthroughCluster', isEgressCluster: true });
    expect(pass?.isServiceEntry).toBeUndefined();
    expect(pass?.responses['200']?.hosts).toEqual({ 'api.example.com': 100 });
    expect(g.nodes.find((n) => n.id === 'svc:bookinfo:BlackHoleCluster')?.isEgressCluster).toBe(true);
  });

  it('says why traffic into BlackHoleCluster was refused, naming the host', () => {
    const e = graph().edges.find((x) => x.target === 'svc:bookinfo:BlackHoleCluster');
    expect(e?.refusal).toMatch(/^100% of requests to evil\.example\.org refused .*502 NR.*REGISTRY_ONLY/);
    expect(
      graph().edges.find((x) => x.target === 'svc:bookinfo:PassthroughCluster')?.refusal,
    ).toBeUndefined();
  });

  it("gives a polled map of the same series its refusals from this poll's rates, on places kept with its shape", () => {
    const blackHole = { reporter: 'source', from: ratings, service: 'evil.example.org' } as const;
    const samples = (refused: number) => [
      requestSample({
        ...blackHole,
        serviceName: 'BlackHoleCluster',
        code: '502',
        flags: 'NR',
        rps: refused,
      }),
      requestSample({ ...blackHole, serviceName: 'BlackHoleCluster', rps: 1 }),
      toGateway,
    ];
    // Shared labels (frozen, as the series memo keeps them): the walk's plan, and its map's shape, are kept.
    const shared = samples(1).map((s) => Object.freeze({ ...s.labels }));
    const egressOf = (m: TrafficMap) => ({
      nodes: Object.fromEntries([...m.nodes].map(([id, n]) => [id, n.isEgressGateway])),
      edges: Object.fromEntries([...m.edges].map(([id, e]) => [id, e.refusal])),
    });
    const fresh = (refused: number) => {
      const m = mapOf([], { requests: samples(refused) });
      appendEgress(m, undefined);
      return egressOf(m);
    };
    const polled = (refused: number, reorder = false) => {
      const m = mapOf([], {
        requests: samples(refused).map((s, i) => ({ labels: shared[i] as typeof s.labels, value: s.value })),
      });
      if (reorder)
        for (const elements of [m.nodes, m.edges] as Map<string, unknown>[]) {
          const [id, element] = [...elements][0] as [string, unknown];
          elements.delete(id);
          elements.set(id, element);
        }
      appendEgress(m, undefined);
      return m;
    };
    const first = polled(1);
    const second = polled(3);
    expect(second.routes).toBe(first.routes);
    expect(egressOf(first)).toEqual(fresh(1));
    expect(egressOf(second)).toEqual(fresh(3));
    expect(Object.values(egressOf(second).edges).find((r) => r)).toMatch(/^75% of requests/);
    expect(egressOf(second).nodes['app:istio-system:istio-egressgateway:latest']).toBe(true);
    // The same series met in another order: each element checked, the places found again.
    expect(egressOf(polled(2, true))).toEqual(fresh(2));
  });

  it('flags the egress gateway and gives a workload the Sidecar egress scope that applies to it', () => {
    const g = graph(
      config([
        sidecar('default', 'bookinfo', ['./*', 'istio-system/*']),
        sidecar(
          'ratings-egress',
          'bookinfo',
          ['istio-system/istio-egressgateway.istio-system.svc.cluster.local'],
          'ratings',
        ),
      ]),
    );
    expect(
      g.nodes.find((n) => n.nodeType === 'app' && n.app === 'istio-egressgateway')?.isEgressGateway,
    ).toBe(true);
    expect(g.nodes.find((n) => n.id === 'app:bookinfo:ratings:v1')?.egressScope).toEqual({
      sidecar: 'bookinfo/ratings-egress',
      appliesBy: 'workload',
      hosts: ['istio-system/istio-egressgateway.istio-system.svc.cluster.local'],
      outboundTrafficPolicy: 'REGISTRY_ONLY',
    });
    expect(g.nodes.find((n) => n.id === 'app:bookinfo:reviews:v1')?.egressScope).toMatchObject({
      sidecar: 'bookinfo/default',
      appliesBy: 'namespace',
    });
    // The refusal names the caller's Sidecar scope.
    expect(g.edges.find((x) => x.target === 'svc:bookinfo:BlackHoleCluster')?.refusal).toContain(
      "The caller's Sidecar bookinfo/ratings-egress allows only istio-system/istio-egressgateway",
    );
  });

  it('marks the TLS origination on the edge out to an external host, from its DestinationRule', () => {
    const g = assembleSamples({
      graphType: 'versionedApp',
      injectServiceNodes: true,
      namespaces: [],
      config: {
        virtualServices: [],
        destinationRules: [
          {
            apiVersion: 'networking.istio.io/v1',
            kind: 'DestinationRule',
            metadata: { name: 'db-tls', namespace: 'istio-system' },
            spec: { host: 'ratings-db.example.com', trafficPolicy: { tls: { mode: 'SIMPLE' } } },
          } as MeshConfigView['destinationRules'][number],
        ],
        serviceEntries: [],
      },
      requests: [
        requestSample({ reporter: 'source', from: gateway, service: 'ratings-db.example.com', rps: 1 }),
        requestSample({ reporter: 'source', from: ratings, service: 'api.example.com', rps: 1 }),
      ],
    });
    expect(g.edges.find((e) => e.target.endsWith('ratings-db.example.com'))?.tlsOrigination).toBe('SIMPLE');
    expect(g.edges.find((e) => e.target.endsWith('api.example.com'))?.tlsOrigination).toBeUndefined();
  });

  it('recognises an egress gateway by its registered labels (istio: egressgateway), whatever its name', () => {
    const exit = { ns: 'edge', wl: 'exit-proxy', app: 'exit-proxy' };
    const entry = (ns: string, labels: Record<string, string>): WorkloadEntry => ({
      apiVersion: 'networking.istio.io/v1',
      kind: 'WorkloadEntry',
      metadata: { name: `${labels['meshlens.io/workload']}-1`, namespace: ns, labels },
      spec: { address: '127.0.0.1', labels },
    });
    const requests = [
      requestSample({
        reporter: 'source',
        from: ratings,
        to: exit,
        service: 'exit-proxy.edge.svc.cluster.local',
        rps: 1,
      }),
      requestSample({
        reporter: 'source',
        from: reviewsV1,
        to: { ...exit, ns: 'other' },
        service: 'exit-proxy.other.svc.cluster.local',
        rps: 1,
      }),
    ];
    const g = assembleSamples({
      graphType: 'workload',
      injectServiceNodes: false,
      namespaces: [],
      config: {
        ...config([]),
        gatewayWorkloads: [
          entry('edge', { app: 'exit-proxy', 'meshlens.io/workload': 'exit-proxy', istio: 'egressgateway' }),
          // Labelled as another gateway: not an egress one.
          entry('other', {
            app: 'exit-proxy',
            'meshlens.io/workload': 'exit-proxy',
            istio: 'ingressgateway',
          }),
        ],
      },
      requests,
    });
    const node = (ns: string) => g.nodes.find((n) => n.namespace === ns && n.workload === 'exit-proxy');
    expect(node('edge')?.isEgressGateway).toBe(true);
    expect(node('other')?.isEgressGateway).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../sidecar-config/static-file-source';
import { clusterFor, compileMesh, lookupService, MeshCompileError } from './mesh-model';

const MESH = `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews.default.svc.cluster.local]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{number: 9080, name: http}]
  workloadSelector: {labels: {app: reviews}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: reviews-v1-a, namespace: default}
spec:
  address: 127.0.0.1
  ports: {http: 15106}
  labels: {app: reviews, version: v1, meshlens.io/workload: reviews-v1}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: reviews-v2-a, namespace: default}
spec:
  address: 127.0.0.2
  ports: {http: 15206}
  labels: {app: reviews, version: v2}
status:
  conditions: [{type: Healthy, status: "False"}]
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: other, namespace: prod}
spec:
  address: 127.0.0.3
  labels: {app: reviews, version: v1}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: default}
spec:
  host: reviews
  trafficPolicy:
    loadBalancer: {simple: ROUND_ROBIN}
    outlierDetection: {consecutive5xxErrors: 2, baseEjectionTime: 1s}
  subsets:
  - {name: v1, labels: {version: v1}}
  - name: v2
    labels: {version: v2}
    trafficPolicy: {loadBalancer: {simple: RANDOM}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews]
  http:
  - match: [{headers: {end-user: {exact: jason}}}]
    route: [{destination: {host: reviews, subset: v2}}]
    fault: {abort: {httpStatus: 500, percentage: {value: 50}}}
  - route:
    - {destination: {host: reviews, subset: v1}, weight: 90}
    - {destination: {host: reviews, subset: v2}, weight: 10}
    retries: {attempts: 3, perTryTimeout: 100ms, retryOn: 5xx}
    timeout: 2s
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: httpbin, namespace: default}
spec:
  hosts: [httpbin.org]
  location: MESH_EXTERNAL
  resolution: STATIC
  ports: [{number: 80, name: http}]
  endpoints: [{address: 127.0.0.9, ports: {http: 18080}}]
`;

const model = compileMesh(parseConfigText(MESH, 'mesh.yaml'), 'default');

describe('compileMesh', () => {
  it('discovers internal endpoints from WorkloadEntries of the same namespace matching the selector', () => {
    const all = model.clusters.get('outbound|9080||reviews.default.svc.cluster.local');
    expect(all?.endpoints.map((e) => [e.key, e.healthy])).toEqual([
      ['127.0.0.1:15106', true],
      ['127.0.0.2:15206', false],
    ]);
    expect(all?.endpoints[0]?.identity).toMatchObject({
      workload: 'reviews-v1',
      namespace: 'default',
      app: 'reviews',
      version: 'v1',
      canonicalService: 'reviews',
      canonicalRevision: 'v1',
    });
    expect(all?.endpoints[1]?.identity.workload).toBe('reviews-v2-a');
  });

  it('makes one cluster per subset with its endpoints and merged traffic policy', () => {
    const v1 = model.clusters.get('outbound|9080|v1|reviews.default.svc.cluster.local');
    const v2 = model.clusters.get('outbound|9080|v2|reviews.default.svc.cluster.local');
    expect(v1?.endpoints.map((e) => e.key)).toEqual(['127.0.0.1:15106']);
    expect(v1?.lb).toBe('ROUND_ROBIN');
    expect(v1?.outlier).toMatchObject({ consecutive5xx: 2, baseEjectionMs: 1000 });
    expect(v2?.lb).toBe('RANDOM');
    expect(v2?.outlier?.consecutive5xx).toBe(2);
  });

  it('compiles the VirtualService routes with weights, retries, timeout and fault', () => {
    const reviews = lookupService(model, 'reviews');
    expect(reviews?.routeSource).toBe('VirtualService default/reviews');
    const [jason, split] = reviews?.routes ?? [];
    expect(jason?.fault).toMatchObject({ abortStatus: 500, abortFraction: 0.5 });
    expect(split?.cumulative).toEqual([90, 100]);
    expect(split?.retry).toMatchObject({ retries: 3, perTryTimeoutMs: 100 });
    expect(split?.timeoutMs).toBe(2000);
    const d = split?.destinations[1];
    expect(d && clusterFor(d, 9080).name).toBe('outbound|9080|v2|reviews.default.svc.cluster.local');
    expect(d && clusterFor(d, 1234).name).toBe('outbound|9080|v2|reviews.default.svc.cluster.local');
  });

  it('resolves short, namespaced and fully qualified names, and external hosts', () => {
    for (const h of [
      'reviews',
      'reviews.default',
      'reviews.default.svc',
      'reviews.default.svc.cluster.local',
      'Reviews',
    ])
      expect(lookupService(model, h)?.fqdn).toBe('reviews.default.svc.cluster.local');
    const ext = lookupService(model, 'httpbin.org');
    expect(ext?.identity).toEqual({
      service: 'httpbin.org',
      serviceName: 'httpbin.org',
      serviceNamespace: 'unknown',
    });
    expect(model.clusters.get('outbound|80||httpbin.org')?.endpoints.map((e) => e.key)).toEqual([
      '127.0.0.9:18080',
    ]);
    expect(lookupService(model, 'ratings')).toBeUndefined();
    expect(compileMesh(parseConfigText(MESH, 'm'), 'prod').aliases.has('reviews')).toBe(false);
  });

  it("gives a service without VirtualService Istio's default route", () => {
    const ext = lookupService(model, 'httpbin.org');
    expect(ext?.routes).toHaveLength(1);
    expect(ext?.routes[0]?.retry.retries).toBe(2);
    expect(ext?.routes[0]?.matchers).toEqual([]);
  });

  it('fails as a whole on a route to an unknown subset, naming the resource and field', () => {
    const snap = parseConfigText(MESH, 'mesh.yaml');
    const broken = snap.resources.map((r) =>
      r.kind === 'DestinationRule' ? { ...r, spec: { ...r.spec, subsets: [] } } : r,
    );
    expect(() => compileMesh({ resources: broken }, 'default')).toThrow(MeshCompileError);
    expect(() => compileMesh({ resources: broken }, 'default')).toThrow(
      /VirtualService default\/reviews: spec\.http\[0\]\.route\[0\]\.destination\.subset/,
    );
  });
});

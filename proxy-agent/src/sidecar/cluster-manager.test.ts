import { afterEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../sidecar-config/static-file-source';
import { ClusterManager, pipelineDepthFor, SIDECAR_PIPELINE_DEPTH } from './cluster-manager';
import { compileMesh } from './mesh-model';
import type { ClusterStats, EndpointState, SidecarMetricsApi } from './telemetry-types';

function fakeMetrics() {
  const calls: Record<string, string[]> = {};
  let endpoints: readonly EndpointState[] = [];
  const metrics: SidecarMetricsApi = {
    recordRequest: () => {},
    tcp: () => ({ opened: 0, closed: 0, sentBytes: 0, receivedBytes: 0 }),
    cluster: (name) => {
      const log: string[] = calls[name] ?? [];
      calls[name] = log;
      const stats: ClusterStats = {
        retry: () => log.push('retry'),
        retrySuccess: () => log.push('retrySuccess'),
        retryOverflow: () => log.push('retryOverflow'),
        retryLimitExceeded: () => log.push('retryLimitExceeded'),
        pendingOverflow: () => log.push('pendingOverflow'),
        ejectionEnforced: () => log.push('ejectionEnforced'),
        setEjectionsActive: (n) => log.push(`ejectionsActive=${n}`),
        setMembership: (h, t) => log.push(`membership=${h}/${t}`),
      };
      return stats;
    },
    setEndpoints: (e) => {
      endpoints = e;
    },
    exposition: () => ({
      contentType: 'text/plain',
      chunks: (async function* () {})(),
    }),
  };
  return { metrics, calls, endpoints: () => endpoints };
}

const yaml = (
  ports: number[],
  od = '{consecutive5xxErrors: 1, baseEjectionTime: 1s, maxEjectionPercent: 100}',
) => `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews.default.svc.cluster.local]
  location: MESH_INTERNAL
  ports: [{number: 9080, name: http}]
  workloadSelector: {labels: {app: reviews}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: default}
spec:
  host: reviews
  trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}, outlierDetection: ${od}}
${ports
  .map(
    (p) => `---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: r-${p}, namespace: default}
spec: {address: 127.0.0.1, ports: {http: ${p}}, labels: {app: reviews}}
`,
  )
  .join('')}`;

const NAME = 'outbound|9080||reviews.default.svc.cluster.local';
const model = (ports: number[]) => compileMesh(parseConfigText(yaml(ports), 'm'), 'default');

let manager: ClusterManager | undefined;
afterEach(async () => {
  await manager?.close();
});

describe('ClusterManager', () => {
  it('ejects an endpoint out of the picks, counts it, and brings it back after the ejection time', () => {
    const { metrics, calls } = fakeMetrics();
    manager = new ClusterManager(metrics);
    manager.apply(model([1001, 1002]));
    const rt = manager.get(NAME);
    if (!rt) throw new Error('no cluster');
    const a = rt.pick(undefined, 0);
    if (!a) throw new Error('no endpoint');
    expect(rt.recordResult(a, 503, 1000)).toBe(true);
    expect(calls[NAME]).toContain('ejectionEnforced');
    expect(calls[NAME]).toContain('ejectionsActive=1');
    expect(calls[NAME]).toContain('membership=1/2');
    for (let i = 0; i < 4; i++) expect(rt.pick(undefined, 1500)).not.toBe(a);
    const back = new Set([rt.pick(undefined, 2000), rt.pick(undefined, 2000)]);
    expect(back.has(a)).toBe(true);
  });

  it('avoids endpoints already tried when it can', () => {
    const { metrics } = fakeMetrics();
    manager = new ClusterManager(metrics);
    manager.apply(model([1001, 1002]));
    const rt = manager.get(NAME);
    const first = rt?.pick(undefined, 0);
    if (!rt || !first) throw new Error('no endpoint');
    for (let i = 0; i < 5; i++) expect(rt.pick(new Set([first]), 0)).not.toBe(first);
  });

  it('keeps endpoint state and pools across a config swap, drops removed clusters', () => {
    const { metrics, calls, endpoints } = fakeMetrics();
    manager = new ClusterManager(metrics);
    manager.apply(model([1001, 1002]));
    const rt = manager.get(NAME);
    const a = rt?.pick(undefined, 0);
    if (!rt || !a) throw new Error('no endpoint');
    rt.recordResult(a, 503, Date.now());
    const pool = a.pool;
    manager.apply(model([1001, 1002, 1003]));
    expect(manager.get(NAME)).toBe(rt);
    const state = manager.states(Date.now())[0]?.endpoints.find((e) => e.address === a.config.key);
    expect(state).toMatchObject({ ejected: true, timesEjected: 1 });
    expect(rt.pick(undefined, Date.now())?.pool).not.toBeUndefined();
    expect(a.pool).toBe(pool);
    manager.publishEndpoints(Date.now());
    expect(endpoints()).toHaveLength(3);
    manager.apply(compileMesh({ resources: [] }, 'default'));
    expect(manager.get(NAME)).toBeUndefined();
    expect(calls[NAME]?.at(-1)).toBe('ejectionsActive=0');
  });

  it('reads the clock for picks and results only in a cluster with outlier detection', () => {
    const { metrics } = fakeMetrics();
    manager = new ClusterManager(metrics);
    const before = Date.now();
    manager.apply(model([1001, 1002]));
    expect(manager.get(NAME)?.outlierClock()).toBeGreaterThanOrEqual(before);
    const noOutlier = yaml([1001, 1002]).replace(/, outlierDetection: \{[^}]*\}/, '');
    expect(noOutlier).not.toContain('outlierDetection');
    manager.apply(compileMesh(parseConfigText(noOutlier, 'm'), 'default'));
    const rt = manager.get(NAME);
    if (!rt) throw new Error('no cluster');
    expect(rt.outlierClock()).toBe(0);
    // Without outlier detection the time given does not matter: 5xx eject nothing.
    const a = rt.pick(undefined, rt.outlierClock());
    if (!a) throw new Error('no endpoint');
    for (let i = 0; i < 5; i++) expect(rt.recordResult(a, 503, rt.outlierClock())).toBe(false);
    const picked = new Set([rt.pick(undefined, 0), rt.pick(undefined, 0)]);
    expect(picked.has(a)).toBe(true);
  });
});

describe('pipelineDepthFor', () => {
  const endpoint = (sidecar: boolean) =>
    ({ key: '10.0.0.1:9080', host: '10.0.0.1', port: 9080, sidecar }) as unknown as Parameters<
      typeof pipelineDepthFor
    >[0];
  it('pipelines only to an endpoint labelled a sidecar, over plaintext or Istio mTLS', () => {
    const mtls = { kind: 'istio-mutual', sni: 's', expectedIds: [], namespace: 'default' } as const;
    expect(pipelineDepthFor(endpoint(true), { kind: 'plaintext' })).toBe(SIDECAR_PIPELINE_DEPTH);
    expect(pipelineDepthFor(endpoint(true), mtls)).toBe(SIDECAR_PIPELINE_DEPTH);
    expect(SIDECAR_PIPELINE_DEPTH).toBeGreaterThan(1);
    expect(pipelineDepthFor(endpoint(false), { kind: 'plaintext' })).toBe(1);
    // TLS a DestinationRule originates goes to a server outside the mesh's sidecars.
    const simple = { kind: 'simple', sni: 'x', subjectAltNames: [], insecureSkipVerify: false } as const;
    expect(pipelineDepthFor(endpoint(true), simple)).toBe(1);
  });
});

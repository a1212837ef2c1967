// The outbound and inbound listeners over real HTTP: service discovery, canary weights, route matching,
// load balancing, no route, external services, both reporters' metrics, B3 to the app, config swaps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SidecarMetrics } from '../src/sidecar/metrics';
import { type SidecarHandle, startSidecar } from '../src/sidecar/sidecar';
import { parseConfigText, staticSource } from '../src/sidecar-config/static-file-source';
import {
  getText,
  mutableSource,
  named,
  recordingTracer,
  send,
  serviceEntry,
  startUpstream,
  type Upstream,
  workloadEntry,
  yamlDocs,
} from './sidecar-harness';
import { freePort } from './support/processes';

const upstreams: Upstream[] = [];
const sidecars: SidecarHandle[] = [];
let v1a: Upstream;
let v1b: Upstream;
let v2: Upstream;
let ext: Upstream;
let caller: SidecarHandle;
let callerSource: ReturnType<typeof mutableSource>;
const callerTracer = recordingTracer();
let meshYaml: string;

beforeAll(async () => {
  v1a = await startUpstream(named('v1a'));
  v1b = await startUpstream(named('v1b'));
  v2 = await startUpstream(named('v2'));
  ext = await startUpstream(named('external'));
  upstreams.push(v1a, v1b, v2, ext);
  meshYaml = yamlDocs(
    serviceEntry('reviews'),
    workloadEntry('reviews', 'v1', v1a.port, { name: 'reviews-v1-a' }),
    workloadEntry('reviews', 'v1', v1b.port, { name: 'reviews-v1-b' }),
    workloadEntry('reviews', 'v2', v2.port),
    `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: default}
spec:
  host: reviews
  trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
`,
    `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews]
  http:
  - match: [{headers: {end-user: {exact: jason}}}, {uri: {prefix: /v2/}}]
    route: [{destination: {host: reviews, subset: v2}}]
  - match: [{uri: {regex: '/(reviews|health)(/.*)?'}}]
    route:
    - {destination: {host: reviews, subset: v1}, weight: 80}
    - {destination: {host: reviews, subset: v2}, weight: 20}
`,
    `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: httpbin, namespace: default}
spec:
  hosts: [httpbin.org]
  location: MESH_EXTERNAL
  resolution: STATIC
  ports: [{number: 80, name: http}]
  endpoints: [{address: 127.0.0.1, ports: {http: ${ext.port}}}]
`,
  );
  callerSource = mutableSource(parseConfigText(meshYaml, 'mesh.yaml'));
  caller = await startSidecar({
    service: 'productpage',
    appPort: await freePort(),
    configSource: callerSource.source,
    metrics: new SidecarMetrics(),
    tracer: callerTracer.tracer,
    log: () => {},
  });
  sidecars.push(caller);
});

afterAll(async () => {
  await Promise.all(sidecars.map((s) => s.close()));
  await Promise.all(upstreams.map((u) => u.close()));
});

describe('outbound routing', () => {
  it('splits 80/20 between subsets within statistical noise over 1,000 requests', async () => {
    const counts: Record<string, number> = {};
    for (let i = 0; i < 1000; i += 50) {
      const replies = await Promise.all(
        Array.from({ length: 50 }, () =>
          send(caller.ports.outbound, { host: 'reviews:9080', path: '/reviews/1' }),
        ),
      );
      for (const r of replies) {
        expect(r.status).toBe(200);
        const group = r.body === 'v2' ? 'v2' : 'v1';
        counts[group] = (counts[group] ?? 0) + 1;
      }
    }
    // Binomial(1000, 0.2): sd ≈ 12.6; 4 sd either side.
    expect(counts.v2).toBeGreaterThan(200 - 51);
    expect(counts.v2).toBeLessThan(200 + 51);
  });

  it('balances a subset round robin across its endpoints', async () => {
    const before = [v1a.seen.length, v1b.seen.length];
    const replies: string[] = [];
    for (let i = 0; i < 30; i++) {
      // The weighted route sends most requests to v1: its answers alternate between the two endpoints.
      const r = await send(caller.ports.outbound, { host: 'reviews', path: '/health' });
      if (r.body !== 'v2') replies.push(r.body);
    }
    const a = v1a.seen.length - (before[0] as number);
    const b = v1b.seen.length - (before[1] as number);
    expect(Math.abs(a - b)).toBeLessThanOrEqual(1);
    for (let i = 1; i < replies.length; i++) expect(replies[i]).not.toBe(replies[i - 1]);
  });

  it('matches headers and URI prefixes, in route order', async () => {
    expect(
      (await send(caller.ports.outbound, { host: 'reviews', path: '/x', headers: { 'end-user': 'jason' } }))
        .body,
    ).toBe('v2');
    expect((await send(caller.ports.outbound, { host: 'reviews.default', path: '/v2/a' })).body).toBe('v2');
  });

  it('answers 404 NR when no route matches; an unknown host passes through (ALLOW_ANY), here to nowhere', async () => {
    const noRoute = await send(caller.ports.outbound, { host: 'reviews', path: '/other' });
    expect(noRoute.status).toBe(404);
    expect(noRoute.headers['x-envoy-response-flags']).toBe('NR');
    // PassthroughCluster (egress-sidecar.test.ts): `.invalid` never resolves, so the connection fails.
    const unknown = await send(caller.ports.outbound, { host: 'ratings.invalid', path: '/' });
    expect(unknown.status).toBe(503);
    expect(unknown.headers['x-envoy-response-flags']).toBe('UF');
  });

  it('takes absolute-form proxy requests and calls external services directly', async () => {
    const r = await send(caller.ports.outbound, { path: 'http://httpbin.org/get?a=1', host: 'httpbin.org' });
    expect(r.status).toBe(200);
    expect(r.body).toBe('external');
    expect(ext.seen.at(-1)?.url).toBe('/get?a=1');
    expect(ext.seen.at(-1)?.headers.host).toBe('httpbin.org');
  });

  it('sends the client span B3 headers upstream and records the attempt', async () => {
    const n = callerTracer.spans.length;
    await send(caller.ports.outbound, {
      host: 'reviews.default.svc.cluster.local',
      path: '/v2/trace',
      headers: {
        'x-b3-traceid': '463ac35c9f6413ad48485a3953bb6124',
        'x-b3-spanid': 'a2fb4a1d1a96d312',
        'x-b3-sampled': '1',
      },
    });
    const span = callerTracer.spans.slice(n).find((s) => s.kind === 'client');
    expect(span?.traceId).toBe('463ac35c9f6413ad48485a3953bb6124');
    expect(span?.start.upstreamCluster).toBe('outbound|9080|v2|reviews.default.svc.cluster.local');
    expect(span?.attempts).toEqual([
      expect.objectContaining({
        attempt: 1,
        endpoint: `127.0.0.1:${v2.port}`,
        statusCode: 200,
        responseFlags: '-',
      }),
    ]);
    const got = v2.seen.at(-1)?.headers;
    expect(got?.['x-b3-traceid']).toBe('463ac35c9f6413ad48485a3953bb6124');
    expect(got?.['x-b3-spanid']).toBe(span?.spanId);
  });
});

describe('config swaps', () => {
  it('keeps the old config when a new snapshot does not compile, and reports why', async () => {
    const broken = parseConfigText(meshYaml, 'mesh.yaml').resources.map((r) =>
      r.kind === 'DestinationRule' ? { ...r, spec: { ...r.spec, subsets: [] } } : r,
    );
    callerSource.push({ resources: broken, resourceVersion: '7' });
    expect(caller.lastConfigError()?.message).toMatch(/VirtualService default\/reviews: .*subset/);
    expect((await send(caller.ports.outbound, { host: 'reviews', path: '/v2/x' })).body).toBe('v2');
    const dump = JSON.parse((await getText(`http://127.0.0.1:${caller.ports.admin}/config_dump`)).body);
    expect(dump.lastConfigError.resourceVersion).toBe('7');
    expect(dump.effective.services.map((s: { host: string }) => s.host)).toContain(
      'reviews.default.svc.cluster.local',
    );
  });

  it('applies a valid snapshot whole: new routes take effect', async () => {
    const shifted = meshYaml.replace('weight: 80', 'weight: 0').replace('weight: 20', 'weight: 100');
    callerSource.push(parseConfigText(shifted, 'mesh.yaml'));
    expect(caller.lastConfigError()).toBeUndefined();
    const replies = await Promise.all(
      Array.from({ length: 20 }, () => send(caller.ports.outbound, { host: 'reviews', path: '/reviews/2' })),
    );
    expect(new Set(replies.map((r) => r.body))).toEqual(new Set(['v2']));
    callerSource.push(parseConfigText(meshYaml, 'mesh.yaml'));
  });
});

describe('inbound listener and metrics', () => {
  it('forwards to the app with the server span B3 headers; both reporters label the request', async () => {
    const app = await startUpstream(named('details-app'));
    upstreams.push(app);
    const inboundPort = await freePort();
    // The caller is a workload the callee's config knows (its WorkloadEntry); over plaintext that is not enough.
    const yaml = yamlDocs(
      serviceEntry('details'),
      workloadEntry('details', 'v1', inboundPort),
      workloadEntry('productpage', 'v1', await freePort()),
    );
    const calleeTracer = recordingTracer();
    const callee = await startSidecar({
      service: 'details',
      version: 'v1',
      appPort: app.port,
      inboundPort,
      configSource: staticSource(parseConfigText(yaml, 'details.yaml')),
      tracer: calleeTracer.tracer,
      log: () => {},
    });
    sidecars.push(callee);
    callerSource.push(parseConfigText(yamlDocs(meshYaml, yaml), 'mesh.yaml'));

    const r = await send(caller.ports.outbound, { host: 'details:9080', path: '/details/0' });
    expect(r.status).toBe(200);
    expect(r.body).toBe('details-app');
    const server = calleeTracer.spans.find((s) => s.kind === 'server');
    const client = callerTracer.spans.at(-1);
    expect(server?.traceId).toBe(client?.traceId);
    expect(server?.parentSpanId).toBe(client?.spanId);
    expect(app.seen[0]?.headers['x-b3-spanid']).toBe(server?.spanId);
    expect(app.seen[0]?.headers['x-meshlens-peer']).toBeUndefined();

    const source = (await getText(`http://127.0.0.1:${caller.ports.admin}/stats/prometheus`)).body;
    const dest = (await getText(`http://127.0.0.1:${callee.ports.admin}/stats/prometheus`)).body;
    const line = (text: string, reporter: string) =>
      text
        .split('\n')
        .find(
          (l) =>
            l.startsWith('istio_requests_total{') &&
            l.includes(`reporter="${reporter}"`) &&
            l.includes('destination_app="details"'),
        );
    const s = line(source, 'source');
    const d = line(dest, 'destination');
    expect(s).toContain('source_workload="productpage-v1"');
    expect(s).toContain('source_canonical_service="productpage"');
    expect(s).toContain('connection_security_policy="unknown"');
    // Without mTLS the callee cannot know its caller (its peer header is not believed over plaintext).
    expect(d).toContain('source_workload="unknown"');
    expect(d).toContain('source_principal="unknown"');
    expect(d).toContain('connection_security_policy="none"');
    for (const l of [s, d]) {
      expect(l).toContain('destination_workload="details-v1"');
      expect(l).toContain('destination_service="details.default.svc.cluster.local"');
      expect(l).toContain('destination_service_name="details"');
      expect(l).toContain('response_code="200"');
      expect(l).toContain('response_flags="-"');
      expect(l).toMatch(/ 1$/);
    }
    const nr = source
      .split('\n')
      .find((l) => l.startsWith('istio_requests_total{') && l.includes('response_flags="NR"'));
    expect(nr).toContain('response_code="404"');
  });

  it('answers 503 UF at the inbound side when the app is down', async () => {
    const inboundPort = await freePort();
    const yaml = yamlDocs(serviceEntry('ratings'), workloadEntry('ratings', 'v1', inboundPort));
    const callee = await startSidecar({
      service: 'ratings',
      appPort: await freePort(),
      inboundPort,
      configSource: staticSource(parseConfigText(yaml, 'ratings.yaml')),
      tracer: recordingTracer().tracer,
      log: () => {},
    });
    sidecars.push(callee);
    const r = await send(callee.ports.inbound, { host: 'ratings', path: '/' });
    expect(r.status).toBe(503);
    expect(r.headers['x-envoy-response-flags']).toBe('UF');
    const dest = (await getText(`http://127.0.0.1:${callee.ports.admin}/stats/prometheus`)).body;
    expect(dest).toMatch(
      /istio_requests_total\{[^}]*reporter="destination"[^}]*response_code="503"[^}]*response_flags="UF"/,
    );
    expect(dest).toMatch(/istio_requests_total\{[^}]*source_workload="unknown"/);
  });
});

// The admin port's views for `istioctl proxy-config` and the dashboard's Proxy tab, against real sidecars
// over mTLS: /access_log (both ends of a request, the trace id, the request id, the ring's bound, bad
// limits), /config_dump?resource=routes|clusters|listeners in Envoy's shapes, and /certs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessLogEntry } from '../src/sidecar/access-log';
import { parseSidecarArgs } from '../src/sidecar/command';
import { type SidecarHandle, startSidecar } from '../src/sidecar/sidecar';
import { parseConfigText } from '../src/sidecar-config/static-file-source';
import { createTestCa, testCertificateSource } from './mtls-ca';
import {
  getText,
  recordingTracer,
  send,
  serviceEntry,
  startUpstream,
  type Upstream,
  virtualService,
  yamlDocs,
} from './sidecar-harness';
import { freePort } from './support/processes';

const REVIEWS = 'reviews.default.svc.cluster.local';
let app: Upstream;
let reviews: SidecarHandle;
let caller: SidecarHandle;
let reviewsIn: number;

function meshWorkload(app: string, version: string, port: number): string {
  return `apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: ${app}-${version}, namespace: default}
spec:
  address: 127.0.0.1
  ports: {http: ${port}}
  labels: {app: ${app}, version: ${version}, meshlens.io/workload: ${app}-${version}, security.istio.io/tlsMode: istio}
  serviceAccount: ${app}
`;
}

const destinationRule = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: default}
spec:
  host: ${REVIEWS}
  subsets: [{name: v1, labels: {version: v1}}]
  trafficPolicy:
    outlierDetection: {consecutive5xxErrors: 3, interval: 5s, baseEjectionTime: 20s}
`;

async function accessLog(
  admin: number,
  query = '',
): Promise<{ capacity: number; total: number; entries: AccessLogEntry[] }> {
  const r = await getText(`http://127.0.0.1:${admin}/access_log${query}`);
  expect(r.status).toBe(200);
  return JSON.parse(r.body);
}

async function dump(admin: number, resource: string) {
  const r = await getText(`http://127.0.0.1:${admin}/config_dump?resource=${resource}`);
  expect(r.status).toBe(200);
  return JSON.parse(r.body) as { configs: Array<Record<string, unknown>> };
}

beforeAll(async () => {
  const ca = await createTestCa();
  app = await startUpstream((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('reviews v1');
  });
  reviewsIn = (await freePort()) as number;
  const snapshot = parseConfigText(
    yamlDocs(
      serviceEntry('reviews'),
      meshWorkload('reviews', 'v1', reviewsIn),
      serviceEntry('productpage'),
      meshWorkload('productpage', 'v1', 1),
      destinationRule,
      virtualService(
        'reviews',
        `  - match: [{uri: {prefix: /api}}]
    route: [{destination: {host: ${REVIEWS}, subset: v1}, weight: 100}]
    retries: {attempts: 2, retryOn: 5xx}
  - route: [{destination: {host: ${REVIEWS}}}]
`,
      ),
    ),
    'mesh.yaml',
  );
  const source = () => ({ current: () => snapshot, subscribe: () => () => {}, close: async () => {} });
  reviews = await startSidecar({
    service: 'reviews',
    appPort: app.port,
    inboundPort: reviewsIn,
    configSource: source(),
    certificates: testCertificateSource(await ca.issue({ serviceAccount: 'reviews' })),
    tracer: recordingTracer().tracer,
    log: () => {},
  });
  caller = await startSidecar({
    service: 'productpage',
    appPort: 1,
    configSource: source(),
    certificates: testCertificateSource(await ca.issue({ serviceAccount: 'productpage' })),
    tracer: recordingTracer().tracer,
    // A small ring, so the test sees the oldest entries dropped.
    accessLogEntries: 4,
    log: () => {},
  });
}, 30_000);

afterAll(async () => {
  await Promise.all([caller?.close(), reviews?.close()]);
  await app?.close();
});

describe('/access_log', () => {
  it('records a request at both ends with Envoy’s fields, the request id and the sampled trace id', async () => {
    const traceId = '463ac35c9f6413ad48485a3953bb6124';
    const r = await send(caller.ports.outbound, {
      host: `${REVIEWS}:9080`,
      path: '/api/reviews/1?x=1',
      headers: {
        'x-request-id': 'req-access-1',
        'x-b3-traceid': traceId,
        'x-b3-spanid': 'a2fb4a1d1a96d312',
        'x-b3-sampled': '1',
        'user-agent': 'admin-test',
      },
    });
    expect(r.status).toBe(200);
    const out = (await accessLog(caller.ports.admin)).entries.find((e) => e.request_id === 'req-access-1');
    expect(out).toMatchObject({
      direction: 'outbound',
      method: 'GET',
      path: '/api/reviews/1?x=1',
      protocol: 'HTTP/1.1',
      response_code: 200,
      response_flags: '-',
      bytes_sent: 'reviews v1'.length,
      upstream_host: `127.0.0.1:${reviewsIn}`,
      upstream_cluster: `outbound|9080|v1|${REVIEWS}`,
      user_agent: 'admin-test',
      trace_id: traceId,
    });
    expect(Date.parse(out?.start_time ?? '')).toBeGreaterThan(Date.now() - 60_000);
    const inbound = (await accessLog(reviews.ports.admin)).entries.find(
      (e) => e.request_id === 'req-access-1',
    );
    expect(inbound).toMatchObject({
      direction: 'inbound',
      path: '/api/reviews/1?x=1',
      response_code: 200,
      upstream_host: `127.0.0.1:${app.port}`,
      upstream_cluster: `inbound|${app.port}||`,
      trace_id: traceId,
    });
  });

  it('logs a request with no route as NR with no upstream host, and an unsampled one without a trace id', async () => {
    // The sidecar's own listener as the host: never forwarded (it would loop), NR.
    await send(caller.ports.outbound, {
      host: `127.0.0.1:${caller.ports.outbound}`,
      path: '/x',
      headers: { 'x-request-id': 'req-nr' },
    });
    await send(caller.ports.outbound, {
      host: `${REVIEWS}:9080`,
      path: '/other',
      headers: {
        'x-request-id': 'req-unsampled',
        'x-b3-traceid': '0af7651916cd43dd8448eb211c80319c',
        'x-b3-spanid': 'b7ad6b7169203331',
        'x-b3-sampled': '0',
      },
    });
    const { entries } = await accessLog(caller.ports.admin);
    expect(entries.find((e) => e.request_id === 'req-nr')).toMatchObject({
      response_code: 404,
      response_flags: 'NR',
      upstream_host: '-',
    });
    expect(entries.find((e) => e.request_id === 'req-unsampled')).toMatchObject({
      response_code: 200,
      upstream_cluster: `outbound|9080||${REVIEWS}`,
      trace_id: '-',
    });
  });

  it('keeps only the newest entries (the ring’s bound), newest first, and honours limit', async () => {
    for (let i = 0; i < 6; i++)
      await send(caller.ports.outbound, {
        host: `${REVIEWS}:9080`,
        path: `/n/${i}`,
        headers: { 'x-request-id': `ring-${i}` },
      });
    const all = await accessLog(caller.ports.admin, '?limit=100');
    expect(all.capacity).toBe(4);
    expect(all.total).toBeGreaterThanOrEqual(9);
    expect(all.entries.map((e) => e.request_id)).toEqual(['ring-5', 'ring-4', 'ring-3', 'ring-2']);
    const two = await accessLog(caller.ports.admin, '?limit=2');
    expect(two.entries.map((e) => e.path)).toEqual(['/n/5', '/n/4']);
  });

  it('answers a bad limit with 400 in words', async () => {
    for (const bad of ['0', '-1', 'abc', '1.5', '100000']) {
      const r = await getText(`http://127.0.0.1:${caller.ports.admin}/access_log?limit=${bad}`);
      expect(r.status).toBe(400);
      expect(r.body).toContain('limit must be a whole number');
    }
  });

  it('takes its size from --access-log-entries', () => {
    const parsed = parseSidecarArgs(['--service', 'x', '--config', 'f.yaml', '--access-log-entries', '25']);
    expect(parsed !== 'help' && parsed.accessLogEntries).toBe(25);
    expect(() => parseSidecarArgs(['--service', 'x', '--config', 'f', '--access-log-entries', '0'])).toThrow(
      /--access-log-entries must be a positive integer/,
    );
  });
});

describe('/config_dump?resource=', () => {
  it('routes: one route config per port, the VirtualService’s match, subset cluster and retry policy', async () => {
    const { configs } = await dump(caller.ports.admin, 'routes');
    const rc = configs.find((c) => (c.route_config as { name: string }).name === '9080');
    expect(rc?.['@type']).toBe('type.googleapis.com/envoy.admin.v3.RoutesConfigDump.DynamicRouteConfig');
    const routeConfig = rc?.route_config as { virtual_hosts: Array<{ name: string; routes: unknown[] }> };
    const vhosts = routeConfig.virtual_hosts;
    const vh = vhosts.find((v) => v.name === `${REVIEWS}:9080`);
    expect(vh?.routes[0]).toMatchObject({
      match: { prefix: '/api' },
      route: { cluster: `outbound|9080|v1|${REVIEWS}`, retry_policy: { num_retries: 2, retry_on: '5xx' } },
    });
    expect(vh?.routes[1]).toMatchObject({
      match: { prefix: '/' },
      route: { cluster: `outbound|9080||${REVIEWS}` },
    });
  });

  it('clusters: Envoy’s cluster with the DestinationRule’s outlier detection', async () => {
    const { configs } = await dump(caller.ports.admin, 'clusters');
    const c = configs.find((x) => (x.cluster as { name: string }).name === `outbound|9080||${REVIEWS}`);
    expect(c?.cluster).toMatchObject({
      type: 'EDS',
      outlier_detection: { consecutive_5xx: 3, interval: '5s', base_ejection_time: '20s' },
    });
  });

  it('listeners: virtualOutbound routes port 9080 to its route config; virtualInbound on the inbound port', async () => {
    const { configs } = await dump(reviews.ports.admin, 'listeners');
    const byName = Object.fromEntries(configs.map((c) => [c.name, c]));
    const inbound = byName.virtualInbound as {
      active_state: { listener: { address: unknown; filter_chains: unknown[] } };
    };
    expect(inbound.active_state.listener.address).toEqual({
      socket_address: { address: '127.0.0.1', port_value: reviewsIn },
    });
    expect(inbound.active_state.listener.filter_chains.length).toBe(2); // PERMISSIVE: TLS and plaintext
    const outbound = byName.virtualOutbound as { active_state: { listener: { filter_chains: unknown[] } } };
    expect(outbound.active_state.listener.filter_chains).toContainEqual({
      filter_chain_match: { destination_port: 9080 },
      filters: [
        {
          name: 'envoy.filters.network.http_connection_manager',
          typed_config: { rds: { route_config_name: '9080' } },
        },
      ],
    });
  });

  it('refuses an unknown resource with 400 and keeps the whole dump without one', async () => {
    const bad = await getText(`http://127.0.0.1:${caller.ports.admin}/config_dump?resource=secrets`);
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('routes, clusters, listeners');
    const whole = JSON.parse((await getText(`http://127.0.0.1:${caller.ports.admin}/config_dump`)).body);
    expect(whole.security.certificates[0].spiffeId).toBe('spiffe://cluster.local/ns/default/sa/productpage');
  });
});

describe('/certs', () => {
  it('names the SPIFFE id, the validity and the time to renewal', async () => {
    const { certificates } = JSON.parse(
      (await getText(`http://127.0.0.1:${reviews.ports.admin}/certs`)).body,
    );
    expect(certificates[0].spiffeId).toBe('spiffe://cluster.local/ns/default/sa/reviews');
    expect(certificates[0].secondsToRenewal).toBeGreaterThan(0);
    expect(certificates[0].ca_cert.length).toBe(1);
  });
});

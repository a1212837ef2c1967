// Egress over real HTTP: a host outside the registry goes to PassthroughCluster (ALLOW_ANY) or is refused
// by BlackHoleCluster (REGISTRY_ONLY: 502, NR), with Istio's labels; a Sidecar's egress hosts limit what a
// workload reaches; a gateway (`mode: 'gateway'`) routes by the VirtualServices bound to its Gateway and
// originates TLS toward the external host per DestinationRule, naming a certificate it cannot verify.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { type AddressInfo, connect, createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type SidecarHandle, type SidecarOptions, startSidecar } from '../src/sidecar/sidecar';
import type { ConfigSource } from '../src/sidecar-config/config-source';
import { parseConfigText } from '../src/sidecar-config/static-file-source';
import { grpc, ratingsClient, startRatingsServer, unary } from './grpc-fixture';
import { createTestCa } from './mtls-ca';
import {
  getText,
  mutableSource,
  named,
  send,
  serviceEntry,
  startUpstream,
  type Upstream,
  workloadEntry,
  yamlDocs,
} from './sidecar-harness';
import { freePort, waitFor } from './support/processes';

const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  while (opened.length > 0) await opened.pop()?.close();
});
afterAll(async () => {
  while (opened.length > 0) await opened.pop()?.close();
});

async function upstream(name: string): Promise<Upstream> {
  const u = await startUpstream(named(name));
  opened.push(u);
  return u;
}

async function sidecar(
  options: Partial<SidecarOptions> & { configSource: ConfigSource },
): Promise<SidecarHandle> {
  const s = await startSidecar({
    service: 'ratings',
    version: 'v1',
    appPort: 1,
    tracer: undefined,
    otlpEndpoint: 'http://127.0.0.1:9/v1/traces',
    samplingPercent: 0,
    ...options,
  });
  opened.push(s);
  return s;
}

const meshConfig = (mode: string) => `apiVersion: mesh.meshlens.io/v1alpha1
kind: MeshConfig
metadata: {name: default, namespace: istio-system}
spec:
  outboundTrafficPolicy: {mode: ${mode}}
`;

/** The istio_requests_total lines of a sidecar's scrape that contain every fragment. */
async function requestLines(s: SidecarHandle, ...fragments: string[]): Promise<string[]> {
  const r = await getText(`http://127.0.0.1:${s.ports.admin}/stats/prometheus`);
  return r.body
    .split('\n')
    .filter((l) => l.startsWith('istio_requests_total{') && fragments.every((f) => l.includes(f)));
}

describe('hosts outside the registry', () => {
  it('ALLOW_ANY forwards as-is (PassthroughCluster); REGISTRY_ONLY refuses with 502 NR (BlackHoleCluster)', async () => {
    const reviews = await upstream('reviews');
    const outside = await upstream('outside');
    const base = [serviceEntry('reviews'), workloadEntry('reviews', 'v1', reviews.port)];
    const src = mutableSource(parseConfigText(yamlDocs(...base), 'egress.yaml'));
    const s = await sidecar({ configSource: src.source });
    const host = `127.0.0.1:${outside.port}`;

    const passed = await send(s.ports.outbound, { host, path: '/api?x=1' });
    expect(passed.status).toBe(200);
    expect(passed.body).toBe('outside');
    expect(outside.seen.at(-1)?.url).toBe('/api?x=1');
    const [through] = await requestLines(s, 'destination_service_name="PassthroughCluster"');
    expect(through).toContain('reporter="source"');
    expect(through).toContain('destination_service="127.0.0.1"');
    expect(through).toContain('destination_service_namespace="unknown"');
    expect(through).toContain('destination_workload="unknown"');
    expect(through).toContain('destination_workload_namespace="unknown"');
    expect(through).toContain('destination_canonical_service="unknown"');
    expect(through).toContain('response_code="200"');
    expect(through).toContain('response_flags="-"');
    expect(through).toContain('source_workload="ratings-v1"');

    // An explicit ALLOW_ANY is the default's behaviour; REGISTRY_ONLY refuses without a connection.
    expect(src.push).toBeDefined();
    src.push(parseConfigText(yamlDocs(...base, meshConfig('REGISTRY_ONLY')), 'egress.yaml'));
    const seen = outside.seen.length;
    const refused = await send(s.ports.outbound, { host, path: '/api' });
    expect(refused.status).toBe(502);
    expect(refused.headers['x-envoy-response-flags']).toBe('NR');
    expect(refused.body).toMatch(
      /127\.0\.0\.1 is not in the service registry and outboundTrafficPolicy is REGISTRY_ONLY/,
    );
    expect(outside.seen.length).toBe(seen);
    const [hole] = await requestLines(s, 'destination_service_name="BlackHoleCluster"');
    expect(hole).toContain('destination_service="127.0.0.1"');
    expect(hole).toContain('destination_workload="unknown"');
    expect(hole).toContain('destination_service_namespace="unknown"');
    expect(hole).toContain('response_code="502"');
    expect(hole).toContain('response_flags="NR"');
    expect(hole).toMatch(/ 1$/);
    // The registry still works under REGISTRY_ONLY.
    expect((await send(s.ports.outbound, { host: 'reviews' })).body).toBe('reviews');
  });

  it('an unreachable host under ALLOW_ANY is UF 503, counted against PassthroughCluster', async () => {
    const src = mutableSource(parseConfigText(yamlDocs(serviceEntry('reviews')), 'egress.yaml'));
    const s = await sidecar({ configSource: src.source });
    const dead = await freePort();
    const r = await send(s.ports.outbound, { host: `127.0.0.1:${dead}` });
    expect(r.status).toBe(503);
    expect(r.headers['x-envoy-response-flags']).toBe('UF');
    expect(
      await requestLines(s, 'PassthroughCluster', 'response_flags="UF"', 'response_code="503"'),
    ).toHaveLength(1);
  });
});

/** The sidecar's recent access log, as the admin port serves it to the dashboard. */
async function accessLog(s: SidecarHandle): Promise<Array<Record<string, unknown>>> {
  const r = await getText(`http://127.0.0.1:${s.ports.admin}/access_log?limit=50`);
  return (JSON.parse(r.body) as { entries: Array<Record<string, unknown>> }).entries;
}

describe('gRPC (HTTP/2) to a host outside the registry', () => {
  it('ALLOW_ANY forwards the call (PassthroughCluster); REGISTRY_ONLY answers grpc-status 14 with NR (BlackHoleCluster); both logged', async () => {
    const server = await startRatingsServer();
    opened.push(server);
    const base = [serviceEntry('reviews')];
    const src = mutableSource(parseConfigText(yamlDocs(...base), 'egress.yaml'));
    const s = await sidecar({ configSource: src.source });
    const client = ratingsClient(s.ports.outbound, `127.0.0.1:${server.port}`);
    opened.push({ close: async () => client.close() });

    const passed = await unary(client, { id: 1 });
    expect(passed.err).toBeNull();
    expect(passed.res).toEqual({ id: 1, stars: 5 });
    expect(server.calls).toBe(1);
    const [through] = await requestLines(
      s,
      'destination_service_name="PassthroughCluster"',
      'request_protocol="grpc"',
    );
    expect(through).toContain('destination_service="127.0.0.1"');
    expect(through).toContain('grpc_response_status="0"');

    src.push(parseConfigText(yamlDocs(...base, meshConfig('REGISTRY_ONLY')), 'egress.yaml'));
    const refused = await unary(client, { id: 2 });
    expect(refused.err?.code).toBe(grpc.status.UNAVAILABLE);
    expect(refused.err?.details).toMatch(
      /not in the service registry and outboundTrafficPolicy is REGISTRY_ONLY/,
    );
    expect(refused.err?.metadata.get('x-envoy-response-flags')).toEqual(['NR']);
    expect(server.calls).toBe(1);
    const [hole] = await requestLines(
      s,
      'destination_service_name="BlackHoleCluster"',
      'grpc_response_status="14"',
      'response_flags="NR"',
    );
    expect(hole).toMatch(/ 1$/);

    const [last, first] = await accessLog(s);
    expect(first).toMatchObject({
      direction: 'outbound',
      protocol: 'HTTP/2',
      path: '/demo.Ratings/Get',
      grpc_status: '0',
      upstream_cluster: 'PassthroughCluster',
      upstream_host: `127.0.0.1:${server.port}`,
    });
    expect(last).toMatchObject({
      grpc_status: '14',
      response_flags: 'NR',
      upstream_cluster: 'BlackHoleCluster',
    });
  });
});

describe('CONNECT (TCP) to a host outside the registry', () => {
  it('ALLOW_ANY: tunnelled to the host and port named (PassthroughCluster), counted and logged at its close', async () => {
    const echo = createTcpServer((sock) => sock.pipe(sock));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    opened.push({ close: () => new Promise<void>((resolve) => echo.close(() => resolve())) });
    const targetPort = (echo.address() as AddressInfo).port;
    const s = await sidecar({
      configSource: mutableSource(parseConfigText(yamlDocs(serviceEntry('reviews')), 'e.yaml')).source,
    });
    const text = await new Promise<string>((resolve, reject) => {
      let got = '';
      const c = connect(s.ports.outbound, '127.0.0.1', () => {
        c.write(`CONNECT 127.0.0.1:${targetPort} HTTP/1.1\r\nHost: 127.0.0.1:${targetPort}\r\n\r\n`);
      });
      c.on('data', (d) => {
        got += d.toString();
        if (got.endsWith('\r\n\r\n') && !got.includes('ping')) c.end('ping');
      });
      c.on('close', () => resolve(got));
      c.on('error', reject);
    });
    expect(text).toBe('HTTP/1.1 200 Connection established\r\n\r\nping');
    // The close is logged once both halves have ended (bounded poll: the sidecar sees it a moment later).
    const tcp = await waitFor(async () => (await accessLog(s)).find((e) => e.protocol === '-'), {
      what: 'the tunnel in the access log',
    });
    expect(tcp).toMatchObject({
      direction: 'outbound',
      method: '-',
      response_code: 0,
      response_flags: '-',
      bytes_received: 4,
      bytes_sent: 4,
      upstream_cluster: 'PassthroughCluster',
      upstream_host: `127.0.0.1:${targetPort}`,
      authority: `127.0.0.1:${targetPort}`,
    });
    const scrape = (await getText(`http://127.0.0.1:${s.ports.admin}/stats/prometheus`)).body;
    const opened1 = scrape
      .split('\n')
      .find((l) => l.startsWith('istio_tcp_connections_opened_total{') && l.includes('PassthroughCluster'));
    expect(opened1).toContain('destination_service="127.0.0.1"');
    expect(opened1).toMatch(/ 1$/);
    expect(scrape).toMatch(/istio_tcp_sent_bytes_total\{[^}]*PassthroughCluster[^}]*\} 4/);
  });

  it('a tunnel with no bytes either way past --tcp-idle-timeout is closed, and logged', async () => {
    const quiet = createTcpServer((sock) => sock.on('error', () => {}));
    await new Promise<void>((resolve) => quiet.listen(0, '127.0.0.1', resolve));
    opened.push({
      close: () => new Promise<void>((resolve) => quiet.close(() => resolve())),
    });
    const targetPort = (quiet.address() as AddressInfo).port;
    const s = await sidecar({
      configSource: mutableSource(parseConfigText(yamlDocs(serviceEntry('reviews')), 'e.yaml')).source,
      tcpIdleTimeoutMs: 50,
    });
    const text = await new Promise<string>((resolve) => {
      let got = '';
      const c = connect(s.ports.outbound, '127.0.0.1', () => {
        c.write(`CONNECT 127.0.0.1:${targetPort} HTTP/1.1\r\nHost: 127.0.0.1:${targetPort}\r\n\r\n`);
      });
      c.on('data', (d) => {
        got += d.toString();
      });
      c.on('error', () => {});
      c.on('close', () => resolve(got));
    });
    expect(text).toBe('HTTP/1.1 200 Connection established\r\n\r\n');
    const [entry] = await accessLog(s);
    expect(entry).toMatchObject({ protocol: '-', bytes_received: 0, bytes_sent: 0 });
  });

  it('REGISTRY_ONLY: 502 NR and no connection is made (BlackHoleCluster), no TCP connection counted', async () => {
    let accepted = 0;
    const target = createTcpServer((sock) => {
      accepted++;
      sock.destroy();
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    opened.push({ close: () => new Promise<void>((resolve) => target.close(() => resolve())) });
    const targetPort = (target.address() as AddressInfo).port;
    const src = mutableSource(
      parseConfigText(yamlDocs(serviceEntry('reviews'), meshConfig('REGISTRY_ONLY')), 'e.yaml'),
    );
    const s = await sidecar({ configSource: src.source });
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      const c = connect(s.ports.outbound, '127.0.0.1', () => {
        c.write(`CONNECT 127.0.0.1:${targetPort} HTTP/1.1\r\nHost: 127.0.0.1:${targetPort}\r\n\r\n`);
      });
      c.on('data', (d) => {
        text += d.toString();
      });
      c.on('close', () => resolve(text));
      c.on('error', () => resolve(text));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 502 /);
    expect(answer).toMatch(/x-envoy-response-flags: NR/);
    expect(accepted).toBe(0);
    const scrape = (await getText(`http://127.0.0.1:${s.ports.admin}/stats/prometheus`)).body;
    expect(scrape).not.toMatch(/istio_tcp_connections_opened_total\{/);
  });
});

describe('Sidecar egress scope', () => {
  it('a host outside the egress hosts is refused as BlackHoleCluster and counted; a selector for another workload does not apply', async () => {
    const reviews = await upstream('reviews');
    const details = await upstream('details');
    const sidecarYaml = `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: ratings-egress, namespace: default}
spec:
  workloadSelector: {labels: {app: ratings}}
  egress: [{hosts: [./reviews.default.svc.cluster.local, istio-system/*]}]
  outboundTrafficPolicy: {mode: REGISTRY_ONLY}
`;
    const yaml = yamlDocs(
      serviceEntry('reviews'),
      workloadEntry('reviews', 'v1', reviews.port),
      serviceEntry('details'),
      workloadEntry('details', 'v1', details.port),
      sidecarYaml,
    );
    const src = mutableSource(parseConfigText(yaml, 'egress.yaml'));
    const ratings = await sidecar({ configSource: src.source });
    expect((await send(ratings.ports.outbound, { host: 'reviews' })).body).toBe('reviews');
    const refused = await send(ratings.ports.outbound, { host: 'details.default.svc.cluster.local' });
    expect(refused.status).toBe(502);
    expect(refused.headers['x-envoy-response-flags']).toBe('NR');
    expect(refused.body).toMatch(/outside the egress hosts of Sidecar default\/ratings-egress/);
    expect(details.seen).toHaveLength(0);
    const [hole] = await requestLines(ratings, 'BlackHoleCluster');
    expect(hole).toContain('destination_service="details.default.svc.cluster.local"');
    expect(hole).toMatch(/ 1$/);

    // productpage is not selected: the whole registry is its scope.
    const productpage = await sidecar({ configSource: src.source, service: 'productpage' });
    expect((await send(productpage.ports.outbound, { host: 'details' })).body).toBe('details');
  });
});

describe('egress gateway (--mode gateway)', () => {
  it('routes mesh → gateway → external host, TLS originated at the gateway; a certificate it cannot verify is UF with the reason', async () => {
    const ca = await createTestCa('External DB CA');
    const other = await createTestCa('Some Other CA');
    const cert = await ca.issue({ dns: 'db.example.com', serviceAccount: 'db' });
    const seenSni: string[] = [];
    const db: HttpsServer = createHttpsServer({ key: cert.key, cert: cert.certChain }, (req, res) => {
      seenSni.push((req.socket as TLSSocket).servername || '');
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`db ${req.url}`);
    });
    await new Promise<void>((resolve) => db.listen(0, '127.0.0.1', resolve));
    opened.push({
      close: () =>
        new Promise<void>((resolve) => {
          db.closeAllConnections();
          db.close(() => resolve());
        }),
    });
    const dbPort = (db.address() as AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), 'meshlens-egress-'));
    opened.push({ close: async () => rmSync(dir, { recursive: true, force: true }) });
    const goodCa = join(dir, 'db-ca.pem');
    const badCa = join(dir, 'other-ca.pem');
    writeFileSync(goodCa, ca.rootPem);
    writeFileSync(badCa, other.rootPem);

    const gwPort = await freePort();
    const config = (caFile: string) =>
      yamlDocs(
        `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: istio-egressgateway, namespace: istio-system}
spec:
  hosts: [istio-egressgateway.istio-system.svc.cluster.local]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{number: 80, name: http}]
  workloadSelector: {labels: {app: istio-egressgateway}}
`,
        workloadEntry('istio-egressgateway', 'v1', gwPort, { ns: 'istio-system' }),
        `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: db, namespace: default}
spec:
  hosts: [db.example.com]
  location: MESH_EXTERNAL
  resolution: STATIC
  ports: [{number: 443, name: http-db, protocol: HTTP}]
  endpoints: [{address: 127.0.0.1, ports: {http-db: ${dbPort}}}]
`,
        `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: istio-egressgateway, namespace: istio-system}
spec:
  selector: {istio: egressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [db.example.com]}]
`,
        `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: db-through-egress, namespace: default}
spec:
  hosts: [db.example.com]
  gateways: [mesh, istio-system/istio-egressgateway]
  http:
  - match: [{gateways: [mesh]}]
    route: [{destination: {host: istio-egressgateway.istio-system.svc.cluster.local, port: {number: 80}}}]
  - match: [{gateways: [istio-system/istio-egressgateway]}]
    route: [{destination: {host: db.example.com, port: {number: 443}}}]
`,
        `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: db-tls, namespace: default}
spec:
  host: db.example.com
  trafficPolicy: {tls: {mode: SIMPLE, caCertificates: ${caFile}, sni: db.example.com}}
`,
        meshConfig('REGISTRY_ONLY'),
      );
    const src = mutableSource(parseConfigText(config(goodCa), 'egress.yaml'));
    const gw = await sidecar({
      configSource: src.source,
      service: 'istio-egressgateway',
      namespace: 'istio-system',
      mode: 'gateway',
      inboundPort: gwPort,
    });
    const ratings = await sidecar({ configSource: src.source });

    const r = await send(ratings.ports.outbound, { host: 'db.example.com', path: '/rows' });
    expect(r.status).toBe(200);
    expect(r.body).toBe('db /rows');
    expect(seenSni).toEqual(['db.example.com']);
    // The sidecar went to the gateway (not to the database), the gateway to the database over TLS.
    const [viaGw] = await requestLines(
      ratings,
      'reporter="source"',
      'destination_workload="istio-egressgateway-v1"',
    );
    expect(viaGw).toContain('response_code="200"');
    const [out] = await requestLines(gw, 'reporter="source"', 'destination_service="db.example.com"');
    expect(out).toContain('source_workload="istio-egressgateway-v1"');
    expect(out).toContain('source_workload_namespace="istio-system"');
    expect(out).toContain('destination_service_name="db.example.com"');
    expect(out).toContain('destination_service_namespace="unknown"');
    expect(out).toContain('response_code="200"');

    // A host with no VirtualService bound to the gateway: no route there (NR), nothing forwarded.
    const stray = await send(gwPort, { host: 'reviews.default.svc.cluster.local' });
    expect(stray.status).toBe(404);
    expect(stray.headers['x-envoy-response-flags']).toBe('NR');

    // The database's certificate does not chain to the DestinationRule's CA: UF, the TLS reason in words.
    src.push(parseConfigText(config(badCa), 'egress.yaml'));
    const bad = await send(ratings.ports.outbound, { host: 'db.example.com', path: '/rows' });
    expect(bad.status).toBe(503);
    // The sidecar retries the gateway's 503 (Istio's default policy) and then gives up: URX at the sidecar.
    expect(bad.headers['x-envoy-response-flags']).toBe('URX');
    expect(bad.body).toMatch(/transport failure reason: TLS error: CERTIFICATE_VERIFY_FAILED/);
    expect(
      await requestLines(gw, 'destination_service="db.example.com"', 'response_flags="UF,URX"'),
    ).toHaveLength(1);
    expect(seenSni).toHaveLength(1);
  });
});

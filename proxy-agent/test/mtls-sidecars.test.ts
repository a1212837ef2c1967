import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { type SidecarHandle, startSidecar } from '../src/sidecar/sidecar';
import { parseConfigText } from '../src/sidecar-config/static-file-source';
import { createTestCa, type TestCa, testCertificateSource, writeCertificateFiles } from './mtls-ca';
import {
  getText,
  mutableSource,
  recordingTracer,
  send,
  serviceEntry,
  startUpstream,
  type Upstream,
  yamlDocs,
} from './sidecar-harness';
import { freePort } from './support/processes';

/** A WorkloadEntry of a sidecar'd workload (Istio's tlsMode label), at its sidecar's inbound port. */
function meshWorkload(app: string, port: number, serviceAccount?: string): string {
  return `apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: ${app}-v1, namespace: default}
spec:
  address: 127.0.0.1
  ports: {http: ${port}}
  labels: {app: ${app}, version: v1, meshlens.io/workload: ${app}-v1, security.istio.io/tlsMode: istio}
${serviceAccount ? `  serviceAccount: ${serviceAccount}\n` : ''}`;
}

function peerAuthentication(mode: string, selectorApp?: string): string {
  return `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: ${selectorApp ?? 'default'}, namespace: default}
spec:
${selectorApp ? `  selector: {matchLabels: {app: ${selectorApp}}}\n` : ''}  mtls: {mode: ${mode}}
`;
}

/** The sample lines of a metric whose labels include all of `labels`. */
function samples(text: string, metric: string, labels: Record<string, string>): string[] {
  return text
    .split('\n')
    .filter(
      (l) =>
        l.startsWith(`${metric}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)),
    );
}

const SA = (sa: string) => `spiffe://cluster.local/ns/default/sa/${sa}`;

let ca: TestCa;
let otherCa: TestCa;
const upstreams: Upstream[] = [];
const sidecars: SidecarHandle[] = [];
let app: Upstream;
let caller: SidecarHandle;
let callerUndici: SidecarHandle;
let reviews: SidecarHandle;
let reviewsConfig: ReturnType<typeof mutableSource>;
let reviewsCerts: ReturnType<typeof testCertificateSource>;
let callerCerts: ReturnType<typeof testCertificateSource>;
let callerConfig: ReturnType<typeof mutableSource>;
let meshYaml: string;
const reviewsTracer = recordingTracer();
const callerTracer = recordingTracer();

beforeAll(async () => {
  ca = await createTestCa();
  otherCa = await createTestCa('Another Root');
  app = await startUpstream((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    // What the app was told about the caller: nothing (peer metadata stops at the sidecar).
    res.end(`reviews peer=${req.headers['x-meshlens-peer'] ?? 'none'}`);
  });
  upstreams.push(app);
  const badApp = await startUpstream((_req, res) => res.end('should not be reached'));
  upstreams.push(badApp);
  const [reviewsIn, badcaIn, expiredIn, wrongsanIn] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  meshYaml = yamlDocs(
    serviceEntry('reviews'),
    meshWorkload('reviews', reviewsIn as number, 'reviews'),
    serviceEntry('productpage'),
    meshWorkload('productpage', 1, 'productpage'),
    serviceEntry('badca'),
    meshWorkload('badca', badcaIn as number, 'badca'),
    serviceEntry('expired'),
    meshWorkload('expired', expiredIn as number, 'expired'),
    serviceEntry('wrongsan'),
    meshWorkload('wrongsan', wrongsanIn as number, 'wrongsan'),
  );
  const snapshot = parseConfigText(meshYaml, 'mesh.yaml');
  reviewsConfig = mutableSource(snapshot);
  reviewsCerts = testCertificateSource(await ca.issue({ serviceAccount: 'reviews' }));
  callerCerts = testCertificateSource(await ca.issue({ serviceAccount: 'productpage' }));
  reviews = await startSidecar({
    service: 'reviews',
    appPort: app.port,
    inboundPort: reviewsIn,
    configSource: reviewsConfig.source,
    certificates: reviewsCerts,
    tracer: reviewsTracer.tracer,
    log: () => {},
  });
  const peer = async (service: string, port: number, cert: Parameters<typeof testCertificateSource>[0]) =>
    startSidecar({
      service,
      appPort: badApp.port,
      inboundPort: port,
      configSource: mutableSource(snapshot).source,
      certificates: testCertificateSource(cert),
      log: () => {},
    });
  const hour = 3_600_000;
  sidecars.push(
    reviews,
    await peer('badca', badcaIn as number, await otherCa.issue({ serviceAccount: 'badca' })),
    await peer(
      'expired',
      expiredIn as number,
      await ca.issue({
        serviceAccount: 'expired',
        notBefore: new Date(Date.now() - 3 * hour),
        notAfter: new Date(Date.now() - hour),
      }),
    ),
    await peer('wrongsan', wrongsanIn as number, await ca.issue({ serviceAccount: 'ratings' })),
  );
  callerConfig = mutableSource(snapshot);
  caller = await startSidecar({
    service: 'productpage',
    appPort: 1,
    configSource: callerConfig.source,
    certificates: callerCerts,
    tracer: callerTracer.tracer,
    log: () => {},
  });
  callerUndici = await startSidecar({
    service: 'productpage',
    appPort: 1,
    configSource: mutableSource(snapshot).source,
    certificates: testCertificateSource(await ca.issue({ serviceAccount: 'productpage' })),
    fastPath: false,
    log: () => {},
  });
  sidecars.push(caller, callerUndici);
}, 30_000);

afterAll(async () => {
  await Promise.all(sidecars.map((s) => s.close()));
  await Promise.all(upstreams.map((u) => u.close()));
});

/** A plaintext request straight to a sidecar's inbound port, claiming to be productpage. */
function plaintextToInbound(port: number) {
  return send(port, {
    host: 'reviews',
    path: '/plain',
    headers: { 'x-meshlens-peer': 'productpage-v1;default;productpage;v1;productpage;v1' },
  });
}

describe('auto-mTLS between sidecars', () => {
  it('goes over mTLS, with Istio principals and connection_security_policy on both reporters', async () => {
    const r = await send(caller.ports.outbound, { host: 'reviews', path: '/mtls' });
    expect(r.status).toBe(200);
    expect(r.body).toBe('reviews peer=none');
    const dest = (await getText(`http://127.0.0.1:${reviews.ports.admin}/stats/prometheus`)).body;
    expect(
      samples(dest, 'istio_requests_total', {
        reporter: 'destination',
        source_workload: 'productpage-v1',
        source_principal: SA('productpage'),
        destination_principal: SA('reviews'),
        connection_security_policy: 'mutual_tls',
      }),
    ).toHaveLength(1);
    const src = (await getText(`http://127.0.0.1:${caller.ports.admin}/stats/prometheus`)).body;
    expect(
      samples(src, 'istio_requests_total', {
        reporter: 'source',
        destination_workload: 'reviews-v1',
        source_principal: SA('productpage'),
        destination_principal: SA('reviews'),
        connection_security_policy: 'unknown',
      }),
    ).toHaveLength(1);
    const server = reviewsTracer.spans.find((s) => s.kind === 'server' && s.start.url.endsWith('/mtls'));
    expect(server?.attributes['source.principal']).toBe(SA('productpage'));
    const client = callerTracer.spans.find((s) => s.kind === 'client' && s.start.url.endsWith('/mtls'));
    expect(client?.attributes['destination.principal']).toBe(SA('reviews'));
  });

  it('works on the undici path too (fast path off), over TLS', async () => {
    const r = await send(callerUndici.ports.outbound, { host: 'reviews', path: '/undici' });
    expect(r.status).toBe(200);
    const dest = (await getText(`http://127.0.0.1:${reviews.ports.admin}/stats/prometheus`)).body;
    expect(dest).toContain('connection_security_policy="mutual_tls"');
  });

  it('keeps connections alive over TLS: many requests, few connections', async () => {
    for (let i = 0; i < 20; i++)
      expect((await send(caller.ports.outbound, { host: 'reviews', path: '/ka' })).status).toBe(200);
    const clusters = JSON.parse((await getText(`http://127.0.0.1:${caller.ports.admin}/config_dump`)).body);
    expect(clusters.security.certificates[0].spiffeId).toBe(SA('productpage'));
  });
});

describe('PeerAuthentication on the inbound port', () => {
  it('PERMISSIVE (no policy): plaintext is served but its caller is unknown, whatever header it sends', async () => {
    const r = await plaintextToInbound(reviews.ports.inbound);
    expect(r.status).toBe(200);
    const dest = (await getText(`http://127.0.0.1:${reviews.ports.admin}/stats/prometheus`)).body;
    expect(
      samples(dest, 'istio_requests_total', {
        reporter: 'destination',
        source_workload: 'unknown',
        source_principal: 'unknown',
        destination_principal: 'unknown',
        connection_security_policy: 'none',
      }),
    ).toHaveLength(1);
    expect(
      samples(dest, 'istio_requests_total', {
        source_workload: 'productpage-v1',
        connection_security_policy: 'none',
      }),
    ).toHaveLength(0);
  });

  it('STRICT resets plaintext connections and still takes mTLS', async () => {
    reviewsConfig.push(parseConfigText(yamlDocs(meshYaml, peerAuthentication('STRICT')), 'mesh.yaml'));
    await expect(plaintextToInbound(reviews.ports.inbound)).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect((await send(caller.ports.outbound, { host: 'reviews', path: '/strict' })).status).toBe(200);
    reviewsConfig.push(parseConfigText(meshYaml, 'mesh.yaml'));
  });

  it('a raw TCP client under STRICT gets a reset, not a hang', async () => {
    reviewsConfig.push(
      parseConfigText(yamlDocs(meshYaml, peerAuthentication('STRICT', 'reviews')), 'mesh.yaml'),
    );
    const outcome = await new Promise<string>((resolve) => {
      const s = connect(reviews.ports.inbound, '127.0.0.1', () =>
        s.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n'),
      );
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      s.on('close', () => resolve('closed'));
    });
    expect(outcome).toBe('ECONNRESET');
    reviewsConfig.push(parseConfigText(meshYaml, 'mesh.yaml'));
  });
});

describe('TLS details', () => {
  it('resumes TLS sessions: new connections skip the full handshake', async () => {
    const oneRequestPerConnection = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: default}
spec:
  host: reviews
  trafficPolicy: {connectionPool: {http: {maxRequestsPerConnection: 1}}}
`;
    callerConfig.push(parseConfigText(yamlDocs(meshYaml, oneRequestPerConnection), 'mesh.yaml'));
    const dump = async () =>
      JSON.parse((await getText(`http://127.0.0.1:${reviews.ports.admin}/config_dump`)).body).security
        .inboundHandshakes as { full: number; resumed: number };
    // Resumed sessions still name the caller (its certificate travels in the session).
    const fromProductpage = async () => {
      const text = (await getText(`http://127.0.0.1:${reviews.ports.admin}/stats/prometheus`)).body;
      const line = samples(text, 'istio_requests_total', {
        reporter: 'destination',
        source_principal: SA('productpage'),
        response_code: '200',
      })[0];
      return Number(line?.split(' ').at(-1) ?? 0);
    };
    const before = await dump();
    const countBefore = await fromProductpage();
    for (let i = 0; i < 10; i++)
      expect((await send(caller.ports.outbound, { host: 'reviews', path: '/resume' })).status).toBe(200);
    expect((await fromProductpage()) - countBefore).toBe(10);
    const after = await dump();
    expect(after.full + after.resumed - before.full - before.resumed).toBe(10);
    expect(after.resumed - before.resumed).toBeGreaterThanOrEqual(8);
    callerConfig.push(parseConfigText(meshYaml, 'mesh.yaml'));
  });

  it('DISABLE: auto-mTLS sends plaintext to the workload, and a TLS client is reset', async () => {
    const disable = parseConfigText(
      yamlDocs(meshYaml, peerAuthentication('DISABLE', 'reviews')),
      'mesh.yaml',
    );
    reviewsConfig.push(disable);
    callerConfig.push(disable);
    onTestFinished(() => {
      reviewsConfig.push(parseConfigText(meshYaml, 'mesh.yaml'));
      callerConfig.push(parseConfigText(meshYaml, 'mesh.yaml'));
    });
    expect((await send(caller.ports.outbound, { host: 'reviews', path: '/disabled' })).status).toBe(200);
    const src = (await getText(`http://127.0.0.1:${caller.ports.admin}/stats/prometheus`)).body;
    expect(
      samples(src, 'istio_requests_total', {
        reporter: 'source',
        destination_principal: 'unknown',
        destination_workload: 'reviews-v1',
      }),
      src,
    ).toHaveLength(1);
    const outcome = await new Promise<string>((resolve) => {
      const s = tlsConnect({ port: reviews.ports.inbound, host: '127.0.0.1', rejectUnauthorized: false });
      s.on('secureConnect', () => resolve('handshake'));
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    expect(outcome).toBe('ECONNRESET');
  });

  it('a caller whose certificate the callee does not trust gets 503 UF, not a hang', async () => {
    const stranger = await startSidecar({
      service: 'productpage',
      appPort: 1,
      configSource: mutableSource(parseConfigText(meshYaml, 'mesh.yaml')).source,
      certificates: testCertificateSource(await otherCa.issue({ serviceAccount: 'productpage' })),
      log: () => {},
    });
    sidecars.push(stranger);
    const r = await send(stranger.ports.outbound, { host: 'reviews', path: '/stranger' });
    expect(r.status).toBe(503);
    expect(r.headers['x-envoy-response-flags']).toMatch(/^U[FC],URX$/);
    expect(app.seen.some((s) => s.url === '/stranger')).toBe(false);
  });

  it('SIMPLE TLS to an external ServiceEntry host, verified against the given CA and the host name', async () => {
    const server = await ca.issue({ serviceAccount: 'x', dns: 'secure.example.com' });
    const https = createHttpsServer({ key: server.key, cert: server.certChain }, (req, res) => {
      res.end(
        `external over ${req.socket.constructor.name} sni=${(req.socket as { servername?: string }).servername}`,
      );
    });
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    const port = (https.address() as AddressInfo).port;
    const certDir = mkdtempSync(join(tmpdir(), 'meshlens-mtls-'));
    onTestFinished(() => rmSync(certDir, { recursive: true, force: true }));
    const files = writeCertificateFiles(server, certDir);
    const external = (sni: string) => `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: secure, namespace: default}
spec:
  hosts: [secure.example.com]
  location: MESH_EXTERNAL
  resolution: STATIC
  ports: [{number: 443, name: https}]
  endpoints: [{address: 127.0.0.1, ports: {https: ${port}}}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: secure, namespace: default}
spec:
  host: secure.example.com
  trafficPolicy: {tls: {mode: SIMPLE, caCertificates: ${files.rootCert}${sni}}}
`;
    try {
      callerConfig.push(parseConfigText(yamlDocs(meshYaml, external('')), 'mesh.yaml'));
      const r = await send(caller.ports.outbound, { host: 'secure.example.com', path: '/' });
      expect(r.status).toBe(200);
      expect(r.body).toBe('external over TLSSocket sni=secure.example.com');
      // A name the server's certificate does not carry: refused, UF with the reason.
      callerConfig.push(
        parseConfigText(yamlDocs(meshYaml, external(', sni: other.example.com')), 'mesh.yaml'),
      );
      const bad = await send(caller.ports.outbound, { host: 'secure.example.com', path: '/' });
      expect(bad.status).toBe(503);
      expect(bad.body).toMatch(/transport failure reason: TLS error: CERTIFICATE_VERIFY_FAILED/);
    } finally {
      callerConfig.push(parseConfigText(meshYaml, 'mesh.yaml'));
      https.closeAllConnections();
      https.close();
    }
  });
});

describe('peers the caller refuses: 503 UF with the TLS reason, never a hang', () => {
  for (const [host, reason] of [
    ['badca', /CERTIFICATE_VERIFY_FAILED/],
    ['expired', /CERTIFICATE_VERIFY_FAILED: CERT_HAS_EXPIRED/],
    [
      'wrongsan',
      /CERTIFICATE_VERIFY_FAILED.*sa\/ratings is not one of the expected spiffe:\/\/cluster.local\/ns\/default\/sa\/wrongsan/,
    ],
  ] as const) {
    it(`${host}`, async () => {
      const r = await send(caller.ports.outbound, { host, path: '/' });
      expect(r.status).toBe(503);
      expect(r.headers['x-envoy-response-flags']).toBe('UF,URX');
      expect(r.body).toMatch(
        /^upstream connect error or disconnect\/reset before headers\. reset reason: connection failure, transport failure reason: TLS error: /,
      );
      expect(r.body).toMatch(reason);
    });
  }
});

describe('certificate renewal', () => {
  it('swaps certificates under traffic without a failed request; new connections present the new one', async () => {
    const before = JSON.parse((await getText(`http://127.0.0.1:${reviews.ports.admin}/certs`)).body);
    const oldSerial = before.certificates[0].cert_chain[0].serialNumber;
    const statuses: number[] = [];
    let renewed = false;
    const worker = async () => {
      for (let i = 0; i < 40; i++) {
        const r = await send(caller.ports.outbound, { host: 'reviews', path: '/renew' });
        statuses.push(r.status);
        if (i === 10 && !renewed) {
          renewed = true;
          reviewsCerts.renew(await ca.issue({ serviceAccount: 'reviews' }));
          callerCerts.renew(await ca.issue({ serviceAccount: 'productpage' }));
        }
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const after = JSON.parse((await getText(`http://127.0.0.1:${reviews.ports.admin}/certs`)).body);
    expect(after.certificates[0].cert_chain[0].serialNumber).not.toBe(oldSerial);
    expect(after.certificates[0].spiffeId).toBe(SA('reviews'));
    expect(after.certificates[0].ca_cert[0].subject).toContain('Test Mesh Root');
    expect(after.certificates[0].daysUntilExpiration).toBe(0);
    expect(after.certificates[0].secondsToRenewal).toBeGreaterThan(0);
  });
});

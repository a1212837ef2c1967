// HTTP/2 and TCP between two sidecars over Istio mTLS (certificates from a test CA, STRICT on the
// callee): gRPC goes as h2 by ALPN and TCP as `istio-peer-exchange` with the caller's peer metadata, and
// the callee's reporter names the caller by its certificate (principal, mutual_tls) on both protocols.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SidecarMetrics } from '../src/sidecar/metrics';
import { type SidecarHandle, startSidecar } from '../src/sidecar/sidecar';
import { parseConfigText, staticSource } from '../src/sidecar-config/static-file-source';
import {
  type GrpcServerHandle,
  type RatingsClientT,
  ratingsClient,
  startRatingsServer,
  unary,
} from './grpc-fixture';
import { createTestCa, testCertificateSource } from './mtls-ca';
import { metricSum, recordingTracer, serviceEntry, workloadEntry, yamlDocs } from './sidecar-harness';
import { freePort } from './support/processes';

const RATINGS = 'ratings.default.svc.cluster.local';
const STORE = 'store.default.svc.cluster.local';
const SA = (sa: string) => `spiffe://cluster.local/ns/default/sa/${sa}`;

let app: GrpcServerHandle;
let store: Server;
const sidecars: SidecarHandle[] = [];
let caller: SidecarHandle;
let client: RatingsClientT;
const callerMetrics = new SidecarMetrics();
const ratingsMetrics = new SidecarMetrics();
const storeMetrics = new SidecarMetrics();

beforeAll(async () => {
  const ca = await createTestCa();
  app = await startRatingsServer();
  store = createServer({ allowHalfOpen: true }, (s) => {
    s.on('data', (d) => s.write(`OK ${String(d).trim()}\n`));
    s.on('end', () => s.end('BYE\n'));
    s.on('error', () => {});
  });
  await new Promise<void>((r) => store.listen(0, '127.0.0.1', r));
  const [ratingsIn, storeIn] = [await freePort(), await freePort()];
  const yaml = yamlDocs(
    serviceEntry('ratings', 9080, { portName: 'grpc', protocol: 'GRPC' }),
    workloadEntry('ratings', 'v1', ratingsIn, { portName: 'grpc', sidecar: true, serviceAccount: 'ratings' }),
    serviceEntry('store', 27017, { portName: 'tcp-store', protocol: 'TCP' }),
    workloadEntry('store', 'v1', storeIn, { portName: 'tcp-store', sidecar: true, serviceAccount: 'store' }),
    workloadEntry('reviews', 'v1', 1, { sidecar: true, serviceAccount: 'reviews' }),
    `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: default}
spec: {mtls: {mode: STRICT}}
`,
  );
  const source = () => staticSource(parseConfigText(yaml, 'mesh.yaml'));
  const quiet = { tracer: recordingTracer().tracer, log: () => {} };
  const certs = async (sa: string) => testCertificateSource(await ca.issue({ serviceAccount: sa }));
  sidecars.push(
    await startSidecar({
      service: 'ratings',
      appPort: app.port,
      inboundPort: ratingsIn,
      configSource: source(),
      certificates: await certs('ratings'),
      metrics: ratingsMetrics,
      ...quiet,
    }),
    await startSidecar({
      service: 'store',
      appPort: (store.address() as { port: number }).port,
      inboundPort: storeIn,
      configSource: source(),
      certificates: await certs('store'),
      metrics: storeMetrics,
      ...quiet,
    }),
  );
  caller = await startSidecar({
    service: 'reviews',
    appPort: 1,
    configSource: source(),
    certificates: await certs('reviews'),
    metrics: callerMetrics,
    ...quiet,
  });
  sidecars.push(caller);
  client = ratingsClient(caller.ports.outbound, `${RATINGS}:9080`);
});

afterAll(async () => {
  client?.close();
  for (const s of sidecars) await s.close();
  await app?.close();
  await new Promise((r) => store?.close(r));
});

describe('gRPC over mTLS (h2 by ALPN)', () => {
  it('reaches the app through a STRICT callee, labelled with both principals on both reporters', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await unary(client, { id: i });
      expect(r.err).toBeNull();
      expect(r.res).toEqual({ id: i, stars: 5 });
    }
    const ok = { request_protocol: 'grpc', grpc_response_status: '0' };
    expect(
      await metricSum(ratingsMetrics, 'istio_requests_total', {
        ...ok,
        reporter: 'destination',
        source_workload: 'reviews-v1',
        source_principal: SA('reviews'),
        destination_principal: SA('ratings'),
        connection_security_policy: 'mutual_tls',
      }),
    ).toBe(3);
    expect(
      await metricSum(callerMetrics, 'istio_requests_total', {
        ...ok,
        reporter: 'source',
        destination_workload: 'ratings-v1',
        destination_principal: SA('ratings'),
      }),
    ).toBe(3);
  });
});

/** CONNECT through the caller's outbound port to the store. */
function tunnel(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(caller.ports.outbound, '127.0.0.1');
    socket.on('error', reject);
    socket.write(`CONNECT ${STORE}:27017 HTTP/1.1\r\nHost: ${STORE}:27017\r\n\r\n`);
    let head = '';
    const onData = (d: Buffer) => {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      if (head.startsWith('HTTP/1.1 200')) resolve(socket);
      else reject(new Error(head));
    };
    socket.on('data', onData);
  });
}

describe('TCP over mTLS (istio-peer-exchange)', () => {
  it('carries the bytes and the caller’s peer metadata: the store’s sidecar names the caller', async () => {
    const socket = await tunnel();
    const text = new Promise<string>((resolve) => {
      let out = '';
      socket.on('data', (d) => {
        out += d;
      });
      socket.on('end', () => resolve(out));
    });
    socket.end('GET ratings/0\n');
    expect(await text).toBe('OK GET ratings/0\nBYE\n');
    const labels = {
      reporter: 'destination',
      request_protocol: 'tcp',
      source_workload: 'reviews-v1',
      source_app: 'reviews',
      source_principal: SA('reviews'),
      destination_principal: SA('store'),
      connection_security_policy: 'mutual_tls',
    };
    // Bounded poll: the close is counted once both halves have ended on the callee's side.
    for (
      let i = 0;
      i < 50 && (await metricSum(storeMetrics, 'istio_tcp_connections_closed_total', labels)) < 1;
      i++
    )
      await new Promise((r) => setTimeout(r, 20));
    expect(await metricSum(storeMetrics, 'istio_tcp_connections_opened_total', labels)).toBe(1);
    expect(await metricSum(storeMetrics, 'istio_tcp_connections_closed_total', labels)).toBe(1);
    // The preamble is the sidecars' business: the app got the caller's bytes only.
    expect(await metricSum(storeMetrics, 'istio_tcp_received_bytes_total', labels)).toBe(14);
    expect(
      await metricSum(callerMetrics, 'istio_tcp_sent_bytes_total', {
        reporter: 'source',
        destination_workload: 'store-v1',
        destination_principal: SA('store'),
      }),
    ).toBe(21);
  });

  it('refuses plaintext TCP to the STRICT store', async () => {
    const socket = connect(sidecars[1]?.ports.inbound ?? 0, '127.0.0.1');
    const outcome = await new Promise<string>((resolve) => {
      let got = '';
      socket.on('data', (d) => {
        got += d;
      });
      socket.on('error', () => resolve(`reset:${got}`));
      socket.on('close', () => resolve(`closed:${got}`));
      socket.write('GET ratings/0\n');
    });
    expect(outcome).not.toMatch(/OK/);
  });
});

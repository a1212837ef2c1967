// TCP through two sidecars: the app asks its sidecar for a TCP service with CONNECT, the bytes reach the
// store behind the callee's sidecar and back, a half-close is passed on and ends in a clean close, and
// both reporters count the connection in istio_tcp_* with Istio's labels.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SidecarMetrics } from '../src/sidecar/metrics';
import { type SidecarHandle, startSidecar } from '../src/sidecar/sidecar';
import { parseConfigText, staticSource } from '../src/sidecar-config/static-file-source';
import { metricSum, recordingTracer, serviceEntry, workloadEntry, yamlDocs } from './sidecar-harness';
import { freePort } from './support/processes';

const HOST = 'store.default.svc.cluster.local';
let store: Server;
let caller: SidecarHandle;
let callee: SidecarHandle;
const callerMetrics = new SidecarMetrics();
const calleeMetrics = new SidecarMetrics();

function mesh(inbound: number, maxConnections: number): string {
  return yamlDocs(
    serviceEntry('store', 27017, { portName: 'tcp-store', protocol: 'TCP' }),
    workloadEntry('store', 'v1', inbound, { portName: 'tcp-store' }),
    `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: store, namespace: default}
spec:
  host: ${HOST}
  trafficPolicy: {connectionPool: {tcp: {maxConnections: ${maxConnections}}}}
`,
  );
}

beforeAll(async () => {
  // The store: answers each line `GET k` with `OK k`; on the client's half-close, says BYE and closes.
  store = createServer({ allowHalfOpen: true }, (s) => {
    let buf = '';
    s.on('data', (d) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        s.write(`OK ${buf.slice(4, i)}\n`);
        buf = buf.slice(i + 1);
      }
    });
    s.on('end', () => s.end('BYE\n'));
  });
  await new Promise<void>((r) => store.listen(0, '127.0.0.1', r));
  const appPort = (store.address() as { port: number }).port;
  const inbound = await freePort();
  const source = () => staticSource(parseConfigText(mesh(inbound, 1), 'mesh.yaml'));
  const quiet = { tracer: recordingTracer().tracer, log: () => {} };
  callee = await startSidecar({
    service: 'store',
    appPort,
    inboundPort: inbound,
    configSource: source(),
    metrics: calleeMetrics,
    ...quiet,
  });
  caller = await startSidecar({
    service: 'ratings',
    appPort: 1,
    configSource: source(),
    metrics: callerMetrics,
    ...quiet,
  });
});

afterAll(async () => {
  await caller?.close();
  await callee?.close();
  await new Promise((r) => store?.close(r));
});

/** CONNECT through the caller's outbound port; resolves with the socket once tunnelled (or the refusal). */
function tunnel(): Promise<{ socket: Socket; head: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(caller.ports.outbound, '127.0.0.1');
    socket.on('error', reject);
    socket.write(`CONNECT ${HOST}:27017 HTTP/1.1\r\nHost: ${HOST}:27017\r\n\r\n`);
    let head = '';
    const onData = (d: Buffer) => {
      head += d.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      resolve({ socket, head: head.slice(0, end) });
    };
    socket.on('data', onData);
    socket.on('close', () => resolve({ socket, head }));
  });
}

function readAll(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    socket.on('data', (d) => {
      out += d;
    });
    socket.on('end', () => resolve(out));
  });
}

describe('TCP through the sidecars', () => {
  it('carries bytes both ways, passes a half-close on and closes cleanly, counted on both reporters', async () => {
    const { socket, head } = await tunnel();
    expect(head).toMatch(/^HTTP\/1\.1 200/);
    const all = readAll(socket);
    socket.write('GET ratings/0\nGET ratings/1\n');
    socket.end();
    expect(await all).toBe('OK ratings/0\nOK ratings/1\nBYE\n');
    const labels = { request_protocol: 'tcp', destination_service: HOST, response_flags: '-' };
    // Bounded poll: the close is counted when both halves have ended on the sidecar's side.
    for (
      let i = 0;
      i < 50 && (await metricSum(calleeMetrics, 'istio_tcp_connections_closed_total', labels)) < 1;
      i++
    )
      await new Promise((r) => setTimeout(r, 20));
    expect(
      await metricSum(callerMetrics, 'istio_tcp_connections_opened_total', { ...labels, reporter: 'source' }),
    ).toBe(1);
    expect(
      await metricSum(callerMetrics, 'istio_tcp_received_bytes_total', { ...labels, reporter: 'source' }),
    ).toBe(28);
    expect(
      await metricSum(callerMetrics, 'istio_tcp_sent_bytes_total', { ...labels, reporter: 'source' }),
    ).toBe(30);
    expect(
      await metricSum(calleeMetrics, 'istio_tcp_connections_closed_total', {
        ...labels,
        reporter: 'destination',
        connection_security_policy: 'none',
      }),
    ).toBe(1);
    expect((await callerMetrics.render(undefined)).body).not.toMatch(
      /istio_tcp_sent_bytes_total\{[^}]*response_code/,
    );
    // Each side logs the connection where it ends, as Envoy's tcp_proxy does (the dashboard's Proxy tab).
    const log = async (s: SidecarHandle) =>
      (await (await fetch(`http://127.0.0.1:${s.ports.admin}/access_log`)).json()) as {
        entries: Array<Record<string, unknown>>;
      };
    const tcpEntry = { method: '-', protocol: '-', response_code: 0, response_flags: '-' };
    expect((await log(caller)).entries[0]).toMatchObject({
      ...tcpEntry,
      direction: 'outbound',
      bytes_received: 28,
      bytes_sent: 30,
      upstream_cluster: `outbound|27017||${HOST}`,
      authority: `${HOST}:27017`,
    });
    expect((await log(callee)).entries[0]).toMatchObject({ ...tcpEntry, direction: 'inbound' });
  });

  it('refuses a connection past the DestinationRule maxConnections with UO, keeping the open one', async () => {
    const first = await tunnel();
    expect(first.head).toMatch(/^HTTP\/1\.1 200/);
    const second = await tunnel();
    expect(second.head).toMatch(/^HTTP\/1\.1 503/);
    expect(second.head).toMatch(/x-envoy-response-flags: UO/);
    const all = readAll(first.socket);
    first.socket.end('GET k\n');
    expect(await all).toBe('OK k\nBYE\n');
    expect(
      await metricSum(callerMetrics, 'istio_tcp_connections_opened_total', { response_flags: 'UO' }),
    ).toBe(1);
  });

  it("keeps a tunnel open while the callee's sidecar drains, until the peers end it", async () => {
    const { socket, head } = await tunnel();
    expect(head).toMatch(/^HTTP\/1\.1 200/);
    const all = readAll(socket);
    // Written once the callee is draining (its listeners closed): the open connection still carries it.
    const closing = callee.close();
    socket.end('GET late\n');
    expect(await all).toBe('OK late\nBYE\n');
    await closing;
  });
});

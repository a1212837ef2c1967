// gRPC through two sidecars (caller's outbound → callee's inbound over h2c → the app): the four kinds of
// call pass unchanged with their trailers, statuses are read from trailers, Istio's gRPC retry conditions
// retry, and both reporters label the calls as Istio does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SidecarMetrics } from '../src/sidecar/metrics';
import { type SidecarHandle, startSidecar } from '../src/sidecar/sidecar';
import { parseConfigText, staticSource } from '../src/sidecar-config/static-file-source';
import {
  type GrpcServerHandle,
  grpc,
  json,
  RATINGS_SERVICE,
  type RatingsClientT,
  ratingsClient,
  startRatingsServer,
  unary,
} from './grpc-fixture';
import { metricSum, recordingTracer, serviceEntry, workloadEntry, yamlDocs } from './sidecar-harness';
import { freePort } from './support/processes';

const HOST = 'ratings.default.svc.cluster.local';
let app: GrpcServerHandle;
let caller: SidecarHandle;
let callee: SidecarHandle;
let client: RatingsClientT;
const callerMetrics = new SidecarMetrics();
const calleeMetrics = new SidecarMetrics();
const callerTracer = recordingTracer();

function mesh(inboundPort: number): string {
  return yamlDocs(
    serviceEntry('ratings', 9080, { portName: 'grpc-ratings' }),
    workloadEntry('ratings', 'v1', inboundPort, { portName: 'grpc-ratings' }),
    workloadEntry('reviews', 'v1', 1),
    `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ratings, namespace: default}
spec:
  hosts: [${HOST}]
  http:
  - match: [{uri: {exact: /demo.Ratings/Nowhere}}]
    route: [{destination: {host: nowhere.default.svc.cluster.local}}]
  - route: [{destination: {host: ${HOST}}}]
    retries: {attempts: 2, retryOn: unavailable}
`,
    serviceEntry('nowhere', 9080, { portName: 'grpc' }),
  );
}

beforeAll(async () => {
  app = await startRatingsServer();
  const inbound = await freePort();
  const source = () => staticSource(parseConfigText(mesh(inbound), 'mesh.yaml'));
  callee = await startSidecar({
    service: 'ratings',
    appPort: app.port,
    inboundPort: inbound,
    configSource: source(),
    metrics: calleeMetrics,
    tracer: recordingTracer().tracer,
    log: () => {},
  });
  caller = await startSidecar({
    service: 'reviews',
    appPort: 1,
    configSource: source(),
    metrics: callerMetrics,
    tracer: callerTracer.tracer,
    log: () => {},
  });
  client = ratingsClient(caller.ports.outbound, `${HOST}:9080`);
});

afterAll(async () => {
  client?.close();
  await caller?.close();
  await callee?.close();
  await app?.close();
});

describe('gRPC through the sidecars', () => {
  it('passes a unary call and labels it request_protocol grpc with its status on both reporters', async () => {
    const r = await unary(client, { id: 7 });
    expect(r.err).toBeNull();
    expect(r.res).toEqual({ id: 7, stars: 5 });
    const ok = { request_protocol: 'grpc', grpc_response_status: '0', response_code: '200' };
    expect(
      await metricSum(callerMetrics, 'istio_requests_total', { ...ok, reporter: 'source' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      await metricSum(calleeMetrics, 'istio_requests_total', {
        ...ok,
        reporter: 'destination',
        source_workload: 'unknown',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(await metricSum(callerMetrics, 'istio_request_messages_total', ok)).toBeGreaterThanOrEqual(1);
    const span = callerTracer.spans.find((s) => s.attributes['rpc.method'] === 'Get');
    expect(span?.attributes).toMatchObject({
      'rpc.system': 'grpc',
      'rpc.service': 'demo.Ratings',
      'rpc.grpc.status_code': 0,
    });
    // Both sidecars log the call (the dashboard's Proxy tab reads /access_log), grpc-status included.
    for (const [s, direction] of [
      [caller, 'outbound'],
      [callee, 'inbound'],
    ] as const) {
      const { entries } = (await (await fetch(`http://127.0.0.1:${s.ports.admin}/access_log`)).json()) as {
        entries: Array<Record<string, unknown>>;
      };
      expect(entries.find((e) => e.path === '/demo.Ratings/Get')).toMatchObject({
        direction,
        protocol: 'HTTP/2',
        method: 'POST',
        response_code: 200,
        grpc_status: '0',
        response_flags: '-',
      });
    }
  });

  it('streams server-side, client-side and both ways, counting messages', async () => {
    const listed = await new Promise<unknown[]>((resolve, reject) => {
      const got: unknown[] = [];
      const call = client.makeServerStreamRequest(
        RATINGS_SERVICE.list.path,
        json.serialize,
        json.deserialize,
        { n: 4 },
      );
      call.on('data', (m: unknown) => got.push(m));
      call.on('end', () => resolve(got));
      call.on('error', reject);
    });
    expect(listed).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }, { i: 3 }]);
  });
  it('streams client-side', async () => {
    const recorded = await new Promise<unknown>((resolve, reject) => {
      const call = client.makeClientStreamRequest(
        RATINGS_SERVICE.record.path,
        json.serialize,
        json.deserialize,
        (err: Error | null, res?: unknown) => (err ? reject(err) : resolve(res)),
      );
      for (let i = 0; i < 5; i++) call.write({ i });
      call.end();
    });
    expect(recorded).toEqual({ received: 5 });
  });
  it('streams both ways, and counts the messages of all three', async () => {
    const echoed = await new Promise<unknown[]>((resolve, reject) => {
      const got: unknown[] = [];
      const call = client.makeBidiStreamRequest(RATINGS_SERVICE.chat.path, json.serialize, json.deserialize);
      call.on('data', (m: unknown) => {
        got.push(m);
        if (got.length < 3) call.write({ text: `t${got.length}` });
        else call.end();
      });
      call.on('end', () => resolve(got));
      call.on('error', reject);
      call.write({ text: 't0' });
    });
    expect(echoed).toEqual([{ echo: 't0' }, { echo: 't1' }, { echo: 't2' }]);
    // Client streaming: 5 request messages in one call; server streaming: 4 response messages.
    expect(
      await metricSum(calleeMetrics, 'istio_request_messages_total', { reporter: 'destination' }),
    ).toBeGreaterThanOrEqual(5 + 3 + 2);
    expect(
      await metricSum(calleeMetrics, 'istio_response_messages_total', { reporter: 'destination' }),
    ).toBeGreaterThanOrEqual(4 + 3 + 2);
  });

  it('reads the status from trailers and passes the message unchanged', async () => {
    const r = await unary(client, { id: 1, fail: grpc.status.NOT_FOUND });
    expect(r.err?.code).toBe(grpc.status.NOT_FOUND);
    expect(r.err?.details).toBe('ratings store down');
    expect(
      await metricSum(callerMetrics, 'istio_requests_total', {
        grpc_response_status: '5',
        response_code: '200',
      }),
    ).toBe(1);
  });

  it('retries UNAVAILABLE as retryOn says, and the caller sees the success', async () => {
    const before = await metricSum(callerMetrics, 'envoy_cluster_upstream_rq_retry', {});
    const r = await unary(client, { id: 2, fail: grpc.status.UNAVAILABLE, times: 1 });
    expect(r.err).toBeNull();
    expect(r.res).toEqual({ id: 2, stars: 5 });
    expect(await metricSum(callerMetrics, 'envoy_cluster_upstream_rq_retry', {})).toBe(before + 1);
  });

  it('matches routes on :path and answers a route to nowhere as a gRPC status', async () => {
    const r = await new Promise<grpc.ServiceError | null>((resolve) =>
      client.makeUnaryRequest('/demo.Ratings/Nowhere', json.serialize, json.deserialize, {}, (err) =>
        resolve(err),
      ),
    );
    expect(r?.code).toBe(grpc.status.UNAVAILABLE);
    expect(r?.details).toBe('no healthy upstream');
    expect(
      await metricSum(callerMetrics, 'istio_requests_total', {
        response_flags: 'UH',
        grpc_response_status: '14',
        // Counted against the service it was routed to, as Istio does, not the host asked for.
        destination_service_name: 'nowhere',
        destination_service: 'nowhere.default.svc.cluster.local',
      }),
    ).toBe(1);
  });

  it("lets a call in flight finish while the callee's sidecar drains", async () => {
    const call = client.makeBidiStreamRequest(RATINGS_SERVICE.chat.path, json.serialize, json.deserialize);
    const got: unknown[] = [];
    const ended = new Promise<unknown[]>((resolve, reject) => {
      call.on('data', (m: unknown) => {
        got.push(m);
        if (got.length === 1) {
          // The callee starts draining with this stream open; the rest of the call still goes through.
          closing = callee.close();
          call.write({ text: 'after' });
          call.end();
        }
      });
      call.on('end', () => resolve(got));
      call.on('error', reject);
    });
    let closing: Promise<void> | undefined;
    call.write({ text: 'before' });
    expect(await ended).toEqual([{ echo: 'before' }, { echo: 'after' }]);
    await closing;
  });
});

// Hostile peers on the sidecar's HTTP/2, gRPC and TCP paths, answered as Envoy would: a malformed HTTP/2
// frame gets GOAWAY with an error code, a gRPC call without `te: trailers` a grpc-status 14 counted with
// DPE, a TCP peer that half-closes a clean close — and after each the sidecar goes on serving.
import { connect as h2connect } from 'node:http2';
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
import { metricSum, recordingTracer, serviceEntry, workloadEntry, yamlDocs } from './sidecar-harness';
import { freePort } from './support/processes';

const RATINGS = 'ratings.default.svc.cluster.local';
const STORE = 'store.default.svc.cluster.local';
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
const GOAWAY = 0x7;
const RST_STREAM = 0x3;

let app: GrpcServerHandle;
let store: Server;
let caller: SidecarHandle;
let callee: SidecarHandle;
let client: RatingsClientT;
const callerMetrics = new SidecarMetrics();
const calleeMetrics = new SidecarMetrics();

function mesh(ratingsInbound: number, storeInbound: number): string {
  return yamlDocs(
    serviceEntry('ratings', 9080, { portName: 'grpc' }),
    workloadEntry('ratings', 'v1', ratingsInbound, { portName: 'grpc' }),
    serviceEntry('store', 27017, { portName: 'tcp-store' }),
    workloadEntry('store', 'v1', storeInbound, { portName: 'tcp-store' }),
  );
}

let storeSidecar: SidecarHandle;

beforeAll(async () => {
  app = await startRatingsServer();
  // The store answers each line, and on the client's half-close says BYE and closes its side.
  store = createServer({ allowHalfOpen: true }, (s) => {
    s.on('data', (d) => s.write(`OK ${String(d).trim()}\n`));
    s.on('end', () => s.end('BYE\n'));
    s.on('error', () => {});
  });
  await new Promise<void>((r) => store.listen(0, '127.0.0.1', r));
  const [ratingsInbound, storeInbound] = [await freePort(), await freePort()];
  const source = () => staticSource(parseConfigText(mesh(ratingsInbound, storeInbound), 'mesh.yaml'));
  const quiet = { tracer: recordingTracer().tracer, log: () => {} };
  callee = await startSidecar({
    service: 'ratings',
    appPort: app.port,
    inboundPort: ratingsInbound,
    configSource: source(),
    metrics: calleeMetrics,
    ...quiet,
  });
  storeSidecar = await startSidecar({
    service: 'store',
    appPort: (store.address() as { port: number }).port,
    inboundPort: storeInbound,
    configSource: source(),
    ...quiet,
  });
  caller = await startSidecar({
    service: 'reviews',
    appPort: 1,
    configSource: source(),
    metrics: callerMetrics,
    ...quiet,
  });
  client = ratingsClient(caller.ports.outbound, `${RATINGS}:9080`);
});

afterAll(async () => {
  client?.close();
  await caller?.close();
  await callee?.close();
  await storeSidecar?.close();
  await app?.close();
  await new Promise((r) => store?.close(r));
});

/** An HTTP/2 frame: 9-byte header (length, type, flags, stream id), then the payload. */
function frame(type: number, flags: number, stream: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head.writeUInt8(type, 3);
  head.writeUInt8(flags, 4);
  head.writeUInt32BE(stream, 5);
  return Buffer.concat([head, payload]);
}

/** HTTP/2 frames in `bytes` (whole ones only). */
function parseFrames(bytes: Buffer): Array<{ type: number; payload: Buffer }> {
  const frames: Array<{ type: number; payload: Buffer }> = [];
  for (let at = 0; at + 9 <= bytes.length; ) {
    const len = bytes.readUIntBE(at, 3);
    if (at + 9 + len > bytes.length) break;
    frames.push({ type: bytes.readUInt8(at + 3), payload: bytes.subarray(at + 9, at + 9 + len) });
    at += 9 + len;
  }
  return frames;
}

/**
 * Sends raw bytes; resolves with the frames that came back once a GOAWAY came and the peer closed, or
 * after a bound. `closed`: whether the peer closed the connection within the bound.
 */
function exchange(
  port: number,
  bytes: Buffer,
): Promise<{ frames: Array<{ type: number; payload: Buffer }>; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let got = Buffer.alloc(0);
    let sawGoaway = false;
    const done = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ frames: parseFrames(got), closed });
    };
    // After the GOAWAY, a little while for the close; without one, the whole bound.
    let timer = setTimeout(() => done(false), 5_000);
    socket.on('data', (d) => {
      got = Buffer.concat([got, d]);
      // A stream-level error ends only that stream: the connection stays, nothing more will come.
      if (parseFrames(got).some((f) => f.type === RST_STREAM)) done(false);
      else if (!sawGoaway && parseFrames(got).some((f) => f.type === GOAWAY)) {
        sawGoaway = true;
        clearTimeout(timer);
        timer = setTimeout(() => done(false), 1_000);
      }
    });
    socket.on('error', () => done(true));
    socket.on('close', () => done(true));
    socket.write(bytes);
  });
}

async function stillServes(): Promise<void> {
  const r = await unary(client, { id: 9 });
  expect(r.err).toBeNull();
  expect(r.res).toEqual({ id: 9, stars: 5 });
}

describe('malformed HTTP/2 frames', () => {
  it('answers a SETTINGS frame of the wrong size with GOAWAY FRAME_SIZE_ERROR, and keeps serving', async () => {
    const { frames } = await exchange(
      caller.ports.outbound,
      Buffer.concat([PREFACE, frame(0x4, 0, 0, Buffer.alloc(0)), frame(0x4, 0, 0, Buffer.alloc(5))]),
    );
    expect(frames.find((f) => f.type === GOAWAY)?.payload.readUInt32BE(4)).toBe(0x6);
    await stillServes();
  });

  it('answers HEADERS on stream 0 with GOAWAY and an error code, counts DPE, and keeps serving', async () => {
    const before = await metricSum(callerMetrics, 'istio_requests_total', { response_flags: 'DPE' });
    const { frames, closed } = await exchange(
      caller.ports.outbound,
      Buffer.concat([PREFACE, frame(0x4, 0, 0, Buffer.alloc(0)), frame(0x1, 0x4, 0, Buffer.from([0x82]))]),
    );
    expect(frames.find((f) => f.type === GOAWAY)?.payload.readUInt32BE(4)).toBeGreaterThan(0);
    // The broken connection is closed by the sidecar (not left to the peer).
    expect(closed).toBe(true);
    expect(
      await metricSum(callerMetrics, 'istio_requests_total', { reporter: 'source', response_flags: 'DPE' }),
    ).toBe(before + 1);
    await stillServes();
  });

  it('on the inbound port too: GOAWAY, DPE on the destination reporter, and the callee keeps serving', async () => {
    const { frames } = await exchange(
      callee.ports.inbound,
      Buffer.concat([PREFACE, frame(0x4, 0, 0, Buffer.alloc(0)), frame(0x1, 0x4, 0, Buffer.from([0x82]))]),
    );
    expect(frames.find((f) => f.type === GOAWAY)?.payload.readUInt32BE(4)).toBeGreaterThan(0);
    expect(
      await metricSum(calleeMetrics, 'istio_requests_total', {
        reporter: 'destination',
        response_flags: 'DPE',
      }),
    ).toBe(1);
    await stillServes();
  });
});

describe('a malformed HTTP/2 stream', () => {
  it('a header name in upper case: RST_STREAM PROTOCOL_ERROR on that stream only, the connection and the sidecar serve on', async () => {
    const literal = (name: string, value: string) =>
      Buffer.concat([
        Buffer.from([0, name.length]),
        Buffer.from(name),
        Buffer.from([value.length]),
        Buffer.from(value),
      ]);
    // :method GET, :scheme http, :path / (static table), then :authority and an invalid `X-Bad`.
    const block = Buffer.concat([
      Buffer.from([0x82, 0x86, 0x84]),
      literal(':authority', RATINGS),
      literal('X-Bad', 'v'),
    ]);
    const { frames, closed } = await exchange(
      caller.ports.outbound,
      Buffer.concat([PREFACE, frame(0x4, 0, 0, Buffer.alloc(0)), frame(0x1, 0x5, 1, block)]),
    );
    const rst = frames.find((f) => f.type === RST_STREAM);
    expect(rst?.payload.readUInt32BE(0)).toBe(0x1);
    expect(frames.some((f) => f.type === GOAWAY)).toBe(false);
    expect(closed).toBe(false);
    await stillServes();
  });
});

describe('a gRPC call without te: trailers', () => {
  it('gets grpc-status 14 with a message, is counted with DPE, and the app never sees it', async () => {
    const callsBefore = app.calls;
    const session = h2connect(`http://127.0.0.1:${caller.ports.outbound}`);
    session.on('error', () => {});
    const head = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const s = session.request({
        ':method': 'POST',
        ':path': '/demo.Ratings/Get',
        ':authority': `${RATINGS}:9080`,
        'content-type': 'application/grpc',
      });
      s.on('response', (h) => resolve(h as Record<string, unknown>));
      s.on('error', reject);
      s.end(Buffer.from([0, 0, 0, 0, 2, 0x7b, 0x7d]));
    });
    session.close();
    expect(head[':status']).toBe(200);
    expect(head['grpc-status']).toBe('14');
    expect(decodeURIComponent(String(head['grpc-message']))).toMatch(/te: trailers/);
    expect(
      await metricSum(callerMetrics, 'istio_requests_total', {
        response_flags: 'DPE',
        grpc_response_status: '14',
        request_protocol: 'grpc',
      }),
    ).toBe(1);
    expect(app.calls).toBe(callsBefore);
    await stillServes();
  });
});

/** CONNECT to the store through the caller's outbound port; resolves once tunnelled. */
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
      if (!head.startsWith('HTTP/1.1 200')) reject(new Error(head));
      else resolve(socket);
    };
    socket.on('data', onData);
  });
}

/** Everything a socket receives until its peer ends it; `how` says whether that was an end or a reset. */
function untilClosed(socket: Socket): Promise<{ text: string; how: 'end' | 'reset' }> {
  return new Promise((resolve) => {
    let text = '';
    let how: 'end' | 'reset' | undefined;
    socket.on('data', (d) => {
      text += d;
    });
    socket.on('end', () => {
      how ??= 'end';
    });
    socket.on('error', () => {
      how ??= 'reset';
    });
    socket.on('close', () => resolve({ text, how: how ?? 'reset' }));
  });
}

describe('a TCP peer that half-closes', () => {
  it('right after the tunnel opens, with nothing sent: the close is passed on and ends cleanly', async () => {
    const socket = await tunnel();
    const closed = untilClosed(socket);
    socket.end();
    expect(await closed).toEqual({ text: 'BYE\n', how: 'end' });
  });

  it('after a request: its answer still comes, then a clean close; counted without a flag', async () => {
    const socket = await tunnel();
    const closed = untilClosed(socket);
    socket.end('GET k\n');
    expect(await closed).toEqual({ text: 'OK GET k\nBYE\n', how: 'end' });
    const labels = { request_protocol: 'tcp', destination_service: STORE };
    expect(
      await metricSum(callerMetrics, 'istio_tcp_connections_closed_total', labels),
    ).toBeGreaterThanOrEqual(2);
    expect(
      await metricSum(callerMetrics, 'istio_tcp_connections_closed_total', {
        ...labels,
        response_flags: 'UC',
      }),
    ).toBe(0);
  });

  it('on a declared TCP inbound port, half-closing at once: the app gets the close, the peer a clean end', async () => {
    const socket = connect(storeSidecar.ports.inbound, '127.0.0.1');
    await new Promise<void>((r) => socket.once('connect', () => r()));
    const closed = untilClosed(socket);
    socket.end();
    expect(await closed).toEqual({ text: 'BYE\n', how: 'end' });
    // And the sidecar goes on serving TCP.
    const next = await tunnel();
    const again = untilClosed(next);
    next.end('GET again\n');
    expect((await again).text).toBe('OK GET again\nBYE\n');
  });
});

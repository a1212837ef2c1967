// The sidecar's HTTP/1.1 fast path (fast-listener.ts, fast-pool.ts) on real sockets: pipelining, chunked
// and large bodies, keep-alive reuse on both sides, upstreams that close or reset, retries replaying the
// body, HTTP/1.0 and HEAD, and the connections handed to node:http (Upgrade, Expect, CONNECT).
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createParser } from '../src/sidecar/llhttp';
import { SidecarMetrics } from '../src/sidecar/metrics';
import { type SidecarHandle, startSidecar } from '../src/sidecar/sidecar';
import { parseConfigText, staticSource } from '../src/sidecar-config/static-file-source';
import {
  openedResources,
  recordingTracer,
  send,
  serviceEntry,
  startUpstream,
  type UpstreamHandler,
  virtualService,
  workloadEntry,
  yamlDocs,
} from './sidecar-harness';
import { freePort } from './support/processes';

const resources = openedResources();
afterEach(resources.closeAll);
const upstream = async (handler: UpstreamHandler) => resources.track(await startUpstream(handler));

/** A sidecar whose app is `appPort` and whose `reviews` service is served by `reviewsPort`. */
async function sidecar(appPort: number, reviewsPort: number, opts: { vs?: string; fastPath?: boolean } = {}) {
  const docs = [serviceEntry('reviews'), workloadEntry('reviews', 'v1', reviewsPort)];
  if (opts.vs) docs.push(virtualService('reviews', opts.vs));
  const traces = recordingTracer();
  const s: SidecarHandle = await startSidecar({
    service: 'productpage',
    appPort,
    configSource: staticSource(parseConfigText(yamlDocs(...docs), 'mesh.yaml')),
    metrics: new SidecarMetrics(),
    tracer: traces.tracer,
    log: () => {},
    ...(opts.fastPath === undefined ? {} : { fastPath: opts.fastPath }),
  });
  resources.track(s);
  return { ...s, spans: traces.spans };
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * A raw client connection: writes bytes as given, parses the responses with llhttp (a HEAD's response
 * when told), and tells when the server closed.
 */
function rawClient(port: number) {
  const socket: Socket = connect({ host: '127.0.0.1', port });
  const responses: RawResponse[] = [];
  const waiters: Array<() => void> = [];
  let current: RawResponse | undefined;
  let chunks: Buffer[] = [];
  const heads: boolean[] = [];
  let closed = false;
  const parser = createParser('response', 0, {
    headersComplete: (_maj, _min, headers, _m, _u, status) => {
      const h: Record<string, string> = {};
      for (let i = 0; i < headers.length; i += 2)
        h[(headers[i] as string).toLowerCase()] = headers[i + 1] as string;
      chunks = [];
      // 1xx (100 Continue) is not an answer.
      current = (status ?? 0) < 200 ? undefined : { status: status ?? 0, headers: h, body: '' };
      if (current === undefined) return 0;
      return heads.shift() ? 1 : 0;
    },
    body: (c) => chunks.push(Buffer.from(c)),
    messageComplete: () => {
      if (current === undefined) return;
      current.body = Buffer.concat(chunks).toString();
      responses.push(current);
      current = undefined;
      for (const w of waiters.splice(0)) w();
    },
  });
  socket.on('data', (d: Buffer) => parser.execute(d));
  socket.on('error', () => {});
  socket.on('close', () => {
    closed = true;
    parser.finish();
    for (const w of waiters.splice(0)) w();
  });
  const until = async (done: () => boolean, what: string) => {
    const deadline = Date.now() + 5000;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  };
  return {
    socket,
    responses,
    write: (data: string | Buffer, opts: { head?: boolean } = {}) => {
      heads.push(opts.head === true);
      socket.write(data);
    },
    /** Marks the next expected responses as answers to HEAD (no body). */
    responsesFor: (n: number) => until(() => responses.length >= n, `${n} responses`),
    closed: () => until(() => closed, 'the server to close'),
    isClosed: () => closed,
    close: async () => {
      socket.destroy();
    },
  };
}

const echo: UpstreamHandler = (req, res, body) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'x-len': String(req.headers['content-length'] ?? '') });
  res.end(`${req.method} ${req.url} ${body}`);
};

describe('the HTTP/1.1 fast path', () => {
  it('answers pipelined requests in order, the slow first one included', async () => {
    const app = await upstream((req, res) => {
      const delay = req.url === '/1' ? 80 : 0;
      setTimeout(() => res.end(`answer ${req.url}`), delay);
    });
    const s = await sidecar(await freePort(), app.port);
    const c = resources.track(rawClient(s.ports.outbound));
    c.write(['/1', '/2', '/3'].map((p) => `GET ${p} HTTP/1.1\r\nHost: reviews\r\n\r\n`).join(''));
    await c.responsesFor(3);
    expect(c.responses.map((r) => [r.status, r.body])).toEqual([
      [200, 'answer /1'],
      [200, 'answer /2'],
      [200, 'answer /3'],
    ]);
    expect(c.isClosed()).toBe(false);
  });

  it('reads chunked and Content-Length bodies whole and sends them upstream with a length', async () => {
    const app = await upstream(echo);
    const s = await sidecar(await freePort(), app.port);
    const c = resources.track(rawClient(s.ports.outbound));
    c.write(
      'POST /chunked HTTP/1.1\r\nHost: reviews\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n',
    );
    c.write('PUT /cl HTTP/1.1\r\nHost: reviews\r\nContent-Length: 3\r\n\r\nabc');
    await c.responsesFor(2);
    expect(c.responses.map((r) => r.body)).toEqual(['POST /chunked hello world', 'PUT /cl abc']);
    // Pipelined requests are handled at once: they may reach the upstream in either order.
    const byUrl = new Map(app.seen.map((r) => [r.url, r.headers]));
    expect(byUrl.get('/chunked')?.['content-length']).toBe('11');
    expect(byUrl.get('/chunked')?.['transfer-encoding']).toBeUndefined();
    expect(byUrl.get('/cl')?.['content-length']).toBe('3');
  });

  it('streams a large or chunked inbound body to the app (undici), and large responses back', async () => {
    const big = 'x'.repeat(300_000);
    const app = await upstream((_req, res, body) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      // Written in pieces without a length: chunked from the app, relayed as it comes.
      res.write(body.slice(0, 1000));
      setTimeout(() => res.end(body.slice(1000)), 20);
    });
    const s = await sidecar(app.port, await freePort());
    const r1 = await send(s.ports.inbound, { method: 'POST', path: '/big', body: big });
    expect(r1.status).toBe(200);
    expect(r1.body.length).toBe(big.length);
    expect(r1.headers['transfer-encoding']).toBe('chunked');
    const c = resources.track(rawClient(s.ports.inbound));
    c.write('POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n');
    setTimeout(() => c.socket.write('2\r\nde\r\n0\r\n\r\n'), 30);
    await c.responsesFor(1);
    expect(c.responses[0]?.body).toBe('abcde');
    expect(app.seen.map((r) => r.body.length)).toEqual([big.length, 5]);
  });

  it('keeps connections alive on both sides: one client socket, few upstream connections', async () => {
    const ports = new Set<number>();
    const app = await upstream((req, res) => {
      ports.add((req as IncomingMessage).socket.remotePort ?? 0);
      res.end('ok');
    });
    const s = await sidecar(await freePort(), app.port);
    const c = resources.track(rawClient(s.ports.outbound));
    for (let i = 1; i <= 20; i++) {
      c.write(`GET /${i} HTTP/1.1\r\nHost: reviews\r\n\r\n`);
      await c.responsesFor(i);
    }
    expect(c.responses.every((r) => r.status === 200 && r.body === 'ok')).toBe(true);
    expect(ports.size).toBe(1);
    expect(c.isClosed()).toBe(false);
  });

  it('opens a new upstream connection when the upstream closes them (Connection: close, idle timeout)', async () => {
    const server = createHttpServer((req, res) => {
      if (req.url === '/close') res.setHeader('connection', 'close');
      res.end(req.url);
    });
    server.keepAliveTimeout = 100;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    resources.track({
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    });
    const s = await sidecar(await freePort(), (server.address() as AddressInfo).port);
    const call = (path: string) => send(s.ports.outbound, { host: 'reviews', path });
    expect((await call('/close')).body).toBe('/close');
    expect((await call('/close')).body).toBe('/close');
    expect((await call('/a')).body).toBe('/a');
    await new Promise((r) => setTimeout(r, 300)); // the server closes the idle connection
    expect((await call('/b')).body).toBe('/b');
  });

  it('answers 503 UC when the upstream resets mid-request, and retries with the body replayed', async () => {
    const app = await upstream((req, res, _body, n) => {
      if (req.url === '/reset' || n === 1) {
        req.socket.destroy();
        return;
      }
      res.end(`got ${_body}`);
    });
    const s = await sidecar(await freePort(), app.port, {
      vs: '  - match: [{uri: {prefix: /retry}}]\n    route: [{destination: {host: reviews}}]\n    retries: {attempts: 2, retryOn: reset}\n  - route: [{destination: {host: reviews}}]\n',
    });
    const c = resources.track(rawClient(s.ports.outbound));
    c.write(
      'POST /retry HTTP/1.1\r\nHost: reviews\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nbody\r\n0\r\n\r\n',
    );
    await c.responsesFor(1);
    expect(c.responses[0]).toMatchObject({ status: 200, body: 'got body' });
    expect(app.seen.map((r) => [r.url, r.body])).toEqual([
      ['/retry', 'body'],
      ['/retry', 'body'],
    ]);
    expect(s.spans[0]?.attempts.map((a) => [a.attempt, a.statusCode, a.responseFlags])).toEqual([
      [1, 0, 'UC'],
      [2, 200, '-'],
    ]);
    const r = await send(s.ports.outbound, { host: 'reviews', path: '/reset' });
    expect(r.status).toBe(503);
    expect(r.headers['x-envoy-response-flags']).toBe('UC');
  });

  it('answers HTTP/1.0 and closes after, and HEAD without a body', async () => {
    const app = await upstream((req, res) => {
      if (req.url === '/stream') {
        res.write('part1 ');
        res.end('part2');
        return;
      }
      res.writeHead(200, { 'content-length': '5' });
      res.end(req.method === 'HEAD' ? undefined : 'hello');
    });
    const s = await sidecar(await freePort(), app.port);
    const head = resources.track(rawClient(s.ports.outbound));
    head.write('HEAD /h HTTP/1.1\r\nHost: reviews\r\n\r\n', { head: true });
    head.write('GET /g HTTP/1.1\r\nHost: reviews\r\n\r\n');
    await head.responsesFor(2);
    expect(head.responses.map((r) => [r.status, r.headers['content-length'], r.body])).toEqual([
      [200, '5', ''],
      [200, '5', 'hello'],
    ]);
    const old = resources.track(rawClient(s.ports.outbound));
    old.write('GET /stream HTTP/1.0\r\nHost: reviews\r\n\r\n');
    await old.closed();
    expect(old.responses[0]).toMatchObject({ status: 200, body: 'part1 part2' });
    expect(old.responses[0]?.headers.connection).toBe('close');
    expect(old.responses[0]?.headers['transfer-encoding']).toBeUndefined();
  });

  it('hands Upgrade and Expect connections to node:http, drops CONNECT', async () => {
    const app = await upstream(echo);
    const s = await sidecar(await freePort(), app.port);
    // Expect: 100-continue: node:http answers 100 Continue, then the request goes through.
    const expectClient = resources.track(rawClient(s.ports.outbound));
    expectClient.write(
      'POST /e HTTP/1.1\r\nHost: reviews\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n',
    );
    await new Promise((r) => setTimeout(r, 50));
    expectClient.socket.write('hi');
    await expectClient.responsesFor(1);
    expect(expectClient.responses[0]).toMatchObject({ status: 200, body: 'POST /e hi' });
    // Upgrade without an upgrade listener: forwarded as a plain request (as node:http does).
    const up = resources.track(rawClient(s.ports.outbound));
    up.write('GET /u HTTP/1.1\r\nHost: reviews\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n');
    await up.responsesFor(1);
    expect(up.responses[0]).toMatchObject({ status: 200, body: 'GET /u ' });
    expect(app.seen.find((r) => r.url === '/u')?.headers.upgrade).toBeUndefined();
    const tunnel = resources.track(rawClient(s.ports.outbound));
    tunnel.write('CONNECT reviews:9080 HTTP/1.1\r\nHost: reviews:9080\r\n\r\n');
    await tunnel.closed();
    expect(tunnel.responses).toEqual([]);
  });

  it('answers 400 to a malformed request and 431 to oversized headers on the fast path', async () => {
    const app = await upstream(echo);
    const s = await sidecar(await freePort(), app.port);
    const bad = resources.track(rawClient(s.ports.outbound));
    bad.write('GET / HTTP/1.1\r\nHost: reviews\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n');
    await bad.closed();
    expect(bad.responses[0]?.status).toBe(400);
    const big = resources.track(rawClient(s.ports.outbound));
    big.write(`GET / HTTP/1.1\r\nHost: reviews\r\nX-Big: ${'a'.repeat(70 * 1024)}\r\n\r\n`);
    await big.closed();
    expect(big.responses[0]?.status).toBe(431);
  });

  it('works the same with the fast path off (node:http and undici only)', async () => {
    const app = await upstream(echo);
    const s = await sidecar(await freePort(), app.port, { fastPath: false });
    const r = await send(s.ports.outbound, { host: 'reviews', path: '/off', method: 'POST', body: 'b' });
    expect(r).toMatchObject({ status: 200, body: 'POST /off b' });
  });
});

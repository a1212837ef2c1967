// llhttp reading TLS sockets itself (parser.consume of the TLSWrap, as node:https's server does): the fast
// listener on a connection that came in over TLS, and the fast pool's TLS connections upstream. Real TLS
// over loopback, certificates from the test CA; requests keep-alive, pipelined, with bodies split
// across reads and a response body longer than one TLS record.
import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import {
  createSecureContext,
  createServer as createTlsServer,
  TLSSocket,
  connect as tlsConnect,
} from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FastListener } from '../src/sidecar/fast-listener';
import { type FastDispatchHandler, FastPool } from '../src/sidecar/fast-pool';
import { createTestCa } from './mtls-ca';

const closers: Array<() => void> = [];
afterAll(() => {
  for (const close of closers.splice(0)) close();
});

let key = '';
let cert = '';
let ca = '';
beforeAll(async () => {
  const testCa = await createTestCa();
  const leaf = await testCa.issue({ serviceAccount: 'x', dns: 'localhost' });
  key = leaf.key;
  cert = leaf.certChain;
  ca = testCa.rootPem;
});

const consumed = (s: Socket | undefined) =>
  (s as unknown as { _handle?: { _consumed?: boolean } } | undefined)?._handle?._consumed === true;

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('llhttp reading TLS sockets', () => {
  it('the fast listener parses what TLS decrypted from the second request on, pipelined and split', async () => {
    const listener = new FastListener({
      handler: (req, res) => {
        const body = `ok ${req.url} ${req.body === null ? 0 : (req.body as Buffer).length};`;
        res.writeHead(200, ['content-length', String(body.length)]);
        res.end(body);
      },
      fallback: createHttpServer(),
      maxHeaderSize: 16 * 1024,
      keepAliveTimeoutMs: 5000,
      onClientError: (_e, socket) => socket.destroy(),
      limits: { headersTimeoutMs: 5000, streamIdleTimeoutMs: 5000, maxConnections: 10 },
      name: 'tls fast',
      log: () => {},
    });
    let accepted: TLSSocket | undefined;
    // As the inbound transport does: a plain TCP server, the connection wrapped in TLS, then handed over.
    const server = createServer((socket) => {
      const tls = new TLSSocket(socket, {
        isServer: true,
        secureContext: createSecureContext({ key, cert }),
      });
      tls.once('secure', () => {
        accepted = tls;
        listener.server.emit('connection', tls);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => {
      listener.closeAllConnections();
      server.close();
    });
    const client = tlsConnect({
      port: (server.address() as AddressInfo).port,
      host: '127.0.0.1',
      ca,
      servername: 'localhost',
    });
    let text = '';
    client.on('data', (d: Buffer) => {
      text += d.toString('latin1');
    });
    await new Promise((r) => client.once('secureConnect', r));
    client.write('GET /1 HTTP/1.1\r\nhost: x\r\n\r\n');
    await until(() => text.includes('ok /1 0;'));
    expect(consumed(accepted)).toBe(true);
    client.write('GET /2 HTTP/1.1\r\nhost: x\r\n\r\nGET /3 HTTP/1.1\r\nhost: x\r\n\r\n');
    await until(() => text.includes('ok /3 0;'));
    client.write('POST /4 HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\n\r\nhel');
    await new Promise((r) => setTimeout(r, 30));
    client.write('lo');
    await until(() => text.includes('ok /4 5;'));
    expect(text.match(/HTTP\/1\.1 200/g)).toHaveLength(4);
    expect(text.indexOf('ok /2')).toBeLessThan(text.indexOf('ok /3'));
    client.destroy();
  });

  it('the fast pool parses TLS responses itself, keep-alive, a body of many TLS records', async () => {
    const big = 'z'.repeat(100_000);
    const server = createTlsServer({ key, cert }, (socket) => {
      // A bare HTTP/1.1 responder: one response per request head, the connection kept.
      let buffered = '';
      socket.on('data', (d: Buffer) => {
        buffered += d.toString('latin1');
        let end = buffered.indexOf('\r\n\r\n');
        while (end >= 0) {
          const path = buffered.split(' ')[1] ?? '';
          buffered = buffered.slice(end + 4);
          const body = path === '/big' ? big : `hello ${path}`;
          socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
          end = buffered.indexOf('\r\n\r\n');
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    closers.push(() => server.close());
    const sockets: Socket[] = [];
    const pool = new FastPool({
      host: '127.0.0.1',
      port,
      maxConnections: 1,
      connectTimeoutMs: 2000,
      idleTimeoutMs: 2000,
      maxRequestsPerConnection: 0,
      connectTls: () => {
        const s = tlsConnect({ port, host: '127.0.0.1', ca, servername: 'localhost' });
        sockets.push(s);
        return s;
      },
    });
    closers.push(() => {
      for (const s of sockets) s.destroy();
    });
    const get = (path: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const chunks: Buffer[] = [];
        let status = 0;
        const handler: FastDispatchHandler = {
          onConnect: () => {},
          onHeaders: (code) => {
            status = code;
            return true;
          },
          onData: (chunk) => {
            chunks.push(Buffer.from(chunk));
            return true;
          },
          onComplete: () => resolve({ status, body: Buffer.concat(chunks).toString('latin1') }),
          onError: reject,
        };
        pool.dispatch({ method: 'GET', path, headers: ['host', 'upstream'], body: null }, handler);
      });
    expect(await get('/a')).toEqual({ status: 200, body: 'hello /a' });
    expect(consumed(sockets[0])).toBe(true);
    expect(await get('/big')).toEqual({ status: 200, body: big });
    expect(await get('/b')).toEqual({ status: 200, body: 'hello /b' });
    expect(sockets).toHaveLength(1);
  });
});

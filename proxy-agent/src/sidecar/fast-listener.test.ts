import { createServer } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FastListener, type FastResponse } from './fast-listener';

const KEEP_ALIVE_MS = 200;
const listeners: FastListener[] = [];

afterEach(async () => {
  for (const l of listeners.splice(0)) {
    l.closeAllConnections();
    await new Promise<void>((r) => l.server.close(() => r()));
  }
});

async function listen(onRequest: (res: FastResponse) => void): Promise<number> {
  const listener = new FastListener({
    handler: (_req, res) => onRequest(res),
    fallback: createServer(),
    maxHeaderSize: 16 * 1024,
    keepAliveTimeoutMs: KEEP_ALIVE_MS,
    onClientError: (_e, socket) => socket.destroy(),
    limits: { headersTimeoutMs: 5000, streamIdleTimeoutMs: 5000, maxConnections: 10 },
    name: 'test fast',
    log: () => {},
  });
  listeners.push(listener);
  await new Promise<void>((r) => listener.server.listen(0, '127.0.0.1', r));
  return (listener.server.address() as AddressInfo).port;
}

function ok(res: FastResponse): void {
  res.writeHead(200, ['content-length', '2']);
  res.end('ok');
}

/** A raw keep-alive client: what it received, and when the server closed it. */
function client(port: number): { socket: Socket; text: () => string; closed: Promise<number> } {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.on('data', (d) => {
    text += d.toString('latin1');
  });
  const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(performance.now())));
  return { socket, text: () => text, closed };
}

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('fast listener keep-alive', () => {
  it('closes a connection left idle past the keep-alive timeout, and not before', async () => {
    const port = await listen(ok);
    const c = client(port);
    c.socket.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
    await until(() => c.text().endsWith('ok'));
    const idleSince = performance.now();
    const closedAt = await Promise.race([
      c.closed,
      new Promise<number>((r) => setTimeout(() => r(-1), 3000)),
    ]);
    expect(closedAt).toBeGreaterThan(0);
    expect(closedAt - idleSince).toBeGreaterThanOrEqual(KEEP_ALIVE_MS * 0.9);
  });

  it('keeps a connection whose response is still being made, however long', async () => {
    let pending: FastResponse | undefined;
    const port = await listen((res) => {
      pending = res;
    });
    const c = client(port);
    let closed = false;
    void c.closed.then(() => {
      closed = true;
    });
    c.socket.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
    await until(() => pending !== undefined);
    await new Promise((r) => setTimeout(r, KEEP_ALIVE_MS * 3));
    expect(closed).toBe(false);
    ok(pending as FastResponse);
    await until(() => c.text().endsWith('ok'));
    c.socket.destroy();
  });
});

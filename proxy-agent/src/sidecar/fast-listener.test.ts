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

let lastAccepted: Socket | undefined;

async function listen(onRequest: (res: FastResponse) => void, streamIdleTimeoutMs = 5000): Promise<number> {
  const listener = new FastListener({
    handler: (_req, res) => onRequest(res),
    fallback: createServer(),
    maxHeaderSize: 16 * 1024,
    keepAliveTimeoutMs: KEEP_ALIVE_MS,
    onClientError: (_e, socket) => socket.destroy(),
    limits: { headersTimeoutMs: 5000, streamIdleTimeoutMs, maxConnections: 10 },
    name: 'test fast',
    log: () => {},
  });
  listeners.push(listener);
  listener.server.on('connection', (socket: Socket) => {
    lastAccepted = socket;
  });
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

describe('fast listener reading the socket', () => {
  it('lets llhttp read the socket itself from the second request on, pipelined requests included', async () => {
    const port = await listen(ok);
    const c = client(port);
    c.socket.write('GET /1 HTTP/1.1\r\nhost: x\r\n\r\n');
    await until(() => c.text().split('ok').length === 2);
    const handle = (lastAccepted as unknown as { _handle?: { _consumed?: boolean } })._handle;
    expect(handle?._consumed).toBe(true);
    c.socket.write('GET /2 HTTP/1.1\r\nhost: x\r\n\r\nGET /3 HTTP/1.1\r\nhost: x\r\n\r\n');
    await until(() => c.text().split('ok').length === 4);
    c.socket.write('POST /4 HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\n\r\nhel');
    await new Promise((r) => setTimeout(r, 20));
    c.socket.write('lo');
    await until(() => c.text().split('ok').length === 5);
    expect(c.text().match(/HTTP\/1\.1 200/g)).toHaveLength(4);
    c.socket.destroy();
  });

  it('still answers a body that stops coming with 408 once llhttp reads the socket', async () => {
    const port = await listen(ok, 200);
    const c = client(port);
    c.socket.write('GET /1 HTTP/1.1\r\nhost: x\r\n\r\n');
    await until(() => c.text().endsWith('ok'));
    c.socket.write('POST /2 HTTP/1.1\r\nhost: x\r\ncontent-length: 10\r\n\r\nabc');
    await until(() => c.text().includes('HTTP/1.1 408'));
    c.socket.destroy();
  });

  it('keeps reading a body that comes slowly but steadily (each read restarts the idle timeout)', async () => {
    const port = await listen(ok, 200);
    const c = client(port);
    c.socket.write('GET /1 HTTP/1.1\r\nhost: x\r\n\r\n');
    await until(() => c.text().endsWith('ok'));
    c.socket.write('POST /2 HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\n\r\n');
    for (const part of 'hello') {
      await new Promise((r) => setTimeout(r, 100));
      c.socket.write(part);
    }
    await until(() => c.text().split('ok').length === 3);
    expect(c.text()).not.toContain('408');
    c.socket.destroy();
  });
});

describe('fast listener answering pipelined requests', () => {
  /** A client recording each read it gets. */
  function readsOf(port: number): { socket: Socket; reads: string[] } {
    const socket = connect(port, '127.0.0.1');
    const reads: string[] = [];
    socket.on('data', (d) => reads.push(d.toString('latin1')));
    return { socket, reads };
  }
  const answer = (res: FastResponse) => {
    const body = res.request.url;
    res.writeHead(200, ['content-length', String(body.length)]);
    res.end(body);
  };
  const three =
    'GET /1 HTTP/1.1\r\nhost: x\r\n\r\nGET /2 HTTP/1.1\r\nhost: x\r\n\r\nGET /3 HTTP/1.1\r\nhost: x\r\n\r\n';

  /**
   * Counts the writes on the server's socket of the connection `res` came on, at its handle (what reaches
   * the kernel, whichever way the write was made).
   */
  function countWrites(res: FastResponse, counter: { writes: number }): void {
    const handle = (res.request.socket as unknown as { _handle: Record<string, unknown> })._handle;
    for (const name of ['writeBuffer', 'writeLatin1String', 'writeUtf8String', 'writev']) {
      const write = (handle[name] as (...args: unknown[]) => number).bind(handle);
      handle[name] = (...args: unknown[]) => {
        counter.writes++;
        return write(...args);
      };
    }
  }

  it('writes the responses made in the same turn in one write, in request order', async () => {
    const held: FastResponse[] = [];
    const counter = { writes: 0 };
    const port = await listen((res) => {
      if (held.length === 0) countWrites(res, counter);
      held.push(res);
      // Answered together, last first.
      if (held.length === 3) for (const r of [held[2], held[0], held[1]]) answer(r as FastResponse);
    });
    const c = readsOf(port);
    c.socket.write(three);
    await until(() => c.reads.join('').split('HTTP/1.1 200').length === 4);
    expect(counter.writes).toBe(1);
    expect(c.reads[0]?.match(/\r\n\r\n\/\d/g)).toEqual(['\r\n\r\n/1', '\r\n\r\n/2', '\r\n\r\n/3']);
    // Byte for byte the three responses as each alone is written.
    expect(c.reads).toEqual([
      ['/1', '/2', '/3'].map((b) => `HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n${b}`).join(''),
    ]);
    c.socket.destroy();
  });

  it('does not hold a response past its turn for the slower ones behind it', async () => {
    const held: FastResponse[] = [];
    const port = await listen((res) => {
      held.push(res);
      if (res.request.url === '/1') answer(res);
    });
    const c = readsOf(port);
    c.socket.write(three);
    await until(() => c.reads.join('').includes('\r\n\r\n/1'));
    expect(c.reads.join('')).not.toContain('/2');
    answer(held[1] as FastResponse);
    await until(() => c.reads.join('').includes('\r\n\r\n/2'));
    answer(held[2] as FastResponse);
    await until(() => c.reads.join('').includes('\r\n\r\n/3'));
    c.socket.destroy();
  });

  it('writes the held responses before closing on a `connection: close` request', async () => {
    const held: FastResponse[] = [];
    const port = await listen((res) => {
      held.push(res);
      if (held.length === 2) for (const r of held) answer(r);
    });
    const c = readsOf(port);
    const closed = new Promise((r) => c.socket.on('close', r));
    c.socket.write(
      'GET /1 HTTP/1.1\r\nhost: x\r\n\r\nGET /2 HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n',
    );
    await closed;
    expect(c.reads.join('').match(/\r\n\r\n\/\d/g)).toEqual(['\r\n\r\n/1', '\r\n\r\n/2']);
  });
});

describe('fast listener writing a response larger than the socket takes at once', () => {
  const CHUNK = 64 * 1024;
  const CHUNKS = 200; // 12.5 MiB: more than the loopback's socket buffers hold
  /** A chunk that says which one it is in every byte (so a reordering shows). */
  const chunk = (i: number) => Buffer.alloc(CHUNK, `${String(i).padStart(5, '0')}|`);

  /** Streams the chunks with back-pressure (write until false, then 'drain'); records the falses. */
  function stream(res: FastResponse, seen: { falses: number }): void {
    res.writeHead(200, ['content-length', String(CHUNK * CHUNKS)]);
    let i = 0;
    const more = (): void => {
      while (i < CHUNKS) {
        if (!res.write(chunk(i++))) {
          seen.falses++;
          res.once('drain', more);
          return;
        }
      }
      res.end();
    };
    more();
  }

  it('keeps the bytes in order and waits for drain while the client does not read', async () => {
    const seen = { falses: 0 };
    const port = await listen((res) => stream(res, seen));
    const socket = connect(port, '127.0.0.1');
    socket.pause();
    socket.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
    // The client reads nothing until the server had to wait.
    await until(() => seen.falses > 0);
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.resume();
    const head = 'HTTP/1.1 200 OK\r\ncontent-length: 13107200\r\n\r\n';
    await until(() => chunks.reduce((n, c) => n + c.length, 0) >= head.length + CHUNK * CHUNKS, 10_000);
    const got = Buffer.concat(chunks);
    expect(got.subarray(0, head.length).toString('latin1')).toBe(head);
    const body = got.subarray(head.length);
    expect(body.length).toBe(CHUNK * CHUNKS);
    for (let i = 0; i < CHUNKS; i++)
      expect(body.subarray(i * CHUNK, (i + 1) * CHUNK).equals(chunk(i))).toBe(true);
    socket.destroy();
  });

  it('ends the response as closed when the client resets mid-write, and serves the next client', async () => {
    const seen = { falses: 0 };
    let first: FastResponse | undefined;
    const port = await listen((res) => {
      if (first === undefined) {
        first = res;
        stream(res, seen);
      } else ok(res);
    });
    const socket = connect(port, '127.0.0.1');
    socket.pause();
    socket.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
    await until(() => seen.falses > 0);
    const res = first as FastResponse;
    let closed = false;
    res.once('close', () => {
      closed = true;
    });
    socket.resetAndDestroy();
    // What the sidecar counts as the downstream gone (DC): the response closed before it finished.
    await until(() => closed);
    expect(res.destroyed).toBe(true);
    expect(res.writableFinished).toBe(false);
    const c = client(port);
    c.socket.write('GET /next HTTP/1.1\r\nhost: x\r\n\r\n');
    await until(() => c.text().endsWith('ok'));
    c.socket.destroy();
  });
});

// FastPool's pipelining rules on real sockets: requests ready in one turn share a connection and one write
// (to a pipelining pool only), answered in order; non-idempotent requests are never pipelined, nor is
// anything behind them; the depth is bounded; a later turn takes an idle or new connection rather than
// queueing behind a slow response; a connection closed mid-pipeline sends the unanswered idempotent
// requests again, once.
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type FastDispatchHandler, type FastDispatchOptions, FastPool } from './fast-pool';

interface Outcome {
  status: number;
  body: string;
  error: (Error & { code?: string }) | undefined;
}

/** A handler recording what UpstreamTry would see; `aborts` holds the abort function it was given. */
function recorder() {
  let resolve!: (o: Outcome) => void;
  const done = new Promise<Outcome>((r) => {
    resolve = r;
  });
  const o: Outcome = { status: 0, body: '', error: undefined };
  const chunks: Buffer[] = [];
  let abort: ((err?: Error) => void) | undefined;
  const handler: FastDispatchHandler = {
    onConnect: (a) => {
      abort = a;
    },
    onHeaders: (status) => {
      o.status = status;
      return true;
    },
    onData: (c) => {
      chunks.push(Buffer.from(c));
      return true;
    },
    onComplete: () => {
      o.body = Buffer.concat(chunks).toString();
      resolve(o);
    },
    onError: (err) => {
      o.error = err;
      resolve(o);
    },
  };
  return { handler, done, abort: (err?: Error) => abort?.(err) };
}

/** Server side of one connection: its reads (as text) and the request lines seen on it. */
interface ServerConn {
  socket: Socket;
  reads: string[];
  requests: string[];
}

type Answer = (conn: ServerConn, requestLine: string) => void;

const servers: Server[] = [];
const pools: FastPool[] = [];
afterEach(async () => {
  for (const p of pools.splice(0)) await Promise.race([p.close(), new Promise((r) => setTimeout(r, 500))]);
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/**
 * A raw HTTP/1.1 server (requests without bodies but a Content-Length one, answered by `answer`); the
 * request lines are read off each read's text, so it sees how requests arrive: which connection, which read.
 */
async function rawServer(answer: Answer) {
  const conns: ServerConn[] = [];
  const server = createServer((socket) => {
    const conn: ServerConn = { socket, reads: [], requests: [] };
    conns.push(conn);
    let pending = '';
    socket.on('data', (d: Buffer) => {
      const text = d.toString('latin1');
      conn.reads.push(text);
      pending += text;
      for (;;) {
        const end = pending.indexOf('\r\n\r\n');
        if (end === -1) break;
        const head = pending.slice(0, end);
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (pending.length < end + 4 + length) break;
        pending = pending.slice(end + 4 + length);
        const line = head.split('\r\n')[0] as string;
        conn.requests.push(line);
        answer(conn, line);
      }
    });
    socket.on('error', () => {});
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, conns };
}

function reply(socket: Socket, body: string, extra = ''): void {
  socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n${extra}\r\n${body}`);
}

/** Answers each request with its path, at once (a HEAD with its length and no body). */
const echoPath: Answer = (conn, line) => {
  const [method, path] = line.split(' ') as [string, string];
  if (method === 'HEAD') conn.socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${path.length}\r\n\r\n`);
  else reply(conn.socket, path);
};

function pool(port: number, pipelineDepth: number, maxConnections = 100): FastPool {
  const p = new FastPool({
    host: '127.0.0.1',
    port,
    maxConnections,
    connectTimeoutMs: 2000,
    idleTimeoutMs: 4000,
    maxRequestsPerConnection: 0,
    pipelineDepth,
  });
  pools.push(p);
  return p;
}

const get = (path: string, method = 'GET'): FastDispatchOptions => ({
  method,
  path,
  headers: [],
  body: null,
});

/** Dispatches the requests in one turn; resolves with their outcomes. */
function inOneTurn(p: FastPool, reqs: FastDispatchOptions[]): Promise<Outcome[]> {
  return Promise.all(
    reqs.map((o) => {
      const r = recorder();
      p.dispatch(o, r.handler);
      return r.done;
    }),
  );
}

describe('FastPool pipelining (to a mesh sidecar)', () => {
  it('writes the requests ready in one turn on one connection, in one write, and answers them in order', async () => {
    const s = await rawServer(echoPath);
    const p = pool(s.port, 8);
    const out = await inOneTurn(
      p,
      ['/a', '/b', '/c', '/d', '/e'].map((x) => get(x)),
    );
    expect(out.map((o) => [o.status, o.body])).toEqual([
      [200, '/a'],
      [200, '/b'],
      [200, '/c'],
      [200, '/d'],
      [200, '/e'],
    ]);
    expect(s.conns).toHaveLength(1);
    expect(s.conns[0]?.requests).toEqual([
      'GET /a HTTP/1.1',
      'GET /b HTTP/1.1',
      'GET /c HTTP/1.1',
      'GET /d HTTP/1.1',
      'GET /e HTTP/1.1',
    ]);
    // One write of the five: on the loopback it arrives in one read.
    expect(s.conns[0]?.reads).toHaveLength(1);
  });

  it("writes a turn's requests byte for byte as each alone would be: heads only, and with bodies", async () => {
    const s = await rawServer(echoPath);
    const p = pool(s.port, 8);
    const h = (path: string, method = 'GET', body: Buffer | null = null): FastDispatchOptions => ({
      method,
      path,
      headers: ['Host', 'reviews:9080', 'x-b3-traceid', '463ac35c9f6413ad48485a3953bb6124'],
      body,
    });
    const heads = [h('/a'), h('/b', 'HEAD'), h('/c', 'DELETE')];
    await inOneTurn(p, heads);
    const alone = (o: FastDispatchOptions, length?: number) =>
      `${o.method} ${o.path} HTTP/1.1\r\nHost: reviews:9080\r\nx-b3-traceid: 463ac35c9f6413ad48485a3953bb6124\r\n${length === undefined ? '' : `content-length: ${length}\r\n`}\r\n`;
    expect(s.conns[0]?.reads).toEqual([heads.map((o) => alone(o)).join('')]);
    const mixed = [h('/d'), h('/e', 'PUT', Buffer.from('héllo', 'latin1')), h('/f')];
    await inOneTurn(p, mixed);
    expect(s.conns[0]?.reads[1]).toBe(
      `${alone(mixed[0] as FastDispatchOptions)}${alone(mixed[1] as FastDispatchOptions, 5)}héllo${alone(mixed[2] as FastDispatchOptions)}`,
    );
  });

  it('keeps one request per connection without a depth (plain upstreams)', async () => {
    const s = await rawServer(echoPath);
    const p = pool(s.port, 1);
    const out = await inOneTurn(p, [get('/a'), get('/b'), get('/c')]);
    expect(out.map((o) => o.body)).toEqual(['/a', '/b', '/c']);
    expect(s.conns.map((c) => c.requests.length)).toEqual([1, 1, 1]);
  });

  it('never pipelines a non-idempotent request, nor anything behind one', async () => {
    const s = await rawServer(echoPath);
    const p = pool(s.port, 8);
    const out = await inOneTurn(p, [
      get('/g1'),
      get('/p1', 'POST'),
      get('/g2'),
      get('/p2', 'PATCH'),
      get('/g3'),
    ]);
    expect(out.map((o) => o.body)).toEqual(['/g1', '/p1', '/g2', '/p2', '/g3']);
    const byConn = s.conns.map((c) => c.requests);
    // Each POST/PATCH alone on a connection of its own; the GETs of the turn together on another.
    expect(byConn).toContainEqual(['POST /p1 HTTP/1.1']);
    expect(byConn).toContainEqual(['PATCH /p2 HTTP/1.1']);
    expect(byConn).toContainEqual(['GET /g1 HTTP/1.1', 'GET /g2 HTTP/1.1', 'GET /g3 HTTP/1.1']);
    expect(byConn).toHaveLength(3);
  });

  it('puts at most the depth in flight on a connection', async () => {
    const s = await rawServer(echoPath);
    const p = pool(s.port, 4);
    const paths = Array.from({ length: 10 }, (_, i) => `/${i}`);
    const out = await inOneTurn(
      p,
      paths.map((x) => get(x)),
    );
    expect(out.map((o) => o.body)).toEqual(paths);
    expect(s.conns.map((c) => c.requests.length)).toEqual([4, 4, 2]);
  });

  it('sends a later turn on an idle or new connection, not behind a slow response', async () => {
    let slow: Socket | undefined;
    const s = await rawServer((conn, line) => {
      if (line.includes('/slow')) slow = conn.socket;
      else echoPath(conn, line);
    });
    const p = pool(s.port, 8);
    const slowDone = recorder();
    p.dispatch(get('/slow'), slowDone.handler);
    await new Promise((r) => setTimeout(r, 20));
    const fast = await inOneTurn(p, [get('/f1'), get('/f2')]);
    expect(fast.map((o) => o.body)).toEqual(['/f1', '/f2']);
    expect(slow).toBeDefined();
    reply(slow as Socket, 'slow');
    expect((await slowDone.done).body).toBe('slow');
    expect(s.conns.map((c) => c.requests.length)).toEqual([1, 2]);
  });

  it('batches the waiting requests when a connection frees up at the connection cap', async () => {
    let hold: Socket | undefined;
    const s = await rawServer((conn, line) => {
      if (line.includes('/first')) hold = conn.socket;
      else echoPath(conn, line);
    });
    const p = pool(s.port, 8, 1);
    const first = recorder();
    p.dispatch(get('/first'), first.handler);
    await new Promise((r) => setTimeout(r, 20));
    const waiting = inOneTurn(p, [get('/w1'), get('/w2'), get('/w3')]);
    await new Promise((r) => setTimeout(r, 20));
    reply(hold as Socket, 'first');
    expect((await waiting).map((o) => o.body)).toEqual(['/w1', '/w2', '/w3']);
    expect(s.conns).toHaveLength(1);
    // The three waiting requests went out together after the first response.
    expect(s.conns[0]?.reads).toHaveLength(2);
  });

  it('sends the unanswered idempotent requests again when the connection closes mid-pipeline', async () => {
    const s = await rawServer((conn, line) => {
      if (s.conns.length === 1) {
        // The first connection answers its first request, then closes under the others.
        if (conn.requests.length === 1) echoPath(conn, line);
        else conn.socket.destroy();
      } else echoPath(conn, line);
    });
    const p = pool(s.port, 8);
    const out = await inOneTurn(p, [get('/a'), get('/b'), get('/c', 'HEAD'), get('/d', 'PUT')]);
    expect(out.map((o) => [o.status, o.error])).toEqual([
      [200, undefined],
      [200, undefined],
      [200, undefined],
      [200, undefined],
    ]);
    expect(out.map((o) => o.body)).toEqual(['/a', '/b', '', '/d']);
    expect(s.conns[0]?.requests).toHaveLength(4);
    expect(s.conns.slice(1).flatMap((c) => c.requests)).toEqual([
      'GET /b HTTP/1.1',
      'HEAD /c HTTP/1.1',
      'PUT /d HTTP/1.1',
    ]);
  });

  it('sends a request again once at most: a second close is a reset', async () => {
    const s = await rawServer((conn, line) => {
      // Every connection answers its first request only, then closes under the others.
      if (conn.requests.length === 1 && line.includes('/a')) reply(conn.socket, 'a');
      else conn.socket.destroy();
    });
    const p = pool(s.port, 8);
    const out = await inOneTurn(p, [get('/a'), get('/b'), get('/c')]);
    expect(out[0]?.body).toBe('a');
    // /b and /c were sent twice (the second time /b led the pipeline and the connection closed under it).
    for (const o of out.slice(1)) expect(o.error?.code).toBe('UND_ERR_SOCKET');
    const sent = s.conns.flatMap((c) => c.requests);
    expect(sent.filter((l) => l.includes('/b'))).toHaveLength(2);
    expect(sent.filter((l) => l.includes('/c'))).toHaveLength(2);
  });

  it('a lone request on a connection that closes is a reset, not sent again (as before pipelining)', async () => {
    const s = await rawServer((conn) => conn.socket.destroy());
    const p = pool(s.port, 8);
    const [o] = await inOneTurn(p, [get('/only')]);
    expect(o?.error?.code).toBe('UND_ERR_SOCKET');
    expect(s.conns.flatMap((c) => c.requests)).toEqual(['GET /only HTTP/1.1']);
  });

  it('a non-idempotent request whose connection closes is a reset, not sent again', async () => {
    const s = await rawServer((conn) => conn.socket.destroy());
    const p = pool(s.port, 8);
    const [o] = await inOneTurn(p, [get('/p', 'POST')]);
    expect(o?.error?.code).toBe('UND_ERR_SOCKET');
    expect(s.conns.flatMap((c) => c.requests)).toEqual(['POST /p HTTP/1.1']);
  });

  it('a `connection: close` response ends the pipeline: the requests behind go on a new connection', async () => {
    const s = await rawServer((conn, line) => {
      if (s.conns.length === 1 && conn.requests.length === 1) {
        reply(conn.socket, 'first', 'connection: close\r\n');
        conn.socket.end();
      } else if (s.conns.length > 1) echoPath(conn, line);
    });
    const p = pool(s.port, 8);
    const out = await inOneTurn(p, [get('/a'), get('/b'), get('/c')]);
    expect(out.map((o) => o.body)).toEqual(['first', '/b', '/c']);
    expect(s.conns.slice(1).flatMap((c) => c.requests)).toEqual(['GET /b HTTP/1.1', 'GET /c HTTP/1.1']);
  });

  it('a try that gives up (its timeout) closes the connection; the others on it are sent again', async () => {
    const s = await rawServer((conn, line) => {
      // The first connection never answers; the next ones do.
      if (s.conns.length > 1) echoPath(conn, line);
    });
    const p = pool(s.port, 8);
    const a = recorder();
    const b = recorder();
    p.dispatch(get('/a'), a.handler);
    p.dispatch(get('/b'), b.handler);
    await new Promise((r) => setTimeout(r, 30));
    a.abort(new Error('upstream try aborted'));
    expect((await a.done).error?.message).toBe('upstream try aborted');
    expect((await b.done).body).toBe('/b');
    expect(s.conns[1]?.requests).toEqual(['GET /b HTTP/1.1']);
  });

  it('a try that gives up while its response is being parsed leaves the next response to its own request', async () => {
    const s = await rawServer((conn, line) => {
      // Both answers in one write, once both requests are in.
      if (line.includes('/b'))
        conn.socket.write(
          `HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\naaaaaaaaaa${'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n/b'}`,
        );
    });
    const p = pool(s.port, 8);
    const a = recorder();
    const b = recorder();
    const onData = a.handler.onData;
    a.handler.onData = (c) => {
      a.abort(new Error('downstream went away'));
      return onData(c);
    };
    p.dispatch(get('/a'), a.handler);
    p.dispatch(get('/b'), b.handler);
    expect((await a.done).error?.message).toBe('downstream went away');
    const ob = await b.done;
    expect([ob.status, ob.body, ob.error]).toEqual([200, '/b', undefined]);
  });
});

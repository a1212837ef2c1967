// The fast path's upstream connections: HTTP/1.1 keep-alive sockets to one endpoint, a request's head and
// (buffered) body written in one `socket.write`, the response parsed by Node's llhttp. It takes the same
// `dispatch(options, handler)` call and handler callbacks as undici's Pool (the subset UpstreamTry uses),
// so a try runs on either; requests whose body is a stream stay on undici.
import { connect, type Socket } from 'node:net';
import {
  consumeSocket,
  createParser,
  type LlhttpParser,
  pauseReading,
  resumeReading,
  type StreamHandle,
} from './llhttp';

export interface FastPoolOptions {
  host: string;
  port: number;
  /** Connections open at once; more requests wait for one. */
  maxConnections: number;
  connectTimeoutMs: number;
  /** An idle connection is closed after this long. */
  idleTimeoutMs: number;
  /** 0: unlimited. */
  maxRequestsPerConnection: number;
  /** Opens a TLS connection instead of plain TCP (ready at 'secureConnect'; errors before that are TLS failures). */
  connectTls?: () => Socket;
}

export interface FastDispatchOptions {
  method: string;
  path: string;
  /** Flat [name, value, ...] list. */
  headers: string[];
  body: Buffer | null;
}

/** The callbacks of undici's DispatchHandler that UpstreamTry implements. */
export interface FastDispatchHandler {
  onConnect(abort: (err?: Error) => void): void;
  onHeaders(statusCode: number, headers: string[], resume: () => void): boolean;
  onData(chunk: Buffer): boolean;
  onComplete(trailers: null): void;
  onError(err: Error): void;
}

/** Methods whose requests carry a length even when empty (as undici and node:http send them). */
const EXPECTS_BODY = new Set(['POST', 'PUT', 'PATCH']);
const CRLF = '\r\n';

function requestHead(o: FastDispatchOptions, authority: string, bodyLength: number): string {
  let head = `${o.method} ${o.path} HTTP/1.1\r\n`;
  let hasHost = false;
  const h = o.headers;
  for (let i = 0; i < h.length; i += 2) {
    const name = h[i] as string;
    if (name.length === 4 && name.toLowerCase() === 'host') hasHost = true;
    head += `${name}: ${h[i + 1] as string}${CRLF}`;
  }
  if (!hasHost) head += `host: ${authority}${CRLF}`;
  if (bodyLength > 0 || EXPECTS_BODY.has(o.method)) head += `content-length: ${bodyLength}${CRLF}`;
  return `${head}${CRLF}`;
}

/** Writes a head and a body with one write (one syscall, no string conversion in the socket). */
export function writeHeadAndBody(socket: Socket, head: string, body: Buffer | null): void {
  if (body === null || body.length === 0) {
    socket.write(head, 'latin1');
    return;
  }
  const headLength = head.length;
  const buf = Buffer.allocUnsafe(headLength + body.length);
  buf.write(head, 0, 'latin1');
  body.copy(buf, headLength);
  socket.write(buf);
}

class Exchange {
  done = false;
  informational = false;
  constructor(
    readonly handler: FastDispatchHandler,
    readonly head: boolean,
  ) {}
}

class UpstreamConnection {
  readonly socket: Socket;
  readonly parser: LlhttpParser;
  current: Exchange | undefined;
  requests = 0;
  keepAlive = true;
  connected = false;
  idleSince = 0;
  closed = false;
  private error: (Error & { code?: string; handshake?: boolean }) | undefined;
  private readonly secure: boolean;
  private connectTimer: NodeJS.Timeout | undefined;
  /** Set when llhttp reads the socket (TCP or TLS) itself, from its connection on. */
  private handle: StreamHandle | undefined;

  constructor(private readonly pool: FastPool) {
    const o = pool.options;
    this.secure = o.connectTls !== undefined;
    this.socket = o.connectTls ? o.connectTls() : connect({ host: o.host, port: o.port, noDelay: true });
    if (o.connectTimeoutMs > 0) {
      this.connectTimer = setTimeout(() => {
        const err = Object.assign(new Error('connect timeout'), { code: 'UND_ERR_CONNECT_TIMEOUT' });
        this.socket.destroy(err);
      }, o.connectTimeoutMs);
    }
    this.parser = createParser('response', 0, {
      headersComplete: (_maj, _min, headers, _m, _u, status, _msg, upgrade, keepAlive) => {
        const ex = this.current;
        if (ex === undefined) return 0;
        const code = status ?? 0;
        if (code < 200 && code !== 101) {
          ex.informational = true;
          return 0;
        }
        if (upgrade || code === 101) {
          // The fast path does not switch protocols: the try fails as a reset.
          this.fail(new Error('upstream switched protocols'));
          return 1;
        }
        this.keepAlive = keepAlive;
        ex.handler.onHeaders(code, headers, this.resumeReading);
        return ex.head ? 1 : 0;
      },
      body: (chunk) => {
        const ex = this.current;
        if (ex === undefined || ex.done) return;
        if (!ex.handler.onData(chunk)) this.pauseReading();
      },
      messageComplete: () => {
        const ex = this.current;
        if (ex === undefined || ex.done) return;
        if (ex.informational) {
          ex.informational = false;
          return;
        }
        ex.done = true;
        this.current = undefined;
        ex.handler.onComplete(null);
        this.pool.release(this);
      },
      execute: (r) => {
        if (typeof r !== 'number') this.fail(r);
      },
    });
    // The connect timeout covers the TLS handshake too: a connection is up when it can carry a request.
    this.socket.on(this.secure ? 'secureConnect' : 'connect', () => {
      this.connected = true;
      if (this.connectTimer) clearTimeout(this.connectTimer);
      // llhttp reads the connection itself (no Buffer, stream push or 'data' event per read); over TLS,
      // what TLS decrypted.
      this.handle = consumeSocket(this.parser, this.socket);
    });
    this.socket.on('data', (chunk: Buffer) => {
      const r = this.parser.execute(chunk);
      if (typeof r !== 'number') this.fail(r);
    });
    this.socket.on('end', () => {
      // The peer closed: a read-until-close response ends here.
      const r = this.parser.finish();
      if (r instanceof Error) this.error ??= r;
      this.socket.destroy();
    });
    this.socket.on('error', (err: Error & { code?: string; handshake?: boolean }) => {
      // A TLS connection that fails before its handshake completes is a connection failure (UF).
      if (this.secure && !this.connected) err.handshake = true;
      this.error ??= err;
    });
    this.socket.on('close', () => this.onClose());
  }

  send(ex: Exchange, o: FastDispatchOptions): void {
    this.current = ex;
    this.requests++;
    const body = o.body;
    writeHeadAndBody(this.socket, requestHead(o, this.pool.authority, body?.length ?? 0), body);
    ex.handler.onConnect((err) => {
      if (ex.done) return;
      this.fail(err ?? new Error('aborted'));
    });
  }

  /** Ends the exchange in progress with an error and closes the connection. */
  fail(err: Error): void {
    const ex = this.current;
    this.current = undefined;
    this.keepAlive = false;
    this.socket.destroy();
    if (ex !== undefined && !ex.done) {
      ex.done = true;
      ex.handler.onError(err);
    }
  }

  private readonly resumeReading = (): void => {
    resumeReading(this.socket, this.handle);
  };

  private pauseReading(): void {
    pauseReading(this.socket, this.handle);
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.handle !== undefined) {
      this.handle = undefined;
      this.parser.unconsume();
    }
    if (this.connectTimer) clearTimeout(this.connectTimer);
    const ex = this.current;
    this.current = undefined;
    if (ex !== undefined && !ex.done) {
      ex.done = true;
      const err = this.error ?? Object.assign(new Error('upstream closed'), { code: 'UND_ERR_SOCKET' });
      // A connection that never opened is a connect failure; otherwise a reset.
      if (!this.connected && this.error === undefined) Object.assign(err, { code: 'ECONNREFUSED' });
      ex.handler.onError(err);
    }
    this.pool.forget(this);
  }
}

interface Waiter {
  ex: Exchange;
  options: FastDispatchOptions;
}

/** Idle connections are looked at this often at most (sooner with a shorter idle timeout). */
const MAX_SWEEP_INTERVAL_MS = 1000;
export class FastPool {
  readonly authority: string;
  private readonly idle: UpstreamConnection[] = [];
  private readonly all = new Set<UpstreamConnection>();
  private readonly waiting: Waiter[] = [];
  private sweepTimer: NodeJS.Timeout | undefined;
  private closing = false;
  private whenEmpty: (() => void) | undefined;

  constructor(readonly options: FastPoolOptions) {
    this.authority = `${options.host}:${options.port}`;
  }

  /** Connections open (idle or busy). */
  get size(): number {
    return this.all.size;
  }

  dispatch(options: FastDispatchOptions, handler: FastDispatchHandler): boolean {
    const ex = new Exchange(handler, options.method === 'HEAD');
    if (this.closing) {
      handler.onError(Object.assign(new Error('pool closed'), { code: 'UND_ERR_CLOSED' }));
      return false;
    }
    // The most recently used idle connection: the others age out.
    const conn = this.idle.pop();
    if (conn !== undefined) conn.send(ex, options);
    else if (this.all.size < this.options.maxConnections) this.open().send(ex, options);
    else this.waiting.push({ ex, options });
    return true;
  }

  /** A connection finished its exchange: reuse it, or close it. */
  release(conn: UpstreamConnection): void {
    const max = this.options.maxRequestsPerConnection;
    if (!conn.keepAlive || this.closing || (max > 0 && conn.requests >= max)) {
      conn.socket.destroy();
      return;
    }
    const next = this.waiting.shift();
    if (next !== undefined) {
      conn.send(next.ex, next.options);
      return;
    }
    conn.idleSince = performance.now();
    this.idle.push(conn);
    this.sweepTimer ??= setInterval(
      () => this.sweep(),
      Math.min(MAX_SWEEP_INTERVAL_MS, this.options.idleTimeoutMs),
    ).unref();
  }

  forget(conn: UpstreamConnection): void {
    this.all.delete(conn);
    const i = this.idle.indexOf(conn);
    if (i !== -1) this.idle.splice(i, 1);
    const next = this.waiting.shift();
    if (next !== undefined && !this.closing) this.open().send(next.ex, next.options);
    if (this.all.size === 0) this.whenEmpty?.();
  }

  /** Closes idle connections now and the others once their exchange ends. */
  close(): Promise<void> {
    this.closing = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    for (const w of this.waiting.splice(0))
      w.ex.handler.onError(Object.assign(new Error('pool closed'), { code: 'UND_ERR_CLOSED' }));
    for (const c of this.idle.splice(0)) c.socket.destroy();
    if (this.all.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.whenEmpty = resolve;
    });
  }

  private open(): UpstreamConnection {
    const conn = new UpstreamConnection(this);
    this.all.add(conn);
    return conn;
  }

  private sweep(): void {
    const cutoff = performance.now() - this.options.idleTimeoutMs;
    // Oldest first: `idle` is in order of release.
    while (this.idle.length > 0 && (this.idle[0] as UpstreamConnection).idleSince <= cutoff)
      (this.idle.shift() as UpstreamConnection).socket.destroy();
    if (this.idle.length === 0 && this.sweepTimer) {
      clearInterval(this.sweepTimer);
      this.sweepTimer = undefined;
    }
  }
}

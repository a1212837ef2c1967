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
  writePieces,
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
  /**
   * Requests written back to back on one connection (HTTP/1.1 pipelining) when they are ready in the same
   * event-loop turn: at most this many in flight on a connection. 1 (the default): one request at a time.
   * Only for endpoints known to be mesh sidecars (see pipelineDepthFor in cluster-manager.ts).
   */
  pipelineDepth?: number;
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
  if (body === null || body.length === 0) socket.write(head, 'latin1');
  else socket.write(joinHeadAndBody(head, body));
}

/**
 * Methods RFC 9110 §9.2.2 calls idempotent: only these are pipelined, and only these are sent again when a
 * connection closes before their response began (a non-idempotent request is always alone on its
 * connection: nothing is pipelined behind it, RFC 9112 §9.3.2).
 */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

class Exchange {
  done = false;
  informational = false;
  /** A response head (final or informational) arrived for it: it is not sent again. */
  answered = false;
  readonly idempotent: boolean;
  constructor(
    readonly handler: FastDispatchHandler,
    readonly options: FastDispatchOptions,
    /** Times it was sent again after its connection closed before answering it. */
    readonly resent = 0,
  ) {
    this.idempotent = IDEMPOTENT.has(options.method);
  }

  get head(): boolean {
    return this.options.method === 'HEAD';
  }
}

/** Sends an exchange again after its connection closed before answering it (pipelined behind another). */
const MAX_RESENDS = 1;

class UpstreamConnection {
  readonly socket: Socket;
  readonly parser: LlhttpParser;
  /** Exchanges written (or about to be) and not complete, in request order; the first is being answered. */
  readonly inFlight: Exchange[] = [];
  requests = 0;
  keepAlive = true;
  connected = false;
  idleSince = 0;
  closed = false;
  /** Closed by this side (a failed or abandoned exchange) with other exchanges still on it. */
  private cutUnder = false;
  /** Bytes of requests held until the end of the turn (pipelining: one write for all of them). */
  private held: Array<Buffer | string> | undefined;
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
        const ex = this.inFlight[0];
        if (ex === undefined) return 0;
        ex.answered = true;
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
        if (!ex.done) ex.handler.onHeaders(code, headers, this.resumeReading);
        return ex.head ? 1 : 0;
      },
      body: (chunk) => {
        const ex = this.inFlight[0];
        if (ex === undefined || ex.done) return;
        if (!ex.handler.onData(chunk)) this.pauseReading();
      },
      messageComplete: () => {
        const ex = this.inFlight[0];
        if (ex === undefined) return;
        if (ex.informational) {
          ex.informational = false;
          return;
        }
        this.inFlight.shift();
        if (!ex.done) {
          ex.done = true;
          ex.handler.onComplete(null);
        }
        if (this.inFlight.length > 0) {
          // The next pipelined response follows; a `connection: close` one ends the pipeline (the rest
          // are sent again from onClose).
          if (!this.keepAlive) this.socket.destroy();
          return;
        }
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

  /** Idempotent requests may follow this connection's in-flight ones (it carries no other kind). */
  get pipelinable(): boolean {
    const last = this.inFlight[this.inFlight.length - 1];
    return this.keepAlive && !this.closed && (last === undefined || last.idempotent);
  }

  /** Writes the request now, or (`hold`) with the others of this turn at flush(). */
  send(ex: Exchange, hold: boolean): void {
    this.inFlight.push(ex);
    this.requests++;
    const o = ex.options;
    const body = o.body;
    const head = requestHead(o, this.pool.authority, body?.length ?? 0);
    if (hold) {
      const data = body === null || body.length === 0 ? head : joinHeadAndBody(head, body);
      if (this.held === undefined) this.held = [data];
      else this.held.push(data);
    } else writeHeadAndBody(this.socket, head, body);
    ex.handler.onConnect((err) => {
      if (ex.done) return;
      this.abort(ex, err ?? new Error('aborted'));
    });
  }

  /** Writes the requests held this turn in one write. */
  flush(): void {
    const held = this.held;
    this.held = undefined;
    if (held === undefined || this.closed) return;
    writePieces(this.socket, held);
  }

  /** Ends the exchange being answered with an error and closes the connection. */
  fail(err: Error): void {
    // Exchanges stay in `inFlight`, marked done, until the connection is gone: llhttp may still be
    // parsing this read, and its callbacks must not reach the exchange behind.
    const ex = this.inFlight[0];
    this.keepAlive = false;
    this.cutUnder ||= this.inFlight.length > 1;
    this.socket.destroy();
    if (ex !== undefined && !ex.done) {
      ex.done = true;
      ex.handler.onError(err);
    }
  }

  /**
   * The try gave up on `ex` (its timeout, or the downstream went away): as Envoy resets the stream, the
   * connection is closed; the other exchanges on it end as onClose says.
   */
  private abort(ex: Exchange, err: Error): void {
    ex.done = true;
    this.keepAlive = false;
    this.cutUnder ||= this.inFlight.length > 1;
    this.socket.destroy();
    ex.handler.onError(err);
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
    this.held = undefined;
    if (this.handle !== undefined) {
      this.handle = undefined;
      this.parser.unconsume();
    }
    if (this.connectTimer) clearTimeout(this.connectTimer);
    const lost = this.inFlight.splice(0);
    // Pipelined requests the connection closed under (the peer's close, or this side's after another
    // exchange on it failed): the unanswered idempotent ones are sent again, once (as undici does); the
    // others end as a reset (what Envoy reports for a connection closed under a request). A lone request
    // ends as a reset, as before pipelining.
    // A connection that never opened sent nothing: its requests fail as connect failures (the route's retry
    // policy decides), as before pipelining.
    const pipelined = this.connected && (lost.length > 1 || this.cutUnder);
    for (const ex of lost) {
      if (ex.done) continue;
      if (pipelined && !ex.answered && ex.idempotent && ex.resent < MAX_RESENDS && this.pool.resend(ex))
        continue;
      ex.done = true;
      const err = this.error ?? Object.assign(new Error('upstream closed'), { code: 'UND_ERR_SOCKET' });
      // A connection that never opened is a connect failure; otherwise a reset.
      if (!this.connected && this.error === undefined) Object.assign(err, { code: 'ECONNREFUSED' });
      ex.handler.onError(err);
    }
    this.pool.forget(this);
  }
}

function joinHeadAndBody(head: string, body: Buffer): Buffer {
  const buf = Buffer.allocUnsafe(head.length + body.length);
  buf.write(head, 0, 'latin1');
  body.copy(buf, head.length);
  return buf;
}

/** Idle connections are looked at this often at most (sooner with a shorter idle timeout). */
const MAX_SWEEP_INTERVAL_MS = 1000;
export class FastPool {
  readonly authority: string;
  private readonly idle: UpstreamConnection[] = [];
  private readonly all = new Set<UpstreamConnection>();
  private readonly waiting: Exchange[] = [];
  private readonly depth: number;
  /** The connection this turn's idempotent requests are pipelined on (pipelining only). */
  private filling: UpstreamConnection | undefined;
  /** Connections with requests held until the end of this turn. */
  private readonly toFlush: UpstreamConnection[] = [];
  private flushScheduled = false;
  private sweepTimer: NodeJS.Timeout | undefined;
  private closing = false;
  private whenEmpty: (() => void) | undefined;

  constructor(readonly options: FastPoolOptions) {
    this.authority = `${options.host}:${options.port}`;
    this.depth = Math.max(1, options.pipelineDepth ?? 1);
  }

  /** Connections open (idle or busy). */
  get size(): number {
    return this.all.size;
  }

  dispatch(options: FastDispatchOptions, handler: FastDispatchHandler): boolean {
    const ex = new Exchange(handler, options);
    if (this.closing) {
      handler.onError(Object.assign(new Error('pool closed'), { code: 'UND_ERR_CLOSED' }));
      return false;
    }
    this.place(ex);
    return true;
  }

  /** Sends an exchange again on another connection; false when the pool is closing. */
  resend(ex: Exchange): boolean {
    if (this.closing) return false;
    this.place(new Exchange(ex.handler, ex.options, ex.resent + 1));
    return true;
  }

  private place(ex: Exchange): void {
    if (this.depth > 1 && ex.idempotent) {
      // Behind this turn's other requests on the connection they are held on, up to the depth.
      const f = this.filling;
      if (f !== undefined && f.inFlight.length < this.depth && f.pipelinable && this.underRequestCap(f)) {
        f.send(ex, true);
        return;
      }
      // Else a connection of its own: an idle one, or a new one; the requests after it in this turn follow it.
      const conn = this.idle.pop() ?? (this.all.size < this.options.maxConnections ? this.open() : undefined);
      if (conn === undefined) {
        this.waiting.push(ex);
        return;
      }
      this.hold(conn, ex);
      return;
    }
    // The most recently used idle connection: the others age out.
    const conn = this.idle.pop();
    if (conn !== undefined) conn.send(ex, false);
    else if (this.all.size < this.options.maxConnections) this.open().send(ex, false);
    else this.waiting.push(ex);
  }

  /** Sends `ex` on `conn` at the end of the turn, with the requests that follow it on it. */
  private hold(conn: UpstreamConnection, ex: Exchange): void {
    conn.send(ex, true);
    this.filling = conn;
    this.toFlush.push(conn);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flush);
    }
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    this.filling = undefined;
    for (const c of this.toFlush.splice(0)) c.flush();
  };

  private underRequestCap(conn: UpstreamConnection): boolean {
    const max = this.options.maxRequestsPerConnection;
    return max === 0 || conn.requests < max;
  }

  /** A connection finished its exchanges: reuse it, or close it. */
  release(conn: UpstreamConnection): void {
    if (!conn.keepAlive || this.closing || !this.underRequestCap(conn)) {
      conn.socket.destroy();
      return;
    }
    const next = this.waiting.shift();
    if (next !== undefined) {
      if (this.depth > 1 && next.idempotent) {
        this.hold(conn, next);
        // The waiting idempotent requests behind it follow it, up to the depth.
        while (
          this.waiting.length > 0 &&
          (this.waiting[0] as Exchange).idempotent &&
          conn.inFlight.length < this.depth &&
          this.underRequestCap(conn)
        )
          conn.send(this.waiting.shift() as Exchange, true);
      } else conn.send(next, false);
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
    if (this.filling === conn) this.filling = undefined;
    const i = this.idle.indexOf(conn);
    if (i !== -1) this.idle.splice(i, 1);
    const next = this.waiting.shift();
    if (next !== undefined && !this.closing) {
      const c = this.open();
      if (this.depth > 1 && next.idempotent) this.hold(c, next);
      else c.send(next, false);
    }
    if (this.all.size === 0) this.whenEmpty?.();
  }

  /** Closes idle connections now and the others once their exchanges end. */
  close(): Promise<void> {
    this.closing = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    for (const w of this.waiting.splice(0))
      w.handler.onError(Object.assign(new Error('pool closed'), { code: 'UND_ERR_CLOSED' }));
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

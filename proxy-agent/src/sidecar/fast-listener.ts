// The fast path's listener: HTTP/1.1 on `net` sockets, request heads parsed by Node's llhttp (what
// node:http parses with), without http.Server's IncomingMessage/ServerResponse streams. Keep-alive,
// pipelining (responses in request order), Content-Length and chunked bodies, HTTP/1.0, HEAD, 431 on
// oversized headers, 400 on malformed requests. A connection whose first request is CONNECT, an Upgrade
// or carries Expect is handed, bytes untouched, to the node:http server behind (the current path).
import { type Server as HttpServer, type IncomingHttpHeaders, STATUS_CODES } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { isBadRequestError } from '../net/guarded-handler';
import {
  ConnectionCap,
  HEADERS_TIMEOUT_RESPONSE,
  type ListenerLimits,
  OVERLOAD_REPLY,
  STREAM_IDLE_REPLY,
} from './listener-limits';
import {
  consumeSocket,
  createParser,
  type LlhttpParser,
  methodName,
  pauseReading,
  resumeReading,
  type StreamHandle,
  writePieces,
} from './llhttp';

/** Request bodies up to this size are read whole before the request is handled (then replayable). */
export const FAST_BODY_LIMIT = 64 * 1024;
/** Pipelined requests parsed ahead of their responses before the connection stops reading. */
const MAX_PIPELINED = 32;
/** Corked output (pipelined responses held to the end of the turn) is written at once past this size. */
const MAX_CORKED_BYTES = 64 * 1024;
/**
 * Idle keep-alive connections are looked at this many times per keep-alive timeout, and closed once idle
 * for all of them: after between 1 and 1.25 times the timeout. One listener-wide timer instead of a socket
 * timeout per connection, which Node refreshes on every read and every write.
 */
const IDLE_SWEEPS_PER_TIMEOUT = 4;

/** Headers node:http keeps the first of when repeated (the others are joined with ', '). */
const SINGLE = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
]);

function headerObject(raw: readonly string[]): IncomingHttpHeaders {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    const value = raw[i + 1] as string;
    const prev = out[name];
    if (prev === undefined) out[name] = name === 'set-cookie' ? [value] : value;
    else if (Array.isArray(prev)) prev.push(value);
    else if (!SINGLE.has(name)) out[name] = `${prev}${name === 'cookie' ? '; ' : ', '}${value}`;
  }
  return out as IncomingHttpHeaders;
}

/** A request as the fast path hands it to a listener's handler (the fields handlers read). */
export class FastRequest {
  readonly headers: IncomingHttpHeaders;
  /** null: none; Buffer: the whole body (≤ FAST_BODY_LIMIT); a stream: larger or of unknown length. */
  body: Buffer | Readable | null = null;
  /** Body bytes read so far (a streamed body is counted here, not by a listener on the stream). */
  bodyBytes = 0;
  constructor(
    readonly method: string,
    readonly url: string,
    readonly rawHeaders: string[],
    readonly httpVersionMinor: number,
    /** The connection it came on (its TLS peer, if any, is the caller's identity). */
    readonly socket?: Socket,
  ) {
    this.headers = headerObject(rawHeaders);
  }
}

type Listener = () => void;

/** The answer to one request: the subset of ServerResponse the sidecar uses; head and body in one write. */
export class FastResponse {
  headersSent = false;
  writableFinished = false;
  /** Set when the connection closed before the response finished. */
  destroyed = false;
  /** Close the connection once this response is written. */
  closeAfter: boolean;
  private head: string | undefined;
  private flushed = false;
  private chunked = false;
  private hasLength = false;
  private noBody: boolean;
  /** Output held while an earlier pipelined response is still being written. */
  out: Array<Buffer | string> | undefined;
  private closeListeners: Listener[] | undefined;
  private drainListeners: Listener[] | undefined;

  constructor(
    private readonly conn: DownstreamConnection,
    readonly request: FastRequest,
    keepAlive: boolean,
  ) {
    this.closeAfter = !keepAlive;
    this.noBody = request.method === 'HEAD';
  }

  setHeader(name: string, value: string): void {
    if (name.toLowerCase() === 'connection' && value.toLowerCase() === 'close') this.closeAfter = true;
  }

  once(event: 'close' | 'drain', fn: Listener): this {
    if (event === 'close') {
      if (this.closeListeners === undefined) this.closeListeners = [fn];
      else this.closeListeners.push(fn);
    } else if (this.drainListeners === undefined) this.drainListeners = [fn];
    else this.drainListeners.push(fn);
    return this;
  }

  /** Headers as a flat [name, value, ...] list, as the sidecar passes them to ServerResponse. */
  writeHead(status: number, headers: readonly string[]): this {
    if (this.headersSent) return this;
    this.headersSent = true;
    if (status === 204 || status === 304 || status < 200) this.noBody = true;
    let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'unknown'}\r\n`;
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i] as string;
      if (name.length === 14 && name.toLowerCase() === 'content-length') this.hasLength = true;
      head += `${name}: ${headers[i + 1] as string}\r\n`;
    }
    this.head = head;
    return this;
  }

  write(chunk: Buffer | string): boolean {
    if (this.writableFinished || this.destroyed) return false;
    if (!this.headersSent) this.writeHead(200, []);
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (!this.flushed) {
      // Streaming a body of unknown length: chunked for HTTP/1.1, read-until-close for HTTP/1.0.
      if (!this.hasLength && !this.noBody) {
        if (this.request.httpVersionMinor >= 1) this.chunked = true;
        else this.closeAfter = true;
      }
      return this.conn.output(this, this.flushHead(), this.frame(data));
    }
    return this.conn.output(this, undefined, this.frame(data));
  }

  end(chunk?: Buffer | string): this {
    if (this.writableFinished || this.destroyed) return this;
    if (!this.headersSent) this.writeHead(200, []);
    const data = chunk === undefined ? undefined : typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (!this.flushed) {
      // The whole body at once: it gets a Content-Length (as node:http does).
      if (!this.hasLength && !this.noBody) {
        this.head += `content-length: ${data?.length ?? 0}\r\n`;
        this.hasLength = true;
      }
      this.conn.output(this, this.flushHead(), this.noBody ? undefined : data);
    } else {
      let tail = data === undefined || this.noBody ? undefined : this.frame(data);
      if (this.chunked) tail = tail === undefined ? LAST_CHUNK : Buffer.concat([tail, LAST_CHUNK]);
      if (tail !== undefined) this.conn.output(this, undefined, tail);
    }
    this.writableFinished = true;
    this.conn.finished(this);
    return this;
  }

  /** Cuts the connection (as ServerResponse.destroy does). */
  destroy(): void {
    this.conn.socket.destroy();
  }

  emitClose(): void {
    const ls = this.closeListeners;
    this.closeListeners = undefined;
    if (ls) for (const fn of ls) fn();
  }

  emitDrain(): void {
    const ls = this.drainListeners;
    this.drainListeners = undefined;
    if (ls) for (const fn of ls) fn();
  }

  private flushHead(): string {
    this.flushed = true;
    let head = this.head as string;
    if (this.chunked) head += 'transfer-encoding: chunked\r\n';
    if (this.closeAfter || this.conn.draining) {
      this.closeAfter = true;
      head += 'connection: close\r\n';
    } else if (this.request.httpVersionMinor === 0) head += 'connection: keep-alive\r\n';
    return `${head}\r\n`;
  }

  private frame(data: Buffer): Buffer | undefined {
    if (this.noBody || data.length === 0) return undefined;
    if (!this.chunked) return data;
    const size = data.length.toString(16);
    const buf = Buffer.allocUnsafe(size.length + 2 + data.length + 2);
    buf.write(`${size}\r\n`, 0, 'latin1');
    data.copy(buf, size.length + 2);
    buf.write('\r\n', size.length + 2 + data.length, 'latin1');
    return buf;
  }
}

const LAST_CHUNK = Buffer.from('0\r\n\r\n', 'latin1');

function joinOutput(head: string | undefined, body: Buffer | undefined): Buffer | string | undefined {
  if (head === undefined) return body;
  if (body === undefined) return head;
  const buf = Buffer.allocUnsafe(head.length + body.length);
  buf.write(head, 0, 'latin1');
  body.copy(buf, head.length);
  return buf;
}

/** May return a promise: its rejection is answered like a throw. */
export type FastHandler = (req: FastRequest, res: FastResponse) => unknown;

export interface FastListenerOptions {
  handler: FastHandler;
  /** The node:http server that takes the connections the fast path hands over. */
  fallback: HttpServer;
  maxHeaderSize: number;
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeoutMs: number;
  /** Answers a malformed request (431 / 400) on a socket. */
  onClientError: (err: Error & { code?: string }, socket: Socket) => void;
  /** Head and body deadlines, connection cap. */
  limits: ListenerLimits;
  /** Names the listener in log lines (`sidecar inbound`). */
  name: string;
  log: (line: string) => void;
}

/** A local answer (overload, stream timeout) on a fast-path response; the connection closes after it. */
function answerLocally(res: FastResponse, reply: { status: number; body: string; flag: string }): void {
  res.closeAfter = true;
  res.writeHead(reply.status, [
    'content-type',
    'text/plain',
    'content-length',
    String(Buffer.byteLength(reply.body)),
    'x-envoy-response-flags',
    reply.flag,
  ]);
  res.end(reply.body);
}

class DownstreamConnection {
  readonly parser: LlhttpParser;
  /** Responses not yet fully written, in request order; the first one owns the socket. */
  readonly queue: FastResponse[] = [];
  messages = 0;
  /** Output of pipelined responses held to the end of the turn (see send). */
  private corked: Array<Buffer | string> | undefined;
  private corkedBytes = 0;
  /** Idle sweeps seen in a row with nothing in flight (FastListener closes the connection past a timeout). */
  idleSweeps = 0;
  /** The request whose body is being read. */
  private reading:
    | { req: FastRequest; res: FastResponse; chunks: Buffer[] | undefined; stream: Readable | undefined }
    | undefined;
  /** No further request is read (a `connection: close` request, an upgrade). */
  private stopped = false;
  private handOver = false;
  private paused = false;
  /** Over the listener's connection cap: its first request is answered 503 (OM). */
  private readonly overloaded: boolean;
  /** Between a message's end and the next head's completion; the head deadline runs from its first byte. */
  private awaitingHead = true;
  /** A message's first byte was parsed and its head is not complete yet. */
  private headBegun = false;
  private headTimer: NodeJS.Timeout | undefined;
  private readonly onHeadTimeout = () => this.headTimedOut();
  private readonly onData = (chunk: Buffer) => this.data(chunk);
  private readonly onDrain = () => this.queue[0]?.emitDrain();
  private readonly onTimeout = () => {
    // The socket has a timeout only while a body is read: the stream idle timeout (keep-alive's is the
    // listener's sweep).
    const r = this.reading;
    if (r !== undefined) this.streamIdle(r.res);
    else if (this.queue.length === 0) this.socket.destroy();
  };
  private readonly onEnd = () => {
    // The client hung up: what it asked is abandoned (DC), as node:http does without httpAllowHalfOpen.
    this.stop();
  };
  private readonly onClose = () => this.closed();
  private readonly onError = () => {};
  /** Set once llhttp reads the socket itself (after the first request: see tryConsume). */
  private handle: StreamHandle | undefined;

  constructor(
    readonly socket: Socket,
    private readonly listener: FastListener,
  ) {
    const o = listener.options;
    this.parser = createParser('request', o.maxHeaderSize, {
      messageBegin: () => {
        this.headBegun = true;
      },
      headersComplete: (_maj, minor, headers, method, url, _s, _m, upgrade, keepAlive) =>
        this.headersComplete(minor, headers, methodName(method) ?? 'GET', url ?? '/', upgrade, keepAlive),
      body: (chunk) => this.body(chunk),
      messageComplete: () => this.messageComplete(),
      execute: (r) => {
        if (this.stopped) return;
        // Reads no longer pass through the socket's stream, which refreshed its timeout (a body's idle one).
        if (this.reading !== undefined) (this.socket as unknown as { _unrefTimer(): void })._unrefTimer();
        this.parsed(r, undefined);
      },
    });
    socket.setNoDelay(true);
    this.overloaded = !listener.cap.admit(socket);
    this.subscribe('on');
  }

  private headTimedOut(): void {
    this.headTimer = undefined;
    if (this.stopped || !this.awaitingHead) return;
    this.listener.options.log(
      `${this.listener.options.name}: request head not complete within ${this.listener.options.limits.headersTimeoutMs} ms, connection closed`,
    );
    this.stopped = true;
    if (this.queue.length === 0) this.socket.end(HEADERS_TIMEOUT_RESPONSE, 'latin1');
    else this.socket.destroy();
  }

  /** No body byte for the stream idle timeout: 408 (SI) when nothing was answered yet, else a reset. */
  private streamIdle(res: FastResponse): void {
    this.listener.options.log(
      `${this.listener.options.name}: request body idle for ${this.listener.options.limits.streamIdleTimeoutMs} ms, stream closed`,
    );
    this.reading?.stream?.destroy();
    this.reading = undefined;
    if (res.headersSent || this.queue[0] !== res) {
      this.socket.destroy();
      return;
    }
    this.stopped = true;
    answerLocally(res, STREAM_IDLE_REPLY);
  }

  private dispatch(req: FastRequest, res: FastResponse): void {
    if (this.overloaded) {
      this.stopped = true;
      answerLocally(res, OVERLOAD_REPLY);
      return;
    }
    this.listener.dispatch(req, res);
  }

  private subscribe(how: 'on' | 'off'): void {
    const s = this.socket;
    s[how]('data', this.onData);
    s[how]('drain', this.onDrain);
    s[how]('timeout', this.onTimeout);
    s[how]('end', this.onEnd);
    s[how]('error', this.onError);
    s[how]('close', this.onClose);
  }

  get draining(): boolean {
    return this.listener.draining;
  }

  get idle(): boolean {
    return this.queue.length === 0 && this.reading === undefined;
  }

  /** Writes a response's output, or holds it while an earlier response is still being written. */
  output(res: FastResponse, head: string | undefined, body: Buffer | undefined): boolean {
    const data = joinOutput(head, body);
    if (data === undefined) return true;
    if (this.queue[0] !== res) {
      if (res.out === undefined) res.out = [data];
      else res.out.push(data);
      return true;
    }
    return this.send(data);
  }

  /**
   * Writes to the socket; while pipelined requests wait behind the one answered, the output is corked to
   * the end of the turn, so that the responses ready in the same turn go out in one write.
   */
  private send(data: Buffer | string): boolean {
    if (this.queue.length > 1 || this.corked !== undefined) {
      if (this.corked === undefined) {
        this.corked = [data];
        this.corkedBytes = data.length;
        setImmediate(this.uncork);
      } else {
        this.corked.push(data);
        this.corkedBytes += data.length;
      }
      if (this.corkedBytes < MAX_CORKED_BYTES) return true;
      return this.flushCorked();
    }
    return typeof data === 'string' ? this.socket.write(data, 'latin1') : this.socket.write(data);
  }

  private readonly uncork = (): void => {
    this.flushCorked();
  };

  /** Writes the corked output in one write. */
  private flushCorked(): boolean {
    const out = this.corked;
    this.corked = undefined;
    if (out === undefined || this.socket.destroyed) return true;
    return writePieces(this.socket, out, this.corkedBytes);
  }

  finished(res: FastResponse): void {
    if (this.queue[0] !== res) return; // written when the earlier ones finish
    this.queue.shift();
    res.emitClose();
    if (res.closeAfter) {
      this.stop();
      return;
    }
    // Pipelined responses that completed while waiting go out now.
    for (let next = this.queue[0]; next !== undefined; next = this.queue[0]) {
      const out = next.out;
      next.out = undefined;
      if (out) for (const d of out) this.send(d);
      if (!next.writableFinished) break;
      this.queue.shift();
      next.emitClose();
      if (next.closeAfter) {
        this.stop();
        return;
      }
    }
    if (this.paused && this.queue.length < MAX_PIPELINED) {
      this.paused = false;
      this.resumeReading();
    }
    if (this.queue.length === 0) {
      this.idleSweeps = 0;
      // Nothing left to wait for: the corked responses go now.
      this.flushCorked();
      if (this.stopped || this.listener.draining) this.socket.end();
    }
  }

  private stop(): void {
    this.stopped = true;
    this.flushCorked();
    this.reading?.stream?.destroy();
    this.reading = undefined;
    for (const r of this.queue.splice(0)) {
      r.destroyed = true;
      r.emitClose();
    }
    this.socket.end();
  }

  private data(chunk: Buffer): void {
    if (this.stopped) return;
    this.parsed(this.parser.execute(chunk), chunk);
    this.tryConsume();
  }

  /** After llhttp parsed a read (`chunk`: the bytes, when they came through 'data'). */
  private parsed(r: number | (Error & { code?: string }), chunk: Buffer | undefined): void {
    this.idleSweeps = 0;
    // The head deadline, only for a head this read left incomplete (most reads carry whole heads: no
    // timer is set and cleared per request).
    if (this.headBegun && this.awaitingHead && this.headTimer === undefined && !this.stopped)
      this.headTimer = setTimeout(this.onHeadTimeout, this.listener.options.limits.headersTimeoutMs);
    if (this.handOver) {
      // Only a connection's first request is handed over, and only 'data' reads come before it.
      if (chunk !== undefined) this.handToFallback(chunk);
      else this.socket.destroy();
      return;
    }
    if (typeof r !== 'number') {
      this.stopped = true;
      if (this.queue.length === 0) this.listener.options.onClientError(r, this.socket);
      else this.socket.destroy();
      return;
    }
    if (this.queue.length >= MAX_PIPELINED && !this.paused) {
      this.paused = true;
      this.pauseReading();
    }
  }

  /**
   * From the second request on (the first may be handed over to node:http with its bytes), llhttp reads
   * the socket itself when it can (consumeSocket); a socket with bytes given back by the protocol sniffer
   * is consumed once those are read.
   */
  private tryConsume(): void {
    if (this.handle !== undefined || this.messages === 0 || this.stopped || this.handOver) return;
    this.handle = consumeSocket(this.parser, this.socket);
    if (this.handle !== undefined && this.paused) this.handle.readStop();
  }

  private pauseReading(): void {
    pauseReading(this.socket, this.handle);
  }

  private resumeReading(): void {
    resumeReading(this.socket, this.handle);
  }

  private headersComplete(
    minor: number,
    raw: string[],
    method: string,
    url: string,
    upgrade: boolean,
    keepAlive: boolean,
  ): number {
    const first = this.messages++ === 0;
    this.awaitingHead = false;
    this.headBegun = false;
    this.clearHeadTimer();
    if (this.stopped) return 1;
    const req = new FastRequest(method, url, raw, minor, this.socket);
    const h = req.headers;
    if (first && (upgrade || method === 'CONNECT' || h.expect !== undefined)) {
      // Not the fast path's: node:http takes the connection from its first byte.
      this.handOver = true;
      return 1;
    }
    if (method === 'CONNECT') {
      this.socket.destroy();
      return 1;
    }
    if (upgrade) this.stopped = true; // forwarded as a plain request (node:http does the same); nothing after it is read
    if (h.expect !== undefined && this.queue.length === 0)
      this.socket.write('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');
    const res = new FastResponse(this, req, keepAlive && !upgrade);
    this.queue.push(res);
    const te = h['transfer-encoding'];
    const cl = h['content-length'];
    const length = cl === undefined ? 0 : Number(cl);
    if (te === undefined && length === 0) {
      this.awaitingHead = true;
      this.dispatch(req, res);
      return 0;
    }
    this.socket.setTimeout(this.listener.options.limits.streamIdleTimeoutMs);
    if (te === undefined && length <= FAST_BODY_LIMIT) {
      this.reading = { req, res, chunks: [], stream: undefined };
      return 0;
    }
    const stream = new Readable({
      read: () => {
        if (this.paused) return;
        this.resumeReading();
      },
    });
    req.body = stream;
    this.reading = { req, res, chunks: undefined, stream };
    this.dispatch(req, res);
    return 0;
  }

  private body(chunk: Buffer): void {
    const r = this.reading;
    if (r === undefined) return;
    r.req.bodyBytes += chunk.length;
    if (r.chunks !== undefined) r.chunks.push(chunk);
    else if (r.stream !== undefined && !r.stream.push(chunk)) this.pauseReading();
  }

  private messageComplete(): void {
    const r = this.reading;
    if (r === undefined) return;
    this.reading = undefined;
    this.awaitingHead = true;
    this.socket.setTimeout(0);
    if (r.stream !== undefined) {
      r.stream.push(null);
      return;
    }
    const chunks = r.chunks as Buffer[];
    // The parser's chunks are views of the socket's buffers: copied once into the body.
    r.req.body = chunks.length === 0 ? null : Buffer.concat(chunks);
    this.dispatch(r.req, r.res);
  }

  private handToFallback(chunk: Buffer): void {
    const s = this.socket;
    this.subscribe('off');
    this.clearHeadTimer();
    s.setTimeout(0);
    s.pause();
    s.unshift(chunk);
    this.listener.forget(this);
    // node:http would read the socket's handle directly (parser.consume) and skip the bytes given back
    // above; marked as consumed, it reads through the stream, in order.
    const handle = (s as unknown as { _handle?: { _consumed?: boolean } })._handle;
    if (handle) handle._consumed = true;
    this.listener.options.fallback.emit('connection', s);
    s.resume();
  }

  private clearHeadTimer(): void {
    if (this.headTimer === undefined) return;
    clearTimeout(this.headTimer);
    this.headTimer = undefined;
  }

  private closed(): void {
    this.stopped = true;
    this.corked = undefined;
    if (this.handle !== undefined) {
      this.handle = undefined;
      this.parser.unconsume();
    }
    this.clearHeadTimer();
    const r = this.reading;
    this.reading = undefined;
    r?.stream?.destroy();
    for (const res of this.queue.splice(0)) {
      res.destroyed = true;
      res.emitClose();
    }
    this.listener.forget(this);
  }
}

/** A net.Server speaking HTTP/1.1 through DownstreamConnection; close() semantics as http.Server's. */
export class FastListener {
  readonly server: Server;
  readonly cap: ConnectionCap;
  draining = false;
  private readonly connections = new Set<DownstreamConnection>();
  private idleSweep: NodeJS.Timeout | undefined;

  constructor(readonly options: FastListenerOptions) {
    this.cap = new ConnectionCap(options.limits.maxConnections);
    // Half-open, so that the end of a client's side is seen (and treated) before the socket ends.
    this.server = createServer({ allowHalfOpen: true }, (socket) => this.accept(socket));
  }

  /** Serves a connection accepted elsewhere (the inbound transport, after its TLS handshake or peek). */
  accept(socket: Socket): void {
    this.connections.add(new DownstreamConnection(socket, this));
    this.idleSweep ??= setInterval(
      () => this.sweepIdle(),
      Math.max(1, this.options.keepAliveTimeoutMs / IDLE_SWEEPS_PER_TIMEOUT),
    ).unref();
    // A connection whose first bytes were read and given back is paused; 'data' alone would not resume it.
    if (socket.isPaused()) socket.resume();
  }

  /**
   * The handler behind the same guard as the node:http listeners (net/guarded-handler.ts): a throw or a
   * rejection is answered 400 (a request target that does not parse) or 500, and logged; the connection
   * and the process live on.
   */
  dispatch(req: FastRequest, res: FastResponse): void {
    try {
      const result = this.options.handler(req, res);
      if (result instanceof Promise) result.catch((err: unknown) => this.fail(err, req, res));
    } catch (err) {
      this.fail(err, req, res);
    }
  }

  private fail(err: unknown, req: FastRequest, res: FastResponse): void {
    const bad = isBadRequestError(err);
    const reason = err instanceof Error ? err.message : String(err);
    this.options.log(
      `${this.options.name}: ${bad ? 'bad request' : 'internal error'} on ${req.method} ${req.url}: ${reason}`,
    );
    if (res.headersSent || res.destroyed || res.writableFinished) {
      res.destroy();
      return;
    }
    const body = bad ? `bad request: ${reason}\n` : 'internal error; see the server log\n';
    res.writeHead(bad ? 400 : 500, [
      'content-type',
      'text/plain; charset=utf-8',
      'content-length',
      String(Buffer.byteLength(body)),
      'x-content-type-options',
      'nosniff',
    ]);
    res.end(body);
  }

  forget(conn: DownstreamConnection): void {
    this.connections.delete(conn);
  }

  /** Closes the connections idle for the keep-alive timeout; stops when there are none. */
  private sweepIdle(): void {
    for (const c of this.connections) {
      if (!c.idle) c.idleSweeps = 0;
      else if (++c.idleSweeps > IDLE_SWEEPS_PER_TIMEOUT) c.socket.destroy();
    }
    if (this.connections.size === 0 && this.idleSweep !== undefined) {
      clearInterval(this.idleSweep);
      this.idleSweep = undefined;
    }
  }

  /** Connections with nothing in flight are closed; the others close after their current response. */
  closeIdleConnections(): void {
    this.draining = true;
    for (const c of this.connections) if (c.idle) c.socket.destroy();
  }

  closeAllConnections(): void {
    for (const c of this.connections) c.socket.destroy();
  }
}

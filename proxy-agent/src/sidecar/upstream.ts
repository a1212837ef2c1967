// One try of a request on an upstream connection pool, and relaying its response downstream. The I/O
// edge shared by the outbound and inbound listeners; it classifies failures as Envoy does.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Dispatcher } from 'undici';
import { FastRequest } from './fast-listener';
import { FastPool } from './fast-pool';
import type { TryOutcome } from './retry';
import type { Pool } from './upstream-pool';
import { tlsFailureReason } from './upstream-tls';

/** A request as a listener's handler gets it: from node:http, or from the fast path. */
export type DownstreamRequest = IncomingMessage | FastRequest;

/** What the handlers use of a response: node:http's ServerResponse and the fast path's FastResponse. */
export interface DownstreamResponse {
  readonly headersSent: boolean;
  readonly writableFinished: boolean;
  /** Headers as a flat [name, value, ...] list. */
  writeHead(status: number, headers: string[]): unknown;
  write(chunk: Buffer): boolean;
  end(chunk?: Buffer | string): unknown;
  destroy(): unknown;
  once(event: 'close' | 'drain', listener: () => void): unknown;
  setHeader(name: string, value: string): unknown;
}

/** The request body: null when there is none, a Buffer when the fast path read it whole, else a stream. */
export function requestBody(req: DownstreamRequest): Buffer | NodeJS.ReadableStream | null {
  if (req instanceof FastRequest) return req.body;
  return hasRequestBody(req.headers) ? req : null;
}

/** Request headers never forwarded: hop-by-hop (RFC 9110 §7.6.1), and what the sidecar sets itself. */
const DROP_REQUEST = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect',
  'content-length',
  'b3',
  'x-b3-traceid',
  'x-b3-spanid',
  'x-b3-parentspanid',
  'x-b3-sampled',
  'x-b3-flags',
]);

const DROP_RESPONSE = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'x-envoy-response-flags',
]);

/**
 * Headers to send upstream as a flat [name, value, ...] list: the downstream's raw headers minus the
 * dropped ones and `extraDrop`, plus `add` (B3 of the new span, peer metadata).
 */
export function upstreamHeaders(
  raw: readonly string[],
  add: Readonly<Record<string, string>>,
  extraDrop?: string,
): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const lower = name.toLowerCase();
    if (DROP_REQUEST.has(lower) || lower === extraDrop) continue;
    out.push(name, raw[i + 1] as string);
  }
  for (const k in add) out.push(k, add[k] as string);
  return out;
}

export function hasRequestBody(headers: IncomingHttpHeaders): boolean {
  const cl = headers['content-length'];
  return (cl !== undefined && cl !== '0') || headers['transfer-encoding'] !== undefined;
}

export interface UpstreamRequest {
  method: string;
  path: string;
  headers: string[];
  body: Buffer | NodeJS.ReadableStream | null;
}

const CONNECT_ERRORS = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function errorCode(err: unknown): string {
  const e = err as { code?: unknown; name?: unknown; cause?: { code?: unknown } } | null;
  if (typeof e?.code === 'string') return e.code;
  if (typeof e?.cause?.code === 'string') return e.cause.code;
  return typeof e?.name === 'string' ? e.name : '';
}

/**
 * Lengths of the response header names dropped: a cheap first test, so that most names are kept without
 * being lower-cased. Derived from DROP_RESPONSE so that the two cannot disagree.
 */
const RESPONSE_HOP_BY_HOP_LENGTHS = new Set(Array.from(DROP_RESPONSE, (name) => name.length));

/**
 * One try of a request on a pool, driven by undici's dispatch callbacks (no intermediate stream): `head`
 * settles when the response headers arrive or the try fails; the caller then relays or discards it.
 * Body bytes that arrive before that are held, so small responses go downstream in one write.
 */
export class UpstreamTry implements Dispatcher.DispatchHandler {
  /** Set once the try has an outcome: a response, or how it failed. */
  outcome: TryOutcome | undefined;
  statusCode = 0;
  readonly head: Promise<UpstreamTry>;
  private settle!: (t: UpstreamTry) => void;
  private rawHeaders: Array<Buffer | string> = [];
  private abortFn: ((err?: Error) => void) | undefined;
  private resumeFn: (() => void) | undefined;
  private held: Buffer[] | undefined;
  private ended = false;
  private broken = false;
  private discarding = false;
  private sink: DownstreamResponse | undefined;
  private done: ((bytes: number, complete: boolean) => void) | undefined;
  private bytes = 0;
  private timer: NodeJS.Timeout | undefined;

  /** On a FastPool when the body is buffered (or absent), else on undici's pool. */
  constructor(pool: Pool | FastPool, req: UpstreamRequest, timeoutMs: number) {
    this.head = new Promise((resolve) => {
      this.settle = resolve;
    });
    if (timeoutMs !== Number.POSITIVE_INFINITY)
      this.timer = setTimeout(() => this.timeout(), Math.max(0, timeoutMs));
    try {
      const body = req.body;
      if (pool instanceof FastPool && (body === null || Buffer.isBuffer(body)))
        pool.dispatch({ method: req.method, path: req.path, headers: req.headers, body }, this);
      else if (pool instanceof FastPool) throw new Error('a streamed body needs the undici pool');
      else
        pool.dispatch(
          {
            method: req.method as Dispatcher.HttpMethod,
            path: req.path,
            headers: req.headers,
            body: req.body as Dispatcher.DispatchOptions['body'],
          },
          this,
        );
    } catch {
      this.fail({ kind: 'reset' });
    }
  }

  onConnect(abort: (err?: Error) => void): void {
    this.abortFn = abort;
    if (this.outcome !== undefined && this.outcome.kind !== 'response') abort(new Error('try abandoned'));
  }

  onHeaders(statusCode: number, rawHeaders: Array<Buffer | string>, resume: () => void): boolean {
    if (statusCode < 200) return true; // 1xx informational
    if (this.timer) clearTimeout(this.timer);
    this.statusCode = statusCode;
    this.rawHeaders = rawHeaders;
    this.resumeFn = resume;
    if (this.outcome === undefined) {
      this.outcome = { kind: 'response', status: statusCode };
      this.settle(this);
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.discarding) return true;
    this.bytes += chunk.length;
    const sink = this.sink;
    if (sink === undefined) {
      if (this.held === undefined) this.held = [chunk];
      else this.held.push(chunk);
      return true;
    }
    if (sink.write(chunk)) return true;
    sink.once('drain', () => this.resumeFn?.());
    return false;
  }

  onComplete(): void {
    this.ended = true;
    if (this.sink) {
      this.sink.end();
      this.finish(true);
    }
  }

  onError(err: Error): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.outcome === undefined) {
      const reason = tlsFailureReason(err, (err as { handshake?: boolean }).handshake === true);
      if (reason !== undefined) this.fail({ kind: 'connect-failure', reason });
      else this.fail({ kind: CONNECT_ERRORS.has(errorCode(err)) ? 'connect-failure' : 'reset' });
      return;
    }
    this.broken = true;
    if (this.sink) {
      this.sink.destroy();
      this.finish(false);
    }
  }

  /** Response headers to relay downstream as a flat list (hop-by-hop dropped), with the sidecar's flags. */
  downstreamHeaders(flags: string): string[] {
    const raw = this.rawHeaders;
    const out: string[] = [];
    for (let i = 0; i < raw.length; i += 2) {
      const n = raw[i] as Buffer | string;
      const name = typeof n === 'string' ? n : n.toString('latin1');
      if (RESPONSE_HOP_BY_HOP_LENGTHS.has(name.length) && DROP_RESPONSE.has(name.toLowerCase())) continue;
      const v = raw[i + 1] as Buffer | string;
      out.push(name, typeof v === 'string' ? v : v.toString('latin1'));
    }
    if (flags !== '-') out.push('x-envoy-response-flags', flags);
    return out;
  }

  /** Streams the response downstream with back-pressure; `done` gets the body bytes and whether it completed. */
  relay(res: DownstreamResponse, flags: string, done: (bytes: number, complete: boolean) => void): void {
    this.done = done;
    try {
      res.writeHead(this.statusCode, this.downstreamHeaders(flags));
    } catch {
      // A header Node refuses to send (invalid characters): the answer cannot be relayed.
      this.discard();
      this.abort();
      res.destroy();
      this.finish(false);
      return;
    }
    const held = this.held;
    this.held = undefined;
    if (this.ended && held?.length === 1) {
      res.end(held[0]);
      this.finish(true);
      return;
    }
    if (held) for (const c of held) res.write(c);
    if (this.ended) {
      res.end();
      this.finish(true);
    } else if (this.broken) {
      res.destroy();
      this.finish(false);
    } else {
      this.sink = res;
      if (this.resumeFn) this.resumeFn();
    }
  }

  /** Drops a response that will not be relayed (it is retried); the connection stays reusable. */
  discard(): void {
    this.discarding = true;
    this.held = undefined;
  }

  /** Breaks off the try (timeout, or the downstream went away); a relay in progress is cut. */
  abort(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.outcome === undefined) this.fail({ kind: 'per-try-timeout' });
    if (!this.ended) this.abortFn?.(new Error('upstream try aborted'));
  }

  private timeout(): void {
    this.timer = undefined;
    this.abort();
  }

  private fail(outcome: Exclude<TryOutcome, { kind: 'response' }>): void {
    if (this.outcome !== undefined) return;
    this.outcome = outcome;
    this.settle(this);
  }

  private finish(complete: boolean): void {
    const done = this.done;
    this.done = undefined;
    done?.(this.bytes, complete);
  }
}

/** Envoy's UF body, with the transport failure reason when there is one (a TLS error). */
export function connectFailureBody(base: string, reason: string | undefined): string {
  return reason === undefined ? base : `${base}, transport failure reason: ${reason}`;
}

/** Sends a reply the sidecar makes itself (Envoy's local reply). */
export function localReply(res: DownstreamResponse, status: number, body: string, flags: string): number {
  if (res.headersSent) {
    res.destroy();
    return 0;
  }
  const length = Buffer.byteLength(body);
  const headers: string[] = ['content-type', 'text/plain', 'content-length', String(length)];
  if (flags !== '-') headers.push('x-envoy-response-flags', flags);
  res.writeHead(status, headers);
  res.end(body);
  return length;
}

/** Reads a whole request body (to replay it on retry); rejects past `limit` bytes or when the sender leaves. */
export function readBody(stream: NodeJS.ReadableStream, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let ended = false;
    stream.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(c);
    });
    stream.on('end', () => {
      ended = true;
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    });
    stream.on('error', reject);
    // A request whose sender hung up mid-body closes without 'end'.
    stream.on('close', () => {
      if (!ended) reject(new Error('request body incomplete'));
    });
  });
}

export class BodyTooLargeError extends Error {
  constructor() {
    super('request body too large');
  }
}

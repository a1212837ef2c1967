// One try of an HTTP/1.1 request on an HTTP/2 connection upstream: what the sidecar does when the
// cluster talks HTTP/2 (a DestinationRule's `h2UpgradePolicy: UPGRADE`, or the app port declared
// HTTP2/GRPC) and the caller spoke HTTP/1.1. The request line and Host become pseudo-headers, the
// body DATA (buffered, or streamed as it comes); the answer's head becomes an HTTP/1.1 status line and headers, its DATA
// is relayed with back-pressure, and its trailers are dropped (an HTTP/1.1 answer has none to carry).
// The same surface as UpstreamTry, so the retry loop runs it unchanged.
import {
  type ClientHttp2Stream,
  constants,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from 'node:http2';
import { CANCEL, type H2Pool } from './h2-pool';
import type { TryOutcome } from './retry';
import type { DownstreamResponse, UpstreamRequest } from './upstream';

/** HTTP/1.1 headers HTTP/2 forbids (RFC 9113 §8.2.2) or carries as pseudo-headers. */
const NOT_IN_H2 = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'host',
  'http2-settings',
]);

/** The HTTP/2 request head of an HTTP/1.1 request (`authority`: its Host). */
export function h2RequestHeaders(req: UpstreamRequest, authority: string): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {
    ':method': req.method,
    ':path': req.path,
    ':scheme': 'http',
    ':authority': authority,
  };
  const raw = req.headers;
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    if (NOT_IN_H2.has(name)) continue;
    const value = raw[i + 1] as string;
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else out[name] = Array.isArray(prev) ? [...prev, value] : [String(prev), value];
  }
  if (req.body !== null && Buffer.isBuffer(req.body)) out['content-length'] = String(req.body.length);
  return out;
}

/** The HTTP/2 answer's head as a flat HTTP/1.1 header list, with the sidecar's response flags. */
export function h1ResponseHeaders(headers: IncomingHttpHeaders, flags: string): string[] {
  const out: string[] = [];
  for (const name in headers) {
    if (name.charCodeAt(0) === 58 || NOT_IN_H2.has(name)) continue; // pseudo-headers, hop-by-hop
    const value = headers[name];
    if (Array.isArray(value)) for (const v of value) out.push(name, v);
    else if (value !== undefined) out.push(name, String(value));
  }
  if (flags !== '-') out.push('x-envoy-response-flags', flags);
  return out;
}

export class H1ToH2Try {
  outcome: TryOutcome | undefined;
  statusCode = 0;
  readonly head: Promise<H1ToH2Try>;
  private settle!: (t: H1ToH2Try) => void;
  private readonly stream: ClientHttp2Stream | undefined;
  private headers: IncomingHttpHeaders = {};
  private held: Buffer[] = [];
  private ended = false;
  private broken = false;
  private sink: DownstreamResponse | undefined;
  private done: ((bytes: number, complete: boolean) => void) | undefined;
  private bytes = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(pool: H2Pool, req: UpstreamRequest, authority: string, timeoutMs: number) {
    this.head = new Promise((resolve) => {
      this.settle = resolve;
    });
    let opened: ReturnType<H2Pool['request']>;
    try {
      opened = pool.request(h2RequestHeaders(req, authority));
    } catch {
      // The session was already going away (or a header HTTP/2 refuses): a reset, retried as one.
      this.stream = undefined;
      this.fail({ kind: 'reset' });
      return;
    }
    const { stream, connectFailed } = opened;
    this.stream = stream;
    if (Number.isFinite(timeoutMs)) this.timer = setTimeout(() => this.abort(), Math.max(0, timeoutMs));
    const body = req.body;
    if (body === null) stream.end();
    else if (Buffer.isBuffer(body)) stream.end(body);
    else body.pipe(stream); // a streamed request body (inbound, no retry): relayed as it comes
    stream.once('response', (h: IncomingHttpHeaders, flags: number) => {
      if (this.timer) clearTimeout(this.timer);
      this.statusCode = Number(h[':status']) || 0;
      this.headers = h;
      if ((flags & constants.NGHTTP2_FLAG_END_STREAM) !== 0) this.ended = true;
      this.outcome = { kind: 'response', status: this.statusCode };
      this.settle(this);
    });
    stream.on('data', (chunk: Buffer) => {
      this.bytes += chunk.length;
      const sink = this.sink;
      if (sink === undefined) {
        this.held.push(chunk);
        return;
      }
      if (!sink.write(chunk)) {
        stream.pause();
        sink.once('drain', () => stream.resume());
      }
    });
    stream.once('end', () => {
      this.ended = true;
      if (this.sink) {
        this.sink.end();
        this.finish(true);
      }
    });
    const failed = () => {
      if (this.timer) clearTimeout(this.timer);
      if (this.outcome === undefined) {
        this.fail(connectFailed() ? { kind: 'connect-failure' } : { kind: 'reset' });
        return;
      }
      if (this.ended) return;
      this.broken = true;
      if (this.sink) {
        this.sink.destroy();
        this.finish(false);
      }
    };
    stream.on('error', () => {});
    stream.once('error', failed);
    stream.once('close', failed);
  }

  /** Relays the answer downstream; `done` gets the body bytes and whether it completed. */
  relay(res: DownstreamResponse, flags: string, done: (bytes: number, complete: boolean) => void): void {
    this.done = done;
    try {
      res.writeHead(this.statusCode, h1ResponseHeaders(this.headers, flags));
    } catch {
      this.abort();
      res.destroy();
      this.finish(false);
      return;
    }
    const held = this.held;
    this.held = [];
    if (this.ended) {
      res.end(held.length === 1 ? held[0] : held.length > 0 ? Buffer.concat(held) : undefined);
      this.finish(true);
      return;
    }
    for (const c of held) res.write(c);
    if (this.broken) {
      res.destroy();
      this.finish(false);
    } else this.sink = res;
  }

  /** Drops an answer that will not be relayed (it is retried): the stream is cancelled. */
  discard(): void {
    this.held = [];
    if (this.stream && !this.stream.destroyed) this.stream.close(CANCEL);
  }

  abort(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.outcome === undefined) this.fail({ kind: 'per-try-timeout' });
    if (!this.ended && this.stream && !this.stream.destroyed) this.stream.close(CANCEL);
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

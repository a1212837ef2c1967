// One HTTP/2 stream relayed to an upstream HTTP/2 stream: the request body kept for replay (retries)
// up to a limit, one try's outcome from its response head (gRPC trailers-only answers included), and
// the response relayed unchanged — head, DATA, trailers — with gRPC messages counted both ways.
import {
  type ClientHttp2Stream,
  constants,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import { GrpcMessageCounter, grpcStatusForHttp, grpcStatusOf } from './grpc-frames';
import { CANCEL, type H2Pool } from './h2-pool';
import type { TryOutcome } from './retry';

/** Headers never forwarded hop to hop (HTTP/2 forbids the connection-specific ones anyway). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);

/** The request headers to send upstream: the downstream's, with `extra` set (B3, peer metadata). */
export function upstreamH2Headers(
  headers: IncomingHttpHeaders,
  extra: Record<string, string>,
  drop: string | undefined,
): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || name === drop) continue;
    if (name.startsWith('x-b3-') || name === 'b3') continue;
    out[name] = value;
  }
  for (const [name, value] of Object.entries(extra)) out[name] = value;
  return out;
}

/** Response headers to relay downstream: all but the pseudo-headers other than :status. */
function responseHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    if (name.charCodeAt(0) === 58 && name !== ':status') continue;
    out[name] = value;
  }
  return out;
}

/** The downstream request's body: read as it comes, kept for a retry while it fits. */
export class RequestBody {
  readonly chunks: Buffer[] = [];
  bytes = 0;
  ended = false;
  /** The body outgrew the replay limit: no retry after the first byte went upstream. */
  overflowed = false;
  readonly messages = new GrpcMessageCounter();
  private target: ClientHttp2Stream | undefined;
  private listening = false;

  constructor(
    readonly downstream: ServerHttp2Stream,
    private readonly limit: number,
  ) {}

  /** Starts reading (at the first try: until then HTTP/2 flow control holds the caller back). */
  private listen(): void {
    const downstream = this.downstream;
    downstream.on('data', (chunk: Buffer) => {
      this.bytes += chunk.length;
      this.messages.push(chunk);
      if (!this.overflowed) {
        if (this.bytes > this.limit) {
          this.overflowed = true;
          this.chunks.length = 0;
        } else this.chunks.push(chunk);
      }
      const t = this.target;
      if (t && !t.destroyed && !t.write(chunk)) {
        downstream.pause();
        t.once('drain', () => downstream.resume());
      }
    });
    downstream.once('end', () => {
      this.ended = true;
      this.target?.end();
    });
  }

  /** Whether a new try can replay what was sent so far. */
  get replayable(): boolean {
    return !this.overflowed;
  }

  /** Sends the body so far to a try's stream, and what comes later as it comes. */
  attach(stream: ClientHttp2Stream): void {
    if (!this.listening) {
      this.listening = true;
      this.listen();
    }
    this.target = stream;
    for (const c of this.chunks) stream.write(c);
    if (this.ended) stream.end();
  }

  detach(): void {
    this.target = undefined;
  }
}

export interface H2TryResult {
  outcome: TryOutcome;
  /** The response head (undefined unless the outcome is a response). */
  headers: IncomingHttpHeaders | undefined;
  /** The head ended the stream (a gRPC trailers-only answer, or an empty body). */
  endStream: boolean;
}

/** One try upstream: its stream and how its head came (or why none did). */
export class H2Try {
  readonly stream: ClientHttp2Stream;
  readonly result: Promise<H2TryResult>;
  private timer: NodeJS.Timeout | undefined;

  constructor(pool: H2Pool, headers: OutgoingHttpHeaders, body: RequestBody, timeoutMs: number) {
    const { stream, connectFailed } = pool.request(headers);
    this.stream = stream;
    body.attach(stream);
    this.result = new Promise<H2TryResult>((resolve) => {
      let settled = false;
      const settle = (r: H2TryResult) => {
        if (settled) return;
        settled = true;
        if (this.timer) clearTimeout(this.timer);
        resolve(r);
      };
      stream.once('response', (h: IncomingHttpHeaders, flags: number) => {
        const status = Number(h[':status']) || 0;
        const endStream = (flags & constants.NGHTTP2_FLAG_END_STREAM) !== 0;
        const grpcStatus = grpcStatusOf(h);
        settle({
          outcome: { kind: 'response', status, ...(grpcStatus !== undefined ? { grpcStatus } : {}) },
          headers: h,
          endStream,
        });
      });
      const failed = () =>
        settle({
          outcome: connectFailed() ? { kind: 'connect-failure' } : { kind: 'reset' },
          headers: undefined,
          endStream: true,
        });
      stream.once('error', failed);
      stream.once('close', failed);
      if (Number.isFinite(timeoutMs)) {
        this.timer = setTimeout(
          () => {
            settle({ outcome: { kind: 'per-try-timeout' }, headers: undefined, endStream: true });
            this.abort();
          },
          Math.max(0, timeoutMs),
        );
      }
    });
    stream.on('error', () => {});
  }

  abort(): void {
    if (!this.stream.destroyed) this.stream.close(CANCEL);
  }
}

export interface RelayResult {
  /** What was sent downstream (0 when nothing). */
  status: number;
  /** grpc-status from trailers, else the head, else mapped from :status (undefined: no answer). */
  grpcStatus: number | undefined;
  grpcMessage: string | undefined;
  responseBytes: number;
  responseMessages: number;
  /** The upstream stream broke off after its head (relayed as a reset downstream). */
  reset: boolean;
}

/** Relays a try's response downstream unchanged: head, DATA, and trailers (a trailers-only head as is). */
export function relayResponse(
  t: H2Try,
  head: H2TryResult,
  downstream: ServerHttp2Stream,
  extraHeaders: OutgoingHttpHeaders,
  done: (r: RelayResult) => void,
): void {
  const h = head.headers as IncomingHttpHeaders;
  const status = Number(h[':status']) || 0;
  const counter = new GrpcMessageCounter();
  let bytes = 0;
  let trailers: IncomingHttpHeaders | undefined;
  let finished = false;
  const finish = (reset: boolean) => {
    if (finished) return;
    finished = true;
    const fromTrailers = grpcStatusOf(trailers);
    const fromHead = grpcStatusOf(h);
    const grpcStatus = fromTrailers ?? fromHead ?? grpcStatusForHttp(status);
    const msg = (trailers ?? h)['grpc-message'];
    done({
      status,
      grpcStatus,
      grpcMessage: typeof msg === 'string' ? msg : undefined,
      responseBytes: bytes,
      responseMessages: counter.messages,
      reset,
    });
  };
  if (downstream.destroyed || downstream.closed) {
    t.abort();
    finish(true);
    return;
  }
  const out = { ...responseHeaders(h), ...extraHeaders };
  if (head.endStream) {
    // Trailers-only (or an empty answer): one HEADERS frame with END_STREAM, as it came.
    downstream.respond(out, { endStream: true });
    finish(false);
    return;
  }
  downstream.respond(out, { waitForTrailers: true });
  downstream.once('wantTrailers', () => {
    // No trailers upstream: an empty trailing HEADERS ends the stream (close() would reset it, and the
    // client would take the whole answer for an aborted one).
    downstream.sendTrailers(trailers !== undefined ? responseHeaders(trailers) : {});
  });
  const up = t.stream;
  up.on('trailers', (tr: IncomingHttpHeaders) => {
    trailers = tr;
  });
  up.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    counter.push(chunk);
    if (!downstream.write(chunk)) {
      up.pause();
      downstream.once('drain', () => up.resume());
    }
  });
  up.once('end', () => {
    downstream.end();
    finish(false);
  });
  up.once('close', () => {
    if (finished) return;
    // Reset after the head: Envoy resets the downstream stream too.
    if (!downstream.destroyed) downstream.close(up.rstCode || constants.NGHTTP2_INTERNAL_ERROR);
    finish(true);
  });
  downstream.once('close', () => {
    if (!finished) t.abort();
  });
}

/**
 * Envoy's local reply on an HTTP/2 stream: for gRPC a trailers-only answer (`:status 200`, grpc-status
 * from the HTTP status, the text in grpc-message); else the status with the text as body.
 */
export function localH2Reply(
  downstream: ServerHttp2Stream,
  grpc: boolean,
  httpStatus: number,
  text: string,
  flags: string,
  grpcStatus = grpcStatusForHttp(httpStatus),
): { status: number; grpcStatus: number | undefined; bytes: number } {
  if (downstream.destroyed || downstream.closed || downstream.headersSent)
    return { status: 0, grpcStatus: undefined, bytes: 0 };
  if (grpc) {
    downstream.respond(
      {
        ':status': 200,
        'content-type': 'application/grpc',
        'grpc-status': String(grpcStatus),
        'grpc-message': encodeURIComponent(text),
        'x-envoy-response-flags': flags,
      },
      { endStream: true },
    );
    return { status: 200, grpcStatus, bytes: 0 };
  }
  downstream.respond({
    ':status': httpStatus,
    'content-type': 'text/plain',
    'x-envoy-response-flags': flags,
  });
  downstream.end(text);
  return { status: httpStatus, grpcStatus: undefined, bytes: Buffer.byteLength(text) };
}

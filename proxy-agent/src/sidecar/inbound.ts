// The inbound listener: requests from other sidecars to the local app. Continues the caller's trace in a
// server span, hands the app that span's B3 headers, and reports the request with reporter=destination.
import { FastRequest } from './fast-listener';
import type { FastPool } from './fast-pool';
import { H1ToH2Try } from './h1-to-h2-try';
import type { H2Pool } from './h2-pool';
import { securityOf } from './inbound-transport';
import type { ListenerContext } from './listener-context';
import { UNKNOWN_WORKLOAD } from './mesh-model';
import { PEER_HEADER, resolveConnectionPeer } from './peer-metadata';
import { Flag, flagString, LOCAL_REPLY } from './response-flags';
import type { HopSpan, WorkloadIdentity } from './telemetry-types';
import {
  type DownstreamRequest,
  type DownstreamResponse,
  localReply,
  requestBody,
  UpstreamTry,
  upstreamHeaders,
} from './upstream';
import type { Pool } from './upstream-pool';

/** The local app's connections: the fast path's for requests with a buffered body, undici's for streams. */
export interface AppPools {
  pool: Pool;
  fast: FastPool | undefined;
  /** HTTP/2 (h2c) to the app, taken when its port is declared HTTP2/GRPC (`grpc-*`, `http2-*`). */
  h2?: { pool: H2Pool; declared(): boolean };
}

export function createInboundHandler(
  ctx: ListenerContext,
  app: AppPools,
): (req: DownstreamRequest, res: DownstreamResponse) => void {
  return (req, res) => {
    // The request starts its try in this call (no async frame of its own); its head is taken in onHead.
    try {
      handleInbound(ctx, app, req, res);
    } catch (err) {
      inboundFailed(err, res);
    }
  };
}

function inboundFailed(err: unknown, res: DownstreamResponse): void {
  process.stderr.write(`meshlens sidecar: inbound request failed: ${String(err)}\n`);
  if (!res.headersSent) localReply(res, 500, 'internal sidecar error', '-');
  else res.destroy();
}

function handleInbound(
  ctx: ListenerContext,
  app: AppPools,
  req: DownstreamRequest,
  res: DownstreamResponse,
): void {
  const start = performance.now();
  const method = req.method ?? 'GET';
  const path = req.url ?? '/';
  // Identity from the verified client certificate only; a plaintext caller is unknown, whatever it sends.
  const security = securityOf(req.socket);
  const mode = ctx.mtlsMode();
  if (security.mtls ? mode === 'DISABLE' : mode === 'STRICT') {
    // The policy changed since this kept-alive connection was let in: refused as a new one would be.
    req.socket?.resetAndDestroy();
    res.destroy();
    return;
  }
  const source = security.mtls
    ? resolveConnectionPeer(security, req.headers[PEER_HEADER], ctx.current())
    : UNKNOWN_WORKLOAD;
  const destination = security.mtls ? ctx.selfMtls : ctx.self;
  const span = ctx.tracer.startServerSpan(req.headers, {
    name: ctx.inboundSpanName,
    method,
    url: `http://${req.headers.host ?? ctx.selfService.service}${path}`,
  });
  if (security.mtls) {
    span.setAttribute('source.principal', source.principal);
    span.setAttribute('destination.principal', destination.principal);
    span.setAttribute('peer.principal', source.principal);
  }
  const body = requestBody(req);
  const streamed = body !== null && !Buffer.isBuffer(body);
  const ex = new InboundExchange(ctx, req, res, start, security.mtls, source, destination, span, streamed);
  if (Buffer.isBuffer(body)) ex.requestBytes = body.length;
  else if (streamed) {
    const cl = Number(req.headers['content-length']);
    if (Number.isFinite(cl)) ex.requestBytes = cl;
    // A 'data' listener would start the stream flowing before undici reads it; the fast path counts.
    else if (!(req instanceof FastRequest))
      body.on('data', (c: Buffer) => {
        ex.requestBytes += c.length;
      });
  }
  const toApp = {
    method,
    path,
    headers: upstreamHeaders(req.rawHeaders, span.b3Headers(), PEER_HEADER),
    body,
  };
  // An app whose port is declared HTTP/2 or gRPC gets HTTP/2 (h2c), whatever the caller spoke.
  const t =
    app.h2?.declared() === true
      ? new H1ToH2Try(
          app.h2.pool,
          toApp,
          req.headers.host ?? ctx.selfService.service,
          Number.POSITIVE_INFINITY,
        )
      : new UpstreamTry(
          app.fast !== undefined && !streamed ? app.fast : app.pool,
          toApp,
          Number.POSITIVE_INFINITY,
        );
  ex.current = t;
  // A try's head never rejects: its failures are outcomes.
  t.head.then(() => ex.onHead(t));
}

/** State of one request from a caller to the local app. */
class InboundExchange {
  requestBytes = 0;
  current: UpstreamTry | H1ToH2Try | undefined;
  private downstreamGone = false;
  private recorded = false;

  constructor(
    readonly ctx: ListenerContext,
    readonly req: DownstreamRequest,
    readonly res: DownstreamResponse,
    readonly start: number,
    readonly mtls: boolean,
    readonly source: WorkloadIdentity,
    readonly destination: WorkloadIdentity,
    readonly span: HopSpan,
    readonly streamed: boolean,
  ) {
    res.once('close', () => {
      if (!res.writableFinished) {
        this.downstreamGone = true;
        this.current?.abort();
      }
    });
  }

  /** The app's response head (or the try's failure) arrived. */
  onHead(t: UpstreamTry | H1ToH2Try): void {
    try {
      this.answer(t);
    } catch (err) {
      inboundFailed(err, this.res);
    }
  }

  private answer(t: UpstreamTry | H1ToH2Try): void {
    if (this.downstreamGone) {
      // The caller hung up (DC) while the app worked: nobody to answer.
      t.abort();
      this.finish(t.statusCode, 0, 0);
      return;
    }
    if (t.outcome?.kind !== 'response') {
      const flag = t.outcome?.kind === 'connect-failure' ? 'UF' : 'UC';
      const local = LOCAL_REPLY[flag];
      const bytes = this.downstreamGone ? 0 : localReply(this.res, local.status, local.body, flag);
      this.finish(local.status, Flag[flag], bytes);
      return;
    }
    const status = t.statusCode;
    t.relay(this.res, '-', (bytes) => this.finish(status, 0, bytes));
  }

  /** Records the request once: one destination-reported sample, the server span's end, the access log. */
  private finish(status: number, flags: number, responseBytes: number): void {
    if (this.recorded) return;
    this.recorded = true;
    const { ctx, req, res, span } = this;
    if (this.downstreamGone) flags |= Flag.DC;
    const code = this.downstreamGone && !res.headersSent ? 0 : status;
    const responseFlags = flagString(flags);
    if (this.streamed && req instanceof FastRequest) this.requestBytes = req.bodyBytes;
    const durationMs = performance.now() - this.start;
    ctx.metrics.recordRequest({
      reporter: 'destination',
      source: this.source,
      destination: this.destination,
      connectionSecurityPolicy: this.mtls ? 'mutual_tls' : 'none',
      destinationService: ctx.selfService,
      requestProtocol: 'http',
      responseCode: code,
      responseFlags,
      durationMs,
      requestBytes: this.requestBytes,
      responseBytes,
      traceId: span.sampled ? span.traceId : undefined,
      spanId: span.sampled ? span.spanId : undefined,
    });
    span.end({ statusCode: code, responseFlags, error: code === 0 || code >= 500 });
    ctx.accessLog?.log('inbound', req, this.start, {
      responseCode: code,
      responseFlags,
      requestBytes: this.requestBytes,
      responseBytes,
      traceId: span.sampled ? span.traceId : undefined,
      durationMs,
    });
  }
}

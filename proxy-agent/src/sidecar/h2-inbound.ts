// The inbound listener's HTTP/2 streams: from another sidecar (h2 by ALPN over mTLS, or h2c) to the
// local app over h2c, or over HTTP/1.1 when the app's port is declared HTTP (h2-to-http1.ts). A server
// span continues the caller's trace; the stream is reported with reporter=destination and logged.
import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { H2Try, localH2Reply, RequestBody, relayResponse, upstreamH2Headers } from './h2-exchange';
import type { H2Pool } from './h2-pool';
import {
  endStreamSpan,
  isGrpcRequest,
  markGrpcSpan,
  streamLogOutcome,
  streamOutcome,
  streamRecord,
} from './h2-telemetry';
import { type Http1Target, http1RequestHeaders, relayToHttp1 } from './h2-to-http1';
import type { ConnectionSecurity } from './inbound-transport';
import type { ListenerContext } from './listener-context';
import { UNKNOWN_WORKLOAD } from './mesh-model';
import { PEER_HEADER, resolveMtlsPeer } from './peer-metadata';
import { Flag, flagString, LOCAL_REPLY } from './response-flags';

export function handleH2Inbound(
  ctx: ListenerContext,
  app: H2Pool,
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  security: ConnectionSecurity,
  /** The app over HTTP/1.1, when its port is declared HTTP (not HTTP2/GRPC): requests are translated. */
  http1?: Http1Target,
): void {
  const start = performance.now();
  const grpc = isGrpcRequest(headers);
  const path = String(headers[':path'] ?? '/');
  const source = security.mtls
    ? resolveMtlsPeer(headers[PEER_HEADER], ctx.current(), security.peerPrincipal)
    : UNKNOWN_WORKLOAD;
  const destination = security.mtls ? ctx.selfMtls : ctx.self;
  const span = ctx.tracer.startServerSpan(headers, {
    name: ctx.inboundSpanName,
    method: String(headers[':method'] ?? 'GET'),
    url: `http://${String(headers[':authority'] ?? ctx.selfService.service)}${path}`,
  });
  if (grpc) markGrpcSpan(span, path);
  if (security.mtls) {
    span.setAttribute('source.principal', source.principal);
    span.setAttribute('destination.principal', destination.principal);
    span.setAttribute('peer.principal', source.principal);
  }
  // The app's requests are not retried: the body need not be kept.
  const body = new RequestBody(stream, 0);
  let flags = 0;
  let done = false;
  let gone = false;
  stream.once('close', () => {
    if (!done) gone = true;
  });
  const finish = (
    status: number,
    grpcStatus: number | undefined,
    responseBytes: number,
    messages: number,
  ) => {
    if (done) return;
    done = true;
    const o = streamOutcome(
      { status, grpcStatus, responseBytes, responseMessages: messages },
      flags,
      gone,
      stream.headersSent,
      body,
    );
    const traceId = span.sampled ? span.traceId : undefined;
    ctx.accessLog?.log(
      'inbound',
      {
        method: String(headers[':method'] ?? 'GET'),
        url: path,
        headers: { ...headers, host: String(headers[':authority'] ?? headers.host ?? '') },
      },
      start,
      streamLogOutcome(grpc, o, traceId),
    );
    ctx.metrics.recordRequest({
      reporter: 'destination',
      source,
      destination,
      connectionSecurityPolicy: security.mtls ? 'mutual_tls' : 'none',
      destinationService: ctx.selfService,
      durationMs: performance.now() - start,
      ...streamRecord(grpc, o),
      traceId,
      spanId: span.sampled ? span.spanId : undefined,
    });
    endStreamSpan(span, grpc, o);
  };
  if (grpc && headers.te !== 'trailers') {
    flags |= Flag.DPE;
    const r = localH2Reply(stream, true, 503, 'gRPC call without te: trailers', flagString(flags), 14);
    finish(r.status, r.grpcStatus, 0, 0);
    return;
  }
  if (http1 !== undefined && !grpc) {
    const upstream = http1RequestHeaders(headers, span.b3Headers(), PEER_HEADER);
    void relayToHttp1(stream, headers, http1, upstream).then((r) => {
      body.bytes = r.requestBytes;
      if (r.kind !== 'response') {
        const flag = r.kind === 'connect-failure' ? 'UF' : 'UC';
        flags |= Flag[flag];
        const local = LOCAL_REPLY[flag];
        const reply = localH2Reply(stream, false, local.status, local.body, flag);
        finish(reply.status, undefined, reply.bytes, 0);
        return;
      }
      if (r.reset) flags |= Flag.UR;
      finish(r.status, undefined, r.responseBytes, 0);
    });
    return;
  }
  const t = new H2Try(
    app,
    upstreamH2Headers(headers, span.b3Headers(), PEER_HEADER),
    body,
    Number.POSITIVE_INFINITY,
  );
  void t.result.then((head) => {
    if (gone) {
      t.abort();
      finish(0, undefined, 0, 0);
      return;
    }
    if (head.outcome.kind !== 'response') {
      const flag = head.outcome.kind === 'connect-failure' ? 'UF' : 'UC';
      flags |= Flag[flag];
      const local = LOCAL_REPLY[flag];
      const r = localH2Reply(stream, grpc, local.status, local.body, flag);
      finish(r.status, r.grpcStatus, r.bytes, 0);
      return;
    }
    relayResponse(t, head, stream, {}, (r) => {
      if (r.reset) flags |= Flag.UR;
      finish(r.status, grpc ? r.grpcStatus : undefined, r.responseBytes, r.responseMessages);
    });
  });
}

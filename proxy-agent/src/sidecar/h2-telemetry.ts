// What an HTTP/2 stream reports: one Istio request sample (gRPC: protocol, status, messages) and the
// end of its span, with the gRPC attributes OpenTelemetry names (rpc.system, rpc.service, rpc.method,
// rpc.grpc.status_code).
import type { IncomingHttpHeaders } from 'node:http2';
import { grpcMethodOf } from './grpc-frames';
import { Flag, flagString } from './response-flags';
import type { HopSpan, RequestRecord } from './telemetry-types';

export function isGrpcRequest(headers: IncomingHttpHeaders): boolean {
  const ct = headers['content-type'];
  return typeof ct === 'string' && ct.startsWith('application/grpc');
}

/** Sets the rpc.* attributes of a gRPC call's span from its :path. */
export function markGrpcSpan(span: HopSpan, path: string): void {
  span.setAttribute('rpc.system', 'grpc');
  const m = grpcMethodOf(path.split('?')[0] ?? path);
  if (m) {
    span.setAttribute('rpc.service', m.service);
    span.setAttribute('rpc.method', m.method);
  }
}

export interface StreamOutcome {
  status: number;
  grpcStatus: number | undefined;
  flags: string;
  requestBytes: number;
  responseBytes: number;
  requestMessages: number;
  responseMessages: number;
}

/** How a stream ended, as either side reports it. */
export interface StreamEnd {
  /** The response status sent (0 stands for none when the downstream left before any header). */
  status: number;
  grpcStatus: number | undefined;
  responseBytes: number;
  responseMessages: number;
}

/**
 * The outcome of a stream at its end: `DC` added when the downstream went away first, whose status is then
 * 0 unless headers had already gone out (Envoy's downstream-disconnect rule), the request body's counts.
 */
export function streamOutcome(
  end: StreamEnd,
  flags: number,
  downstreamGone: boolean,
  headersSent: boolean,
  body: { bytes: number; messages: { messages: number } },
): StreamOutcome {
  return {
    status: downstreamGone && !headersSent ? 0 : end.status,
    grpcStatus: end.grpcStatus,
    flags: flagString(downstreamGone ? flags | Flag.DC : flags),
    requestBytes: body.bytes,
    responseBytes: end.responseBytes,
    requestMessages: body.messages.messages,
    responseMessages: end.responseMessages,
  };
}

/** The access log's outcome fields of a stream (its gRPC status only on a gRPC call). */
export function streamLogOutcome(grpc: boolean, o: StreamOutcome, traceId: string | undefined) {
  return {
    responseCode: o.status,
    responseFlags: o.flags,
    requestBytes: o.requestBytes,
    responseBytes: o.responseBytes,
    traceId,
    grpcStatus: grpc ? o.grpcStatus : undefined,
  };
}

/** The record's protocol fields and the span's end, alike for both reporters. */
export function streamRecord(
  grpc: boolean,
  o: StreamOutcome,
): Pick<
  RequestRecord,
  | 'requestProtocol'
  | 'responseCode'
  | 'grpcStatus'
  | 'responseFlags'
  | 'requestBytes'
  | 'responseBytes'
  | 'requestMessages'
  | 'responseMessages'
> {
  return {
    requestProtocol: grpc ? 'grpc' : 'http',
    responseCode: o.status,
    ...(grpc && o.grpcStatus !== undefined ? { grpcStatus: o.grpcStatus } : {}),
    responseFlags: o.flags,
    requestBytes: o.requestBytes,
    responseBytes: o.responseBytes,
    ...(grpc ? { requestMessages: o.requestMessages, responseMessages: o.responseMessages } : {}),
  };
}

export function endStreamSpan(span: HopSpan, grpc: boolean, o: StreamOutcome): void {
  if (grpc && o.grpcStatus !== undefined) span.setAttribute('rpc.grpc.status_code', o.grpcStatus);
  const failed = grpc ? o.grpcStatus !== 0 : o.status === 0 || o.status >= 500;
  span.end({ statusCode: o.status, responseFlags: o.flags, error: failed || o.status === 0 });
}

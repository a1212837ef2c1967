// OTLP/HTTP protobuf codec: the official OTLP .proto definitions (vendored, embedded as text) loaded into
// protobufjs at start-up; decodes ExportTraceServiceRequest, encodes the response and error Status.
import protobuf from 'protobufjs';
import type {
  OtlpResourceSpans,
  OtlpScopeSpans,
  OtlpSpan,
  OtlpTracesData,
} from '../../../lib/jaeger/from-otlp';
import { OTLP_PROTO_FILES } from './proto/embedded';

// Dependency order: each file's imports come before it.
const LOAD_ORDER = [
  'opentelemetry/proto/common/v1/common.proto',
  'opentelemetry/proto/resource/v1/resource.proto',
  'opentelemetry/proto/trace/v1/trace.proto',
  'opentelemetry/proto/collector/trace/v1/trace_service.proto',
];

export interface OtlpProtobufCodec {
  /** Throws on bytes that are not an ExportTraceServiceRequest. */
  decodeRequest(body: Uint8Array): OtlpTracesData;
  /** Parts of a request, for the spans the store's own decoder leaves to the reference translator. */
  decodeResource(bytes: Uint8Array): OtlpResourceSpans['resource'];
  decodeScope(bytes: Uint8Array): OtlpScopeSpans['scope'];
  decodeSpan(bytes: Uint8Array): OtlpSpan;
  encodeResponse(partialSuccess?: { rejectedSpans: number; errorMessage: string }): Uint8Array;
  /** google.rpc.Status, the body of an OTLP/HTTP error answer. */
  encodeStatus(code: number, message: string): Uint8Array;
}

let codec: OtlpProtobufCodec | undefined;

/** The codec, built once from the embedded definitions. */
export function otlpProtobufCodec(): OtlpProtobufCodec {
  codec ??= buildCodec();
  return codec;
}

function buildCodec(): OtlpProtobufCodec {
  const root = new protobuf.Root();
  for (const name of LOAD_ORDER) {
    const text = OTLP_PROTO_FILES[name];
    if (text === undefined) throw new Error(`missing embedded proto ${name}`);
    protobuf.parse(text, root, { keepCase: false });
  }
  // google.rpc.Status (code, message; its `details` are never sent) — OTLP/HTTP's error body.
  root.add(
    new protobuf.Type('GoogleRpcStatus')
      .add(new protobuf.Field('code', 1, 'int32'))
      .add(new protobuf.Field('message', 2, 'string')),
  );
  root.resolveAll();
  const request = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
  const response = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse');
  const status = root.lookupType('GoogleRpcStatus');
  const resource = root.lookupType('opentelemetry.proto.resource.v1.Resource');
  const scope = root.lookupType('opentelemetry.proto.common.v1.InstrumentationScope');
  const span = root.lookupType('opentelemetry.proto.trace.v1.Span');
  return {
    decodeRequest: (body) => request.decode(body) as unknown as OtlpTracesData,
    decodeResource: (bytes) => resource.decode(bytes) as unknown as OtlpResourceSpans['resource'],
    decodeScope: (bytes) => scope.decode(bytes) as unknown as OtlpScopeSpans['scope'],
    decodeSpan: (bytes) => span.decode(bytes) as unknown as OtlpSpan,
    encodeResponse: (partialSuccess) =>
      response.encode(response.fromObject(partialSuccess ? { partialSuccess } : {})).finish(),
    encodeStatus: (code, message) => status.encode(status.fromObject({ code, message })).finish(),
  };
}

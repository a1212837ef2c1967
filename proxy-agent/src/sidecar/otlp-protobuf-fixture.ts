// Test support: decodes an OTLP ExportTraceServiceRequest (protobuf) with protobufjs into the OTLP JSON
// shape (ids in hex, 64-bit integers as numbers), so that tests read what the sidecar exported.
import protobuf from 'protobufjs';

// The OTLP trace messages the sidecar writes (field numbers as in opentelemetry-proto's trace.proto).
const OTLP_TRACE_PROTO = `
syntax = "proto3";
package otlp;
message AnyValue { oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3;
  double double_value = 4; ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7; } }
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message InstrumentationScope { string name = 1; string version = 2; }
message Status { string message = 2; int32 code = 3; }
message Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; }
message Link { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; repeated KeyValue attributes = 4;
  fixed32 flags = 6; }
message Span { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4;
  string name = 5; int32 kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9; repeated Event events = 11; repeated Link links = 13; Status status = 15;
  fixed32 flags = 16; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; }
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
`;

let requestType: protobuf.Type | undefined;

export interface DecodedKeyValue {
  key: string;
  value: {
    stringValue?: string;
    boolValue?: boolean;
    intValue?: number;
    doubleValue?: number;
    arrayValue?: { values: DecodedKeyValue['value'][] };
  };
}

export interface DecodedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: DecodedKeyValue[];
  events: { name: string; timeUnixNano: string; attributes: DecodedKeyValue[] }[];
  status: { code?: number; message?: string };
  flags?: number;
}

export interface DecodedRequest {
  resourceSpans: {
    resource: { attributes: DecodedKeyValue[] };
    scopeSpans: { scope: { name: string; version?: string }; spans: DecodedSpan[] }[];
  }[];
}

/** The request as OTLP JSON would carry it (hex ids, 64-bit times as decimal strings, ints as numbers). */
export function decodeOtlpTraceRequest(body: Uint8Array): DecodedRequest {
  requestType ??= protobuf.parse(OTLP_TRACE_PROTO).root.lookupType('otlp.ExportTraceServiceRequest');
  const message = requestType.decode(body);
  const request = requestType.toObject(message, {
    longs: String,
    bytes: String,
    defaults: false,
    arrays: true,
  }) as unknown as DecodedRequest;
  for (const rs of request.resourceSpans) {
    numbers(rs.resource.attributes);
    for (const ss of rs.scopeSpans) {
      for (const span of ss.spans) {
        span.traceId = hex(span.traceId);
        span.spanId = hex(span.spanId);
        if (span.parentSpanId !== undefined) span.parentSpanId = hex(span.parentSpanId);
        span.status ??= {};
        numbers(span.attributes);
        for (const event of span.events) numbers(event.attributes);
      }
    }
  }
  return request;
}

const hex = (base64: string) => Buffer.from(base64, 'base64').toString('hex');

function numbers(list: DecodedKeyValue[]): void {
  for (const kv of list) if (kv.value.intValue !== undefined) kv.value.intValue = Number(kv.value.intValue);
}

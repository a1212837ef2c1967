import { describe, expect, it } from 'vitest';
import { spansFromOtlp } from '../../../lib/jaeger/from-otlp';
import { otlpProtobufCodec } from './otlp-protobuf';

// Hand-assembled wire bytes for one span, so the decoder is checked against the protobuf encoding itself.
function field(no: number, wire: number, payload: number[]): number[] {
  return [(no << 3) | wire, ...payload];
}
function bytesField(no: number, bytes: number[]): number[] {
  return field(no, 2, [bytes.length, ...bytes]);
}
function fixed64(no: number, value: bigint): number[] {
  const out: number[] = [];
  for (let i = 0n; i < 8n; i++) out.push(Number((value >> (8n * i)) & 0xffn));
  return field(no, 1, out);
}
const ascii = (s: string) => [...Buffer.from(s)];

describe('OTLP protobuf codec (official .proto definitions)', () => {
  it('decodes an ExportTraceServiceRequest into spans the converter understands', () => {
    const traceId = [...Buffer.from('5b8efff798038103d269b633813fc60c', 'hex')];
    const spanId = [...Buffer.from('eee19b7ec3c1b174', 'hex')];
    const attr = bytesField(9, [
      ...bytesField(1, ascii('http.status_code')),
      ...bytesField(2, field(3, 0, [200, 1])),
    ]);
    const span = [
      ...bytesField(1, traceId),
      ...bytesField(2, spanId),
      ...bytesField(5, ascii('GET /')),
      ...field(6, 0, [3]),
      ...fixed64(7, 1706678909209712000n),
      ...fixed64(8, 1706678909209835000n),
      ...attr,
    ];
    const resource = bytesField(
      1,
      bytesField(1, [...bytesField(1, ascii('service.name')), ...bytesField(2, bytesField(1, ascii('web')))]),
    );
    const scopeSpans = bytesField(2, bytesField(2, span));
    const body = Uint8Array.from(bytesField(1, [...resource, ...scopeSpans]));

    const result = spansFromOtlp(otlpProtobufCodec().decodeRequest(body));
    expect(result.errors).toEqual([]);
    expect(result.spans[0]?.process).toEqual({ serviceName: 'web', tags: [] });
    expect(result.spans[0]?.span).toMatchObject({
      traceID: '5b8efff798038103d269b633813fc60c',
      spanID: 'eee19b7ec3c1b174',
      operationName: 'GET /',
      startTime: 1706678909209712,
      duration: 123,
      references: [],
      tags: [
        { key: 'http.status_code', type: 'int64', value: 200 },
        { key: 'span.kind', type: 'string', value: 'client' },
      ],
    });
  });

  it('throws on truncated bytes', () => {
    expect(() => otlpProtobufCodec().decodeRequest(Uint8Array.from([0x0a, 0x20, 0x01]))).toThrow();
  });

  it('encodes a partial success response that decodes back', () => {
    const bytes = otlpProtobufCodec().encodeResponse({ rejectedSpans: 2, errorMessage: 'bad ids' });
    // field 1 (partial_success), then rejected_spans=2 (field 1 varint) and error_message (field 2)
    expect([...bytes]).toEqual([0x0a, 11, 0x08, 2, 0x12, 7, ...ascii('bad ids')]);
    expect(otlpProtobufCodec().encodeResponse().length).toBe(0);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { groupIntoTraces, NO_SERVICE_NAME, type OtlpTracesData, spansFromOtlp } from './from-otlp';
import { TracesResponseSchema } from './model';

const FIXTURES = new URL('../../fixtures/jaeger/', import.meta.url);
const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));

function span(over: Record<string, unknown> = {}) {
  return {
    traceId: '83a9efd15c1c98a977e0711cc93ee28b',
    spanId: 'e127af99e3b3e074',
    name: 'op',
    kind: 2,
    startTimeUnixNano: '1706678909209712000',
    endTimeUnixNano: '1706678909209835000',
    ...over,
  };
}
function request(
  spans: unknown[],
  resourceAttrs: unknown[] = [{ key: 'service.name', value: { stringValue: 'svc' } }],
) {
  return {
    resourceSpans: [{ resource: { attributes: resourceAttrs }, scopeSpans: [{ scope: {}, spans }] }],
  } as OtlpTracesData;
}

describe('OTLP → Jaeger conversion (Jaeger fixtures)', () => {
  it('turns otlp2jaeger-in.json into otlp2jaeger-out.json field by field, keeping duplicate span ids', () => {
    const result = spansFromOtlp(fixture('otlp2jaeger-in.json') as OtlpTracesData);
    expect(result.rejectedSpans).toBe(0);
    const expected = fixture('otlp2jaeger-out.json') as { data: unknown[] };
    expect(groupIntoTraces(result.spans)).toEqual(expected.data);
  });

  it('turns the v3 (OTLP JSON) half of parser-parity-capture.json into its legacy half', () => {
    const capture = fixture('parser-parity-capture.json') as {
      legacy: { data: unknown[] };
      v3: { result: OtlpTracesData };
    };
    const result = spansFromOtlp(capture.v3.result);
    expect(groupIntoTraces(result.spans)).toEqual(capture.legacy.data);
    expect(TracesResponseSchema.parse(capture.legacy).data).toHaveLength(1);
  });
});

describe('OTLP → Jaeger conversion rules', () => {
  it('maps error status to otel.status_code, error=true and otel.status_description after the attributes', () => {
    const [s] = spansFromOtlp(
      request([
        span({
          kind: 3,
          status: { code: 2, message: 'boom' },
          attributes: [{ key: 'a', value: { intValue: '7' } }],
        }),
      ]),
    ).spans;
    expect(s?.span.tags).toEqual([
      { key: 'a', type: 'int64', value: 7 },
      { key: 'span.kind', type: 'string', value: 'client' },
      { key: 'otel.status_code', type: 'string', value: 'ERROR' },
      { key: 'error', type: 'bool', value: true },
      { key: 'otel.status_description', type: 'string', value: 'boom' },
    ]);
  });

  it('types tags: string, bool, int64 (string beyond 2^53), float64, binary, and JSON for arrays and maps', () => {
    const [s] = spansFromOtlp(
      request([
        span({
          kind: 0,
          status: { code: 1 },
          attributes: [
            { key: 's', value: { stringValue: 'x' } },
            { key: 'b', value: { boolValue: false } },
            { key: 'i', value: { intValue: 42 } },
            { key: 'big', value: { intValue: '9223372036854775222' } },
            { key: 'f', value: { doubleValue: 72.5 } },
            { key: 'bin', value: { bytesValue: 'AAAwOQ==' } },
            { key: 'arr', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '2' }] } } },
            {
              key: 'map',
              value: {
                kvlistValue: {
                  values: [
                    { key: 'z', value: { boolValue: true } },
                    { key: 'a', value: {} },
                  ],
                },
              },
            },
            { key: 'empty', value: {} },
          ],
        }),
      ]),
    ).spans;
    expect(s?.span.tags).toEqual([
      { key: 's', type: 'string', value: 'x' },
      { key: 'b', type: 'bool', value: false },
      { key: 'i', type: 'int64', value: 42 },
      { key: 'big', type: 'int64', value: '9223372036854775222' },
      { key: 'f', type: 'float64', value: 72.5 },
      { key: 'bin', type: 'binary', value: 'AAAwOQ==' },
      { key: 'arr', type: 'string', value: '["a",2]' },
      { key: 'map', type: 'string', value: '{"a":null,"z":true}' },
      { key: 'empty', type: 'string', value: '' },
      { key: 'otel.status_code', type: 'string', value: 'OK' },
    ]);
  });

  it('computes µs times from nanoseconds given as strings, numbers or protobuf Longs, duration from the ns difference', () => {
    const asLong = (ns: bigint) => ({
      low: Number(ns & 0xffffffffn) | 0,
      high: Number(ns >> 32n) | 0,
      unsigned: true,
    });
    const { spans } = spansFromOtlp(
      request([
        span({ startTimeUnixNano: '1500', endTimeUnixNano: '2400' }),
        span({ startTimeUnixNano: 1_000_000, endTimeUnixNano: 3_000_000 }),
        span({
          startTimeUnixNano: asLong(1706678909209712000n),
          endTimeUnixNano: asLong(1706678909209835999n),
        }),
      ]),
    );
    expect(spans.map((s) => [s.span.startTime, s.span.duration])).toEqual([
      [1, 0],
      [1000, 2000],
      [1706678909209712, 123],
    ]);
  });

  it('reads protobuf-style bytes ids, prints a trace id with a zero high half as 16 digits', () => {
    const { spans } = spansFromOtlp(
      request([
        span({
          traceId: Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]),
          spanId: Uint8Array.from([9, 9, 9, 9, 9, 9, 9, 9]),
          parentSpanId: Uint8Array.from([1, 1, 1, 1, 1, 1, 1, 1]),
        }),
      ]),
    );
    expect(spans[0]?.span.traceID).toBe('0102030405060708');
    expect(spans[0]?.span.spanID).toBe('0909090909090909');
    expect(spans[0]?.span.references).toEqual([
      { refType: 'CHILD_OF', traceID: '0102030405060708', spanID: '0101010101010101' },
    ]);
  });

  it('rejects spans with ids of the wrong length or all zeroes and keeps the others', () => {
    const result = spansFromOtlp(
      request([
        span({ traceId: 'abc' }),
        span({ spanId: '0000000000000000' }),
        span({ parentSpanId: '1234' }),
        span({ startTimeUnixNano: 'soon' }),
        'not a span',
        span(),
      ]),
    );
    expect(result.spans).toHaveLength(1);
    expect(result.rejectedSpans).toBe(5);
    expect(result.errors.join('\n')).toContain('traceId must be 32 hex digits');
  });

  it('truncates huge values and says so in the span warnings', () => {
    const { spans } = spansFromOtlp(
      request([span({ attributes: [{ key: 'body', value: { stringValue: 'x'.repeat(5000) } }] })]),
      {
        maxValueLength: 100,
      },
    );
    const tag = spans[0]?.span.tags[0];
    expect(tag?.value).toHaveLength(100);
    expect(spans[0]?.span.warnings).toEqual(['value of "body" truncated from 5000 to 100 characters']);
  });

  it('names a resource without attributes OTLPResourceNoServiceName and turns links into FOLLOWS_FROM', () => {
    const { spans } = spansFromOtlp(
      request(
        [span({ links: [{ traceId: 'f77950feed55c1ce91dd8e8789000001', spanId: 'd4dcb46e95b781f5' }] })],
        [],
      ),
    );
    expect(spans[0]?.process).toEqual({ serviceName: NO_SERVICE_NAME, tags: [] });
    expect(spans[0]?.span.references).toEqual([
      { refType: 'FOLLOWS_FROM', traceID: 'f77950feed55c1ce91dd8e8789000001', spanID: 'd4dcb46e95b781f5' },
    ]);
  });

  it('numbers processes per trace in order of appearance, sharing equal ones', () => {
    const a = request([span({ spanId: '0000000000000001' })]);
    const b = request(
      [span({ spanId: '0000000000000002' })],
      [{ key: 'service.name', value: { stringValue: 'other' } }],
    );
    const c = request([span({ spanId: '0000000000000003' })]);
    const spans = [a, b, c].flatMap((r) => spansFromOtlp(r).spans);
    const [trace] = groupIntoTraces(spans);
    expect(trace?.spans.map((s) => s.processID)).toEqual(['p1', 'p2', 'p1']);
    expect(trace?.processes).toEqual({
      p1: { serviceName: 'svc', tags: [] },
      p2: { serviceName: 'other', tags: [] },
    });
  });
});

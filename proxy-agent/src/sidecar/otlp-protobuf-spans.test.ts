import { SpanKind, SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { decodeOtlpTraceRequest } from './otlp-protobuf-fixture';
import { encodeTraceRequest } from './otlp-protobuf-spans';
import { SidecarTracer } from './tracing';

const TRACE = '463ac35c9f6413ad48485a3953bb6124';

/** The span records the sidecar's tracer makes, caught at its exporter. */
async function sidecarSpans(): Promise<ReadableSpan[]> {
  const caught: ReadableSpan[] = [];
  const exporter: SpanExporter = {
    export: (spans, done) => {
      caught.push(...spans);
      done({ code: 0 });
    },
    shutdown: async () => {},
  };
  const tracer = new SidecarTracer({
    serviceName: 'reviews.default',
    namespace: 'default',
    canonicalService: 'reviews',
    canonicalRevision: 'v2',
    resourceAttributes: { 'service.version': 'v2' },
    exporter,
  });
  const server = tracer.startServerSpan(
    { 'x-b3-traceid': TRACE, 'x-b3-spanid': 'a2fb4a1d1a96d312', 'x-b3-sampled': '1' },
    { name: 'reviews.default.svc.cluster.local:9080/*', method: 'GET', url: 'http://reviews/reviews/0' },
  );
  const client = tracer.startClientSpan(server.b3Headers(), {
    name: 'ratings.default.svc.cluster.local:9080/*',
    method: 'POST',
    url: `http://ratings/ratings/${'x'.repeat(300)}`,
    upstreamCluster: 'outbound|9080|v1|ratings.default.svc.cluster.local',
    peerService: 'ratings.default.svc.cluster.local',
  });
  client.addAttempt({
    attempt: 1,
    endpoint: '127.0.0.1:1',
    statusCode: 503,
    responseFlags: 'UF',
    durationMs: 0.25,
  });
  client.addAttempt({
    attempt: 2,
    endpoint: '127.0.0.1:2',
    statusCode: 200,
    responseFlags: '-',
    durationMs: 3,
  });
  client.end({ statusCode: 503, responseFlags: 'URX', error: true });
  server.end({ statusCode: 200, responseFlags: '-', error: false });
  // A new trace with the debug flag: no parent.
  tracer.startServerSpan({ 'x-b3-flags': '1' }, { name: 'root', method: 'GET', url: 'http://x/' }).end({
    statusCode: 200,
    responseFlags: '-',
    error: false,
  });
  await tracer.flush();
  return caught;
}

/** A span of every value kind OTLP has, under a second resource and scope. */
function oddSpan(): ReadableSpan {
  const context = { traceId: TRACE, spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED };
  return {
    name: 'naïve ünïcode ✓',
    kind: SpanKind.INTERNAL,
    spanContext: () => ({ ...context, traceState: { serialize: () => 'vendor=1' } as never }),
    parentSpanContext: { traceId: TRACE, spanId: 'ABCDEF0123456789', traceFlags: 1, isRemote: false },
    startTime: [4_102_444_800, 999_999_999],
    endTime: [4_102_444_801, 1],
    duration: [0, 2],
    status: { code: SpanStatusCode.OK },
    attributes: {
      negative: -42,
      big: 2 ** 60,
      double: 0.1,
      flag: false,
      list: ['a', 'b'],
      numbers: [1, 2.5],
      long: 'é'.repeat(9000),
    },
    links: [
      {
        context: { traceId: TRACE, spanId: 'a2fb4a1d1a96d312', traceFlags: 0, isRemote: true },
        attributes: { why: 'follows' },
        droppedAttributesCount: 1,
      },
    ],
    events: [{ name: 'plain', time: [1, 2] }],
    ended: true,
    resource: resourceFromAttributes({ 'service.name': 'other' }),
    instrumentationScope: { name: 'other-scope', version: '1.2.3', schemaUrl: 'https://example/schema' },
    droppedAttributesCount: 3,
    droppedEventsCount: 4,
    droppedLinksCount: 5,
  };
}

describe('encodeTraceRequest', () => {
  it("writes the same bytes as OpenTelemetry's protobuf serializer for the sidecar's spans", async () => {
    const spans = await sidecarSpans();
    expect(spans).toHaveLength(3);
    const ours = Buffer.from(encodeTraceRequest(spans));
    expect(ours.equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans) as Uint8Array))).toBe(
      true,
    );
  });

  it('writes the same bytes for every value kind, long and non-ASCII strings, links and two resources', async () => {
    const spans = [...(await sidecarSpans()), oddSpan()];
    const ours = Buffer.from(encodeTraceRequest(spans));
    expect(ours.equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans) as Uint8Array))).toBe(
      true,
    );
  });

  it('writes the same bytes again and again, past the bound of the cache of attributes seen before', async () => {
    const base = (await sidecarSpans())[0] as ReadableSpan;
    // 5,000 distinct URLs (more than the cache holds), each span encoded twice (a miss, then a hit).
    for (let batch = 0; batch < 50; batch++) {
      const spans = Array.from({ length: 100 }, (_, i) => ({
        ...base,
        spanContext: () => base.spanContext(),
        attributes: { ...base.attributes, 'http.url': `http://reviews/r/${batch * 100 + i}` },
      }));
      const expected = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans) as Uint8Array);
      expect(Buffer.from(encodeTraceRequest(spans)).equals(expected)).toBe(true);
      expect(Buffer.from(encodeTraceRequest(spans)).equals(expected)).toBe(true);
    }
  });

  it('decodes as OTLP: ids, parent, kind, times, attributes and attempt events', async () => {
    const spans = await sidecarSpans();
    const request = decodeOtlpTraceRequest(encodeTraceRequest(spans));
    const [rs] = request.resourceSpans;
    const decoded = rs?.scopeSpans[0]?.spans ?? [];
    const client = decoded.find((s) => s.kind === 3);
    expect(client?.traceId).toBe(TRACE);
    expect(client?.attributes.find((a) => a.key === 'http.status_code')?.value.intValue).toBe(503);
    expect(client?.events.map((e) => e.attributes.find((a) => a.key === 'attempt')?.value.intValue)).toEqual([
      1, 2,
    ]);
    expect(client?.status).toEqual({ code: 2, message: 'URX' });
    const start = spans.find((s) => s.kind === SpanKind.CLIENT)?.startTime ?? [0, 0];
    expect(BigInt(client?.startTimeUnixNano ?? 0)).toBe(BigInt(start[0]) * 1_000_000_000n + BigInt(start[1]));
  });
});

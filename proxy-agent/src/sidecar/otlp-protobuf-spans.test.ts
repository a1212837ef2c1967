import { SpanKind, SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { decodeOtlpTraceRequest } from './otlp-protobuf-fixture';
import { encodeTraceRequest } from './otlp-protobuf-spans';
import type { HopSpan } from './telemetry-types';
import { type EncodedSpansExporter, readableSpan, SidecarTracer, type SidecarTracerOptions } from './tracing';

const TRACE = '463ac35c9f6413ad48485a3953bb6124';

/** A tracer whose exported bodies are caught. */
function caughtTracer(options: Partial<SidecarTracerOptions> = {}): {
  tracer: SidecarTracer;
  bodies: Buffer[];
} {
  const bodies: Buffer[] = [];
  const exporter: EncodedSpansExporter = {
    export: (batch, done) => {
      bodies.push(Buffer.from(batch.body));
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
    ...options,
  });
  return { tracer, bodies };
}

/** The sidecar's spans (as OTel's SDK would hand them to an exporter, in the order they ended) and the body the tracer exported. */
async function sidecarSpans(): Promise<{ spans: ReadableSpan[]; bodies: Buffer[] }> {
  const { tracer, bodies } = caughtTracer();
  const ended: HopSpan[] = [];
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
  client.setAttribute('peer.address', '127.0.0.1:1');
  client.addAttempt({
    attempt: 1,
    endpoint: '127.0.0.1:1',
    statusCode: 503,
    responseFlags: 'UF',
    durationMs: 0.25,
  });
  client.setAttribute('peer.address', '127.0.0.1:2'); // set again: keeps its place
  client.setAttribute('source.principal', 'spiffe://cluster.local/ns/default/sa/reviews');
  client.addAttempt({
    attempt: 2,
    endpoint: '127.0.0.1:2',
    statusCode: 200,
    responseFlags: '-',
    durationMs: 3,
  });
  client.end({ statusCode: 503, responseFlags: 'URX', error: true });
  ended.push(client);
  server.end({ statusCode: 200, responseFlags: '-', error: false });
  ended.push(server);
  // A new trace with the debug flag: no parent.
  const root = tracer.startServerSpan(
    { 'x-b3-flags': '1' },
    { name: 'root', method: 'GET', url: 'http://x/' },
  );
  root.end({ statusCode: 200, responseFlags: '-', error: false });
  ended.push(root);
  await tracer.flush();
  return { spans: ended.map(readableSpan), bodies };
}

const otelBytes = (spans: ReadableSpan[]) =>
  Buffer.from(ProtobufTraceSerializer.serializeRequest(spans) as Uint8Array);

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
    const { spans } = await sidecarSpans();
    expect(spans).toHaveLength(3);
    expect(Buffer.from(encodeTraceRequest(spans)).equals(otelBytes(spans))).toBe(true);
  });

  it('writes the same bytes for every value kind, long and non-ASCII strings, links and two resources', async () => {
    const spans = [...(await sidecarSpans()).spans, oddSpan()];
    expect(Buffer.from(encodeTraceRequest(spans)).equals(otelBytes(spans))).toBe(true);
  });

  it('writes the same bytes again and again, past the bound of the cache of attributes seen before', async () => {
    const base = (await sidecarSpans()).spans[0] as ReadableSpan;
    // 5,000 distinct URLs (more than the cache holds), each span encoded twice (a miss, then a hit).
    for (let batch = 0; batch < 50; batch++) {
      const spans = Array.from({ length: 100 }, (_, i) => ({
        ...base,
        spanContext: () => base.spanContext(),
        attributes: { ...base.attributes, 'http.url': `http://reviews/r/${batch * 100 + i}` },
      }));
      const expected = otelBytes(spans);
      expect(Buffer.from(encodeTraceRequest(spans)).equals(expected)).toBe(true);
      expect(Buffer.from(encodeTraceRequest(spans)).equals(expected)).toBe(true);
    }
  });

  it('decodes as OTLP: ids, parent, kind, times, attributes and attempt events', async () => {
    const { spans, bodies } = await sidecarSpans();
    expect(bodies).toHaveLength(1);
    const request = decodeOtlpTraceRequest(bodies[0] as Buffer);
    const [rs] = request.resourceSpans;
    const decoded = rs?.scopeSpans[0]?.spans ?? [];
    const client = decoded.find((s) => s.kind === 3);
    expect(client?.traceId).toBe(TRACE);
    expect(client?.attributes.find((a) => a.key === 'http.status_code')?.value.intValue).toBe(503);
    expect(client?.attributes.find((a) => a.key === 'peer.address')?.value.stringValue).toBe('127.0.0.1:2');
    expect(client?.events.map((e) => e.attributes.find((a) => a.key === 'attempt')?.value.intValue)).toEqual([
      1, 2,
    ]);
    expect(client?.status).toEqual({ code: 2, message: 'URX' });
    const start = spans.find((s) => s.kind === SpanKind.CLIENT)?.startTime ?? [0, 0];
    expect(BigInt(client?.startTimeUnixNano ?? 0)).toBe(BigInt(start[0]) * 1_000_000_000n + BigInt(start[1]));
  });
});

describe('spans encoded into the export batch as they end', () => {
  it("exports the bytes OpenTelemetry's serializer writes for the same spans", async () => {
    const { spans, bodies } = await sidecarSpans();
    expect(bodies).toHaveLength(1);
    expect((bodies[0] as Buffer).equals(otelBytes(spans))).toBe(true);
  });

  it('writes every attribute case as an attributes object would hold it', async () => {
    const { tracer, bodies } = caughtTracer({
      nodeId: 'sidecar~10.0.0.1~ünï.default~default.svc.cluster.local',
    });
    const request = { name: 'n', method: 'GET', url: 'http://r/' };
    const ended: HopSpan[] = [];
    const cases: Array<(s: HopSpan) => void> = [
      // the end's attributes set before the end: they keep their place
      (s) => s.setAttribute('response_flags', 'early'),
      (s) => s.setAttribute('error', false),
      // a start attribute given a value the record's fields do not hold, and a constant one replaced
      (s) => s.setAttribute('http.url', 42),
      (s) => s.setAttribute('component', 'other'),
      // numbers of every kind, a boolean, a new peer.address after the start
      (s) => {
        s.setAttribute('negative', -7);
        s.setAttribute('big', 2 ** 40);
        s.setAttribute('ratio', 0.5);
        s.setAttribute('nan', Number.NaN);
        s.setAttribute('flag', true);
        s.setAttribute('peer.address', '10.0.0.2:80');
      },
      // long and non-ASCII strings (not cached), a span over 16 KB (a three-byte length)
      (s) => s.setAttribute('long', `ü${'y'.repeat(20_000)}`),
      (s) =>
        s.addAttempt({
          attempt: 1,
          endpoint: 'é'.repeat(200),
          statusCode: 0,
          responseFlags: 'UF',
          durationMs: 1e-3,
        }),
    ];
    for (const [i, change] of cases.entries()) {
      const s = tracer.startClientSpan({}, { ...request, url: `http://r/${'u'.repeat(i * 40)}` });
      change(s);
      s.end({ statusCode: i === 0 ? 500 : 204, responseFlags: i === 1 ? 'UH' : '-', error: i < 2 });
      ended.push(s);
    }
    await tracer.flush();
    expect(bodies).toHaveLength(1);
    const spans = ended.map(readableSpan);
    expect((bodies[0] as Buffer).equals(otelBytes(spans))).toBe(true);
    expect(spans[3]?.attributes.component).toBe('other');
    expect(Object.keys(spans[0]?.attributes ?? {}).slice(-3)).toEqual([
      'response_flags',
      'http.status_code',
      'error',
    ]);
  });

  it('seals a batch at 512 spans and at 1 MiB, each body what the serializer writes for its spans', async () => {
    const { tracer, bodies } = caughtTracer();
    const ended: ReadableSpan[] = [];
    for (let i = 0; i < 700; i++) {
      const s = tracer.startServerSpan({}, { name: 'n', method: 'GET', url: `http://r/${i}` });
      s.end({ statusCode: 200, responseFlags: '-', error: false });
      ended.push(readableSpan(s));
    }
    // 200 spans of ~8 KB: the byte bound seals batches of well under 512.
    for (let i = 0; i < 200; i++) {
      const s = tracer.startServerSpan(
        {},
        { name: 'n', method: 'GET', url: `http://r/${'z'.repeat(8000)}${i}` },
      );
      s.end({ statusCode: 200, responseFlags: '-', error: false });
      ended.push(readableSpan(s));
    }
    await tracer.flush();
    const counts = bodies.map(
      (b) => decodeOtlpTraceRequest(b).resourceSpans[0]?.scopeSpans[0]?.spans.length ?? 0,
    );
    expect(counts[0]).toBe(512);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(900);
    expect(counts.length).toBeGreaterThanOrEqual(3); // 512 + 388 without the byte bound
    let at = 0;
    for (const [i, body] of bodies.entries()) {
      expect(body.length).toBeLessThan(1024 * 1024 + 16 * 1024);
      expect(body.equals(otelBytes(ended.slice(at, at + (counts[i] as number))))).toBe(true);
      at += counts[i] as number;
    }
  });

  it('writes the same bytes when a value repeats the last span’s, alternates or changes (the last-value path)', async () => {
    const { tracer, bodies } = caughtTracer();
    const ended: ReadableSpan[] = [];
    const urls = ['http://r/a', 'http://r/a', 'http://r/b', 'http://r/a', 'http://r/c', 'http://r/c'];
    for (let i = 0; i < 600; i++) {
      const url = urls[i % urls.length] as string;
      const c = tracer.startClientSpan(
        { 'x-b3-traceid': TRACE, 'x-b3-spanid': 'a2fb4a1d1a96d312', 'x-b3-sampled': '1' },
        {
          name: 'n',
          method: i % 7 === 0 ? 'POST' : 'GET',
          // a new string each span, as a request's URL is
          url: `${url}${''.padEnd(i % 2)}`.trimEnd(),
          upstreamCluster: i % 5 === 0 ? 'outbound|80||b.default.svc.cluster.local' : 'outbound|80||a',
        },
      );
      c.setAttribute('peer.address', `127.0.0.1:${i % 3}`);
      c.addAttempt({
        attempt: 1,
        endpoint: `127.0.0.1:${i % 3}`,
        statusCode: 200,
        responseFlags: i % 4 === 0 ? 'UF' : '-',
        durationMs: 1,
      });
      c.end({ statusCode: 200, responseFlags: i % 4 === 0 ? 'URX' : '-', error: false });
      ended.push(readableSpan(c));
    }
    await tracer.flush();
    expect(bodies).toHaveLength(2);
    expect((bodies[0] as Buffer).equals(otelBytes(ended.slice(0, 512)))).toBe(true);
    expect((bodies[1] as Buffer).equals(otelBytes(ended.slice(512)))).toBe(true);
  });

  it('drops and counts spans beyond the queue while exports do not finish, and never blocks', async () => {
    const exports: Array<() => void> = [];
    const exporter: EncodedSpansExporter = {
      export: (_batch, done) => {
        exports.push(() => done({ code: 1 }));
      },
      shutdown: async () => {},
    };
    const { tracer } = caughtTracer({ exporter, maxQueueSize: 100 });
    for (let i = 0; i < 1000; i++) {
      tracer.startServerSpan({}, { name: 'n', method: 'GET', url: 'http://r/' }).end({
        statusCode: 200,
        responseFlags: '-',
        error: false,
      });
      expect(tracer.queuedSpans()).toBeLessThanOrEqual(100);
    }
    // Two exports in flight (200 spans), 100 queued, the rest dropped.
    expect(exports).toHaveLength(2);
    expect(tracer.queuedSpans()).toBe(100);
    expect(tracer.droppedSpans()).toBe(700);
    for (const fail of exports.splice(0)) fail(); // both failed: their spans count as dropped, the next goes
    expect(tracer.droppedSpans()).toBe(900);
    expect(exports).toHaveLength(1);
    for (const fail of exports.splice(0)) fail();
    await tracer.shutdown();
    expect(tracer.droppedSpans()).toBe(1000);
    expect(tracer.queuedSpans()).toBe(0);
  });
});

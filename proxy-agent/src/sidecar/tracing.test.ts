import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { SamplingDecision, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeOtlpTraceRequest } from './otlp-protobuf-fixture';
import type { HopSpan } from './telemetry-types';
import { SidecarTracer, type SidecarTracerOptions, tracesUrl } from './tracing';

const CALLER_TRACE = '463ac35c9f6413ad48485a3953bb6124';
const CALLER_SPAN = 'a2fb4a1d1a96d312';
const CLUSTER = 'outbound|9080|v2|reviews.default.svc.cluster.local';

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: OtlpAttribute[];
  events: { name: string; attributes: OtlpAttribute[] }[];
  status: { code?: number; message?: string };
}
interface Received {
  contentType: string | undefined;
  url: string | undefined;
  resource: Record<string, unknown>;
  span: OtlpSpan;
}

function otlpValue(v: OtlpValue): unknown {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  return v.boolValue;
}

function attrs(list: OtlpAttribute[]): Record<string, unknown> {
  return Object.fromEntries(list.map((a) => [a.key, otlpValue(a.value)]));
}

/** A tiny OTLP/HTTP receiver: collects the spans of every protobuf export it is sent. */
async function startReceiver(): Promise<{ server: Server; url: string; spans: Received[] }> {
  const spans: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => {
      chunks.push(d);
    });
    req.on('end', () => {
      const payload = decodeOtlpTraceRequest(Buffer.concat(chunks));
      for (const rs of payload.resourceSpans) {
        for (const ss of rs.scopeSpans) {
          for (const span of ss.spans) {
            spans.push({
              contentType: req.headers['content-type'],
              url: req.url,
              resource: attrs(rs.resource.attributes),
              span,
            });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, spans };
}

const reviewsTracer = (overrides: Partial<SidecarTracerOptions> = {}) =>
  new SidecarTracer({
    serviceName: 'reviews.default',
    namespace: 'default',
    canonicalService: 'reviews',
    canonicalRevision: 'v2',
    resourceAttributes: { 'service.version': 'v2' },
    ...overrides,
  });

const request = {
  name: 'reviews.default.svc.cluster.local:9080/*',
  method: 'GET',
  url: 'http://reviews:9080/reviews/0',
};

describe('SidecarTracer exporting over OTLP/HTTP', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let tracer: SidecarTracer;

  beforeEach(async () => {
    receiver = await startReceiver();
    tracer = reviewsTracer({ otlpEndpoint: receiver.url, samplingPercent: 0 });
  });
  afterEach(async () => {
    await tracer.shutdown();
    await new Promise((resolve) => receiver.server.close(resolve));
  });

  it("continues the caller's B3 context: server span → app → client span, with Istio's attributes", async () => {
    const server = tracer.startServerSpan(
      { 'x-b3-traceid': CALLER_TRACE, 'x-b3-spanid': CALLER_SPAN, 'x-b3-sampled': '1' },
      { ...request, peerAddress: '127.0.0.1:50000' },
    );
    // The app forwards the server span's B3 headers on its own outbound call, through its sidecar.
    const forwarded = server.b3Headers();
    expect(forwarded).toEqual({
      'x-b3-traceid': CALLER_TRACE,
      'x-b3-spanid': server.spanId,
      'x-b3-parentspanid': CALLER_SPAN,
      'x-b3-sampled': '1',
    });
    const client = tracer.startClientSpan(forwarded, {
      name: 'ratings.default.svc.cluster.local:9080/*',
      method: 'GET',
      url: 'http://ratings:9080/ratings/0',
      upstreamCluster: CLUSTER,
      peerAddress: '127.0.0.1:9081',
      peerService: 'ratings.default',
    });
    expect(client.b3Headers()['x-b3-parentspanid']).toBe(server.spanId);
    client.addAttempt({
      attempt: 1,
      endpoint: '127.0.0.1:9081',
      statusCode: 503,
      responseFlags: 'UF',
      durationMs: 2,
    });
    client.addAttempt({
      attempt: 2,
      endpoint: '127.0.0.1:9082',
      statusCode: 200,
      responseFlags: '-',
      durationMs: 3.5,
    });
    client.setAttribute('guid:x-request-id', 'abc');
    client.end({ statusCode: 200, responseFlags: '-', error: false });
    server.end({ statusCode: 200, responseFlags: '-', error: false });
    await tracer.flush();

    expect(receiver.spans).toHaveLength(2);
    const [first] = receiver.spans;
    expect(first?.url).toBe('/v1/traces');
    expect(first?.contentType).toBe('application/x-protobuf');
    expect(first?.resource).toMatchObject({ 'service.name': 'reviews.default', 'service.version': 'v2' });

    const serverSpan = receiver.spans.find((r) => r.span.kind === 2)?.span;
    const clientSpan = receiver.spans.find((r) => r.span.kind === 3)?.span;
    expect(serverSpan).toMatchObject({
      traceId: CALLER_TRACE,
      spanId: server.spanId,
      parentSpanId: CALLER_SPAN,
      name: request.name,
    });
    expect(attrs(serverSpan?.attributes ?? [])).toEqual({
      component: 'proxy',
      node_id: 'sidecar~127.0.0.1~reviews.default~default.svc.cluster.local',
      'istio.namespace': 'default',
      'istio.canonical_service': 'reviews',
      'istio.canonical_revision': 'v2',
      'http.method': 'GET',
      'http.url': 'http://reviews:9080/reviews/0',
      'peer.address': '127.0.0.1:50000',
      'http.status_code': 200,
      response_flags: '-',
    });
    expect(serverSpan?.status.code ?? 0).not.toBe(2);

    expect(clientSpan).toMatchObject({
      traceId: CALLER_TRACE,
      parentSpanId: server.spanId,
      spanId: client.spanId,
    });
    expect(attrs(clientSpan?.attributes ?? [])).toMatchObject({
      upstream_cluster: CLUSTER,
      'upstream_cluster.name': CLUSTER,
      'peer.address': '127.0.0.1:9081',
      'peer.service': 'ratings.default',
      'guid:x-request-id': 'abc',
      'http.status_code': 200,
    });
    expect(clientSpan?.events.map((e) => ({ name: e.name, ...attrs(e.attributes) }))).toEqual([
      {
        name: 'attempt',
        attempt: 1,
        endpoint: '127.0.0.1:9081',
        'http.status_code': 503,
        response_flags: 'UF',
        duration_ms: 2,
        retry: false,
      },
      {
        name: 'attempt',
        attempt: 2,
        endpoint: '127.0.0.1:9082',
        'http.status_code': 200,
        response_flags: '-',
        duration_ms: 3.5,
        retry: true,
      },
    ]);
  });

  it('marks a failed hop with error=true and status ERROR', async () => {
    const span = tracer.startClientSpan({ b3: `${CALLER_TRACE}-${CALLER_SPAN}-1` }, request);
    span.end({ statusCode: 504, responseFlags: 'UT,URX', error: true });
    span.end({ statusCode: 200, responseFlags: '-', error: false }); // a second end is ignored
    await tracer.flush();
    expect(receiver.spans).toHaveLength(1);
    const exported = receiver.spans[0]?.span;
    expect(attrs(exported?.attributes ?? [])).toMatchObject({
      error: true,
      'http.status_code': 504,
      response_flags: 'UT,URX',
    });
    expect(exported?.status).toMatchObject({ code: 2, message: 'UT,URX' });
  });

  it('pads a 64-bit caller trace id and keeps the single-header parent', async () => {
    const span = tracer.startServerSpan({ b3: `a3ce929d0e0e4736-${CALLER_SPAN}-1` }, request);
    expect(span.traceId).toBe('0000000000000000a3ce929d0e0e4736');
    expect(span.b3Headers()['x-b3-traceid']).toBe('0000000000000000a3ce929d0e0e4736');
    span.end({ statusCode: 200, responseFlags: '-', error: false });
    await tracer.flush();
    expect(receiver.spans[0]?.span).toMatchObject({
      traceId: '0000000000000000a3ce929d0e0e4736',
      parentSpanId: CALLER_SPAN,
    });
  });

  it("honours the caller's decision not to sample: nothing is exported, the decision propagates", async () => {
    const unsampledTracer = reviewsTracer({ otlpEndpoint: receiver.url, samplingPercent: 100 });
    const spans: HopSpan[] = [
      unsampledTracer.startServerSpan(
        { 'x-b3-traceid': CALLER_TRACE, 'x-b3-spanid': CALLER_SPAN, 'x-b3-sampled': '0' },
        request,
      ),
      unsampledTracer.startServerSpan({ b3: '0' }, request),
      unsampledTracer.startClientSpan({ 'x-b3-sampled': 'false' }, request),
    ];
    for (const span of spans) {
      expect(span.sampled).toBe(false);
      expect(span.b3Headers()['x-b3-sampled']).toBe('0');
      span.setAttribute('k', 'v');
      span.addAttempt({ attempt: 1, endpoint: 'x:1', statusCode: 200, responseFlags: '-', durationMs: 1 });
      span.end({ statusCode: 500, responseFlags: '-', error: true });
    }
    expect(spans[0]?.traceId).toBe(CALLER_TRACE);
    await unsampledTracer.shutdown();
    expect(receiver.spans).toHaveLength(0);
  });
});

describe('SidecarTracer exporting to a slow backend', () => {
  it('sends every batch that waited for one of the two export slots: none dropped', async () => {
    let received = 0;
    // Each export answered after 20 ms: the batches sealed meanwhile wait for a slot.
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (d: Buffer) => {
        chunks.push(d);
      });
      req.on('end', () => {
        for (const rs of decodeOtlpTraceRequest(Buffer.concat(chunks)).resourceSpans)
          for (const ss of rs.scopeSpans) received += ss.spans.length;
        setTimeout(() => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(), 20);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const tracer = reviewsTracer({ otlpEndpoint: `http://127.0.0.1:${port}`, maxQueueSize: 10_000 });
    for (let i = 0; i < 512 * 6; i++) {
      tracer.startServerSpan({}, request).end({ statusCode: 200, responseFlags: '-', error: false });
    }
    await tracer.flush(5000);
    expect(tracer.droppedSpans()).toBe(0);
    expect(received).toBe(512 * 6);
    await tracer.shutdown();
    await new Promise((resolve) => server.close(resolve));
  });
});

describe('SidecarTracer sampling and propagation without a backend', () => {
  it('starts a new sampled trace when there are no B3 headers and sampling is 100 %', () => {
    const span = reviewsTracer({ samplingPercent: 100 }).startServerSpan({}, request);
    expect(span.sampled).toBe(true);
    expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(span.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(span.b3Headers()).toEqual({
      'x-b3-traceid': span.traceId,
      'x-b3-spanid': span.spanId,
      'x-b3-sampled': '1',
    });
  });

  it('samples no new trace at 0 %, but an incoming sampled=1 still wins', () => {
    const tracer = reviewsTracer({ samplingPercent: 0 });
    expect(tracer.startServerSpan({}, request).sampled).toBe(false);
    expect(tracer.startServerSpan({ b3: '1' }, request).sampled).toBe(true);
    expect(tracer.startServerSpan({ b3: `${CALLER_TRACE}-${CALLER_SPAN}-1` }, request).sampled).toBe(true);
  });

  it('starts a new trace when the B3 headers are malformed', () => {
    const span = reviewsTracer().startServerSpan(
      { 'x-b3-traceid': 'not-hex', 'x-b3-spanid': CALLER_SPAN },
      request,
    );
    expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(span.b3Headers()['x-b3-parentspanid']).toBeUndefined();
  });

  it('decides an undecided trace by trace id, so every sidecar of the trace agrees', () => {
    const tracer = reviewsTracer({ samplingPercent: 50 });
    const decisions = new Set<boolean>();
    for (let i = 0; i < 5; i++) {
      decisions.add(
        tracer.startServerSpan({ 'x-b3-traceid': CALLER_TRACE, 'x-b3-spanid': CALLER_SPAN }, request).sampled,
      );
    }
    expect(decisions.size).toBe(1);
    let sampled = 0;
    for (let i = 0; i < 2000; i++) if (tracer.startServerSpan({}, request).sampled) sampled++;
    expect(sampled).toBeGreaterThan(800);
    expect(sampled).toBeLessThan(1200);
  });

  it("decides a caller's undecided trace as the sidecar that started it did, and as OpenTelemetry's sampler", () => {
    const caller = reviewsTracer({ samplingPercent: 30 });
    const callee = reviewsTracer({ samplingPercent: 30 });
    const otel = new TraceIdRatioBasedSampler(0.3);
    const seen = new Set<boolean>();
    for (let i = 0; i < 500; i++) {
      const started = caller.startServerSpan({}, request);
      // The callee makes a trace of its own in between: its decision must not leak into the next one.
      callee.startServerSpan({}, request);
      const { traceId, spanId } = started;
      const continued = callee.startServerSpan({ 'x-b3-traceid': traceId, 'x-b3-spanid': spanId }, request);
      expect(continued.sampled).toBe(started.sampled);
      const short = traceId.slice(16);
      const fromShort = callee.startServerSpan({ 'x-b3-traceid': short, 'x-b3-spanid': spanId }, request);
      expect(fromShort.sampled).toBe(
        otel.shouldSample(ROOT_CONTEXT, `0000000000000000${short}`).decision ===
          SamplingDecision.RECORD_AND_SAMPLED,
      );
      seen.add(started.sampled);
    }
    expect(seen.size).toBe(2);
  });

  it('propagates the debug flag', () => {
    const span = reviewsTracer({ samplingPercent: 0 }).startServerSpan(
      { 'x-b3-traceid': CALLER_TRACE, 'x-b3-spanid': CALLER_SPAN, 'x-b3-flags': '1' },
      request,
    );
    expect(span.sampled).toBe(true);
    expect(span.b3Headers()['x-b3-flags']).toBe('1');
  });

  it('builds the OTLP traces URL from a base endpoint', () => {
    expect(tracesUrl('http://127.0.0.1:4318')).toBe('http://127.0.0.1:4318/v1/traces');
    expect(tracesUrl('http://127.0.0.1:4318/')).toBe('http://127.0.0.1:4318/v1/traces');
    expect(tracesUrl('http://collector:4318/custom/traces')).toBe('http://collector:4318/custom/traces');
  });
});

describe('SidecarTracer with the trace backend down', () => {
  it('keeps creating spans without throwing, with a bounded queue, and shuts down in bounded time', async () => {
    // A port that was just free and is now closed: every export is refused.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));

    const tracer = reviewsTracer({ otlpEndpoint: `http://127.0.0.1:${port}`, maxQueueSize: 100 });
    let maxQueued = 0;
    for (let i = 0; i < 5000; i++) {
      const span = tracer.startServerSpan({}, request);
      span.addAttempt({
        attempt: 1,
        endpoint: `127.0.0.1:${port}`,
        statusCode: 0,
        responseFlags: 'UF',
        durationMs: 1,
      });
      span.end({ statusCode: 503, responseFlags: 'UF', error: true });
      expect(span.sampled).toBe(true);
      maxQueued = Math.max(maxQueued, tracer.queuedSpans());
      // Let the processor's timers and the refused exports run now and then.
      if (i % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(maxQueued).toBeGreaterThan(0);
    expect(maxQueued).toBeLessThanOrEqual(100);
    await tracer.shutdown();
  });
});

// Real OpenTelemetry exporters (OTLP/HTTP JSON and protobuf) → the trace-store CLI process → its Jaeger
// query API: every field of the exported spans arrives intact.
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpHttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Trace, TracesResponseSchema } from '../../lib/jaeger/model';
import { type AgentProcess, freePort, spawnAgent, waitFor } from './support/processes';

let agent: AgentProcess;
let otlpUrl: string;
let queryUrl: string;

beforeAll(async () => {
  const [otlpPort, queryPort] = [await freePort(), await freePort()];
  otlpUrl = `http://127.0.0.1:${otlpPort}/v1/traces`;
  queryUrl = `http://127.0.0.1:${queryPort}`;
  agent = spawnAgent(['trace-store', '--otlp-port', String(otlpPort), '--query-port', String(queryPort)]);
  await waitFor(async () => (await fetch(`${queryUrl}/api/services`)).ok, {
    timeoutMs: 30_000,
    what: 'trace-store query API',
  });
});
afterAll(async () => {
  expect(await agent?.stop()).toBe(0);
});

/** Records two spans (a server span and its failing client child) through `exporter` and an in-memory copy. */
async function exportSpans(service: string, exporter: SpanExporter): Promise<ReadableSpan[]> {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': service,
      'deployment.environment': 'test',
      'host.cpus': 2,
    }),
    spanProcessors: [new SimpleSpanProcessor(memory), new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('meshlens-test', '1.2.3');
  const root = tracer.startSpan('GET /productpage', {
    kind: SpanKind.SERVER,
    attributes: {
      'http.method': 'GET',
      'http.status_code': 503,
      'upstream.weight': 0.25,
      'retry.enabled': true,
      'retry.on': ['5xx', 'reset'],
    },
  });
  root.addEvent('retry', { attempt: 2, endpoint: '127.0.0.1:9080' });
  const ctx = trace.setSpan(context.active(), root);
  const child = tracer.startSpan(
    'reviews.default.svc.cluster.local:9080/*',
    {
      kind: SpanKind.CLIENT,
      links: [{ context: { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 } }],
    },
    ctx,
  );
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream connect error' });
  child.setAttribute('response_flags', 'UF,URX');
  child.end();
  root.end();
  await provider.forceFlush();
  const finished = memory.getFinishedSpans(); // shutdown() empties the in-memory exporter
  await provider.shutdown();
  return finished;
}

const micros = ([s, ns]: [number, number]) => s * 1_000_000 + Math.floor(ns / 1000);
const nanos = ([s, ns]: [number, number]) => BigInt(s) * 1_000_000_000n + BigInt(ns);
/** Jaeger's duration: the nanosecond difference, floored to µs. */
const durationMicros = (span: ReadableSpan) => Number((nanos(span.endTime) - nanos(span.startTime)) / 1000n);

async function fetchTrace(traceId: string, spans: number): Promise<Trace> {
  return waitFor(
    async () => {
      const res = await fetch(`${queryUrl}/api/traces/${traceId}`);
      if (!res.ok) return undefined;
      const trace = TracesResponseSchema.parse(await res.json()).data[0];
      return trace && trace.spans.length === spans ? trace : undefined;
    },
    { timeoutMs: 30_000, what: `trace ${traceId} with ${spans} spans` },
  );
}

function expectIntact(trace: Trace, exported: ReadableSpan[], service: string) {
  const [child, root] = exported; // ended in this order
  if (!child || !root) throw new Error('expected two spans');
  const byId = new Map(trace.spans.map((s) => [s.spanID, s]));
  const jRoot = byId.get(root.spanContext().spanId);
  const jChild = byId.get(child.spanContext().spanId);
  expect(jRoot && jChild).toBeTruthy();
  if (!jRoot || !jChild) return;

  expect(trace.processes[jRoot.processID]).toEqual({
    serviceName: service,
    tags: [
      { key: 'deployment.environment', type: 'string', value: 'test' },
      { key: 'host.cpus', type: 'int64', value: 2 },
    ],
  });
  expect(jChild.processID).toBe(jRoot.processID);

  expect(jRoot).toMatchObject({
    traceID: root.spanContext().traceId,
    operationName: 'GET /productpage',
    references: [],
    startTime: micros(root.startTime),
    warnings: null,
  });
  expect(jRoot.duration).toBe(durationMicros(root));
  expect(jChild.duration).toBe(durationMicros(child));
  expect(jRoot.tags).toEqual([
    { key: 'otel.scope.name', type: 'string', value: 'meshlens-test' },
    { key: 'otel.scope.version', type: 'string', value: '1.2.3' },
    { key: 'http.method', type: 'string', value: 'GET' },
    { key: 'http.status_code', type: 'int64', value: 503 },
    { key: 'upstream.weight', type: 'float64', value: 0.25 },
    { key: 'retry.enabled', type: 'bool', value: true },
    { key: 'retry.on', type: 'string', value: '["5xx","reset"]' },
    { key: 'span.kind', type: 'string', value: 'server' },
  ]);
  const event = root.events[0];
  expect(jRoot.logs).toEqual([
    {
      timestamp: event ? micros(event.time) : -1,
      fields: [
        { key: 'event', type: 'string', value: 'retry' },
        { key: 'attempt', type: 'int64', value: 2 },
        { key: 'endpoint', type: 'string', value: '127.0.0.1:9080' },
      ],
    },
  ]);

  expect(jChild.references).toEqual([
    { refType: 'CHILD_OF', traceID: root.spanContext().traceId, spanID: root.spanContext().spanId },
    { refType: 'FOLLOWS_FROM', traceID: 'a'.repeat(32), spanID: 'b'.repeat(16) },
  ]);
  expect(jChild.tags).toEqual([
    { key: 'otel.scope.name', type: 'string', value: 'meshlens-test' },
    { key: 'otel.scope.version', type: 'string', value: '1.2.3' },
    { key: 'response_flags', type: 'string', value: 'UF,URX' },
    { key: 'span.kind', type: 'string', value: 'client' },
    { key: 'otel.status_code', type: 'string', value: 'ERROR' },
    { key: 'error', type: 'bool', value: true },
    { key: 'otel.status_description', type: 'string', value: 'upstream connect error' },
  ]);
}

describe('spans from the real OTLP exporters arrive intact in the trace-store process', () => {
  it('via @opentelemetry/exporter-trace-otlp-http (JSON)', async () => {
    const exported = await exportSpans('json-exporter', new OtlpHttpJsonExporter({ url: otlpUrl }));
    const traceId = exported[0]?.spanContext().traceId ?? '';
    expectIntact(await fetchTrace(traceId, 2), exported, 'json-exporter');
  });

  it('via @opentelemetry/exporter-trace-otlp-proto (protobuf)', async () => {
    const exported = await exportSpans('proto-exporter', new OtlpProtoExporter({ url: otlpUrl }));
    const traceId = exported[0]?.spanContext().traceId ?? '';
    expectIntact(await fetchTrace(traceId, 2), exported, 'proto-exporter');
  });

  it('finds them by service, error tag and duration through /api/traces', async () => {
    const res = await fetch(
      `${queryUrl}/api/traces?service=proto-exporter&tags=${encodeURIComponent('{"error":"true"}')}&minDuration=0s&limit=10`,
    );
    const traces = TracesResponseSchema.parse(await res.json()).data;
    expect(traces).toHaveLength(1);
    const services = (await (await fetch(`${queryUrl}/api/services`)).json()) as { data: string[] };
    expect(services.data).toEqual(['json-exporter', 'proto-exporter']);
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AdminState, createAdminHandler } from './admin';
import { SidecarMetrics } from './metrics';
import { type EncodedSpansExporter, spanExportFamilies } from './span-export';
import { SidecarTracer } from './tracing';

const OPENMETRICS = 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5';

/** A tracer whose first export succeeds and whose later ones fail. */
function tracerFailingAfterOne(): SidecarTracer {
  let exports = 0;
  const exporter: EncodedSpansExporter = {
    export: (_batch, done) => done({ code: exports++ === 0 ? 0 : 1 }),
    shutdown: async () => {},
  };
  return new SidecarTracer({
    serviceName: 'reviews.default',
    namespace: 'default',
    canonicalService: 'reviews',
    canonicalRevision: 'v2',
    exporter,
  });
}

describe("the admin listener's /stats/prometheus with the span export's counters", () => {
  let server: Server;
  let base: string;
  let tracer: SidecarTracer;

  beforeEach(async () => {
    tracer = tracerFailingAfterOne();
    const metrics = new SidecarMetrics();
    const state = { metrics, stats: spanExportFamilies(() => tracer.exportStats()) } as unknown as AdminState;
    const handler = createAdminHandler(state);
    server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (let i = 0; i < 3; i++) {
      const span = tracer.startServerSpan({}, { name: 'n', method: 'GET', url: 'http://r/' });
      span.end({ statusCode: 200, responseFlags: '-', error: false });
      await tracer.flush(1000); // one export of one span each: the first succeeds, the others fail
    }
  });
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('publishes spans sent, exports sent, succeeded and failed, and spans dropped, as Envoy names them', async () => {
    const body = await (await fetch(`${base}/stats/prometheus`)).text();
    const lines = body.split('\n');
    expect(lines).toContain('envoy_tracing_opentelemetry_spans_sent 3');
    expect(lines).toContain('envoy_tracing_opentelemetry_http_reports_sent 3');
    expect(lines).toContain('envoy_tracing_opentelemetry_http_reports_success 1');
    expect(lines).toContain('envoy_tracing_opentelemetry_http_reports_failed 2');
    expect(lines).toContain('meshlens_tracing_spans_dropped 2');
    expect(lines).toContain('# TYPE envoy_tracing_opentelemetry_spans_sent counter');
    // After the metrics' families, separated from them by a blank line as the families are from each other.
    expect(body).toMatch(/^# HELP istio_requests_total /);
    expect(body).toContain('\n\n# HELP envoy_tracing_opentelemetry_spans_sent ');
    expect(body.endsWith('meshlens_tracing_spans_dropped 2\n')).toBe(true);
  });

  it('ends the OpenMetrics text once, after the last family', async () => {
    const res = await fetch(`${base}/stats/prometheus`, { headers: { accept: OPENMETRICS } });
    expect(res.headers.get('content-type')).toContain('application/openmetrics-text');
    const body = await res.text();
    expect(body.match(/# EOF/g)).toHaveLength(1);
    expect(body.endsWith('meshlens_tracing_spans_dropped_total 2\n# EOF\n')).toBe(true);
    expect(body.split('\n')).toContain('envoy_tracing_opentelemetry_spans_sent_total 3');
    expect(body).not.toContain('\n\n');
  });
});

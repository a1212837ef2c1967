// The request path with the real tracer (SidecarTracer, its OTLP bodies decoded in memory instead of sent):
// one client span per hop at the caller with each try as an event, a server span as its child at the
// callee, and the B3 context of the server span handed to the app.
import { afterAll, describe, expect, it } from 'vitest';
import { type DecodedSpan, decodeOtlpTraceRequest } from '../src/sidecar/otlp-protobuf-fixture';
import { type SidecarHandle, startSidecar } from '../src/sidecar/sidecar';
import { type EncodedSpans, type EncodedSpansExporter, SidecarTracer } from '../src/sidecar/tracing';
import { parseConfigText, staticSource } from '../src/sidecar-config/static-file-source';
import { send, serviceEntry, startUpstream, type Upstream, workloadEntry, yamlDocs } from './sidecar-harness';
import { freePort } from './support/processes';

const open: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  await Promise.all(open.map((o) => o.close()));
});

/** Keeps the exported spans, decoded from the OTLP protobuf bodies the tracer encoded. */
class CollectingExporter implements EncodedSpansExporter {
  readonly spans: DecodedSpan[] = [];
  export(batch: EncodedSpans, done: (result: { code: number }) => void): void {
    for (const rs of decodeOtlpTraceRequest(batch.body).resourceSpans) {
      for (const ss of rs.scopeSpans) this.spans.push(...ss.spans);
    }
    done({ code: 0 });
  }
  async shutdown(): Promise<void> {}
}

/** OTLP's span kinds. */
const SERVER = 2;
const CLIENT = 3;
const attribute = (list: DecodedSpan['attributes'], key: string) => list.find((a) => a.key === key)?.value;

function tracer(service: string, exporter: CollectingExporter) {
  return new SidecarTracer({
    serviceName: `${service}.default`,
    namespace: 'default',
    canonicalService: service,
    canonicalRevision: 'v1',
    exporter,
  });
}

describe('traces through two sidecars', () => {
  it('records the retried tries on the client span and parents the server span to it', async () => {
    let n = 0;
    const app: Upstream = await startUpstream((req, res) => {
      n++;
      res.writeHead(n === 1 ? 503 : 200, { 'x-seen-span': String(req.headers['x-b3-spanid']) });
      res.end('ok');
    });
    open.push(app);
    const inbound = await freePort();
    const mesh = parseConfigText(
      yamlDocs(serviceEntry('details'), workloadEntry('details', 'v1', inbound)),
      'm',
    );
    const calleeSpans = new CollectingExporter();
    const callerSpans = new CollectingExporter();
    const calleeTracer = tracer('details', calleeSpans);
    const callerTracer = tracer('productpage', callerSpans);
    const callee: SidecarHandle = await startSidecar({
      service: 'details',
      appPort: app.port,
      inboundPort: inbound,
      configSource: staticSource(mesh),
      tracer: calleeTracer,
    });
    const caller: SidecarHandle = await startSidecar({
      service: 'productpage',
      appPort: await freePort(),
      configSource: staticSource(mesh),
      tracer: callerTracer,
    });
    open.push(callee, caller);

    const r = await send(caller.ports.outbound, {
      host: 'details',
      path: '/details/7',
      headers: {
        'x-b3-traceid': '80f198ee56343ba864fe8b2a57d3eff7',
        'x-b3-spanid': 'e457b5a2e4d86bd1',
        'x-b3-sampled': '1',
      },
    });
    expect(r.status).toBe(200);
    await callerTracer.shutdown();
    await calleeTracer.shutdown();

    const client = callerSpans.spans.find((s) => s.kind === CLIENT) as DecodedSpan;
    expect(client.traceId).toBe('80f198ee56343ba864fe8b2a57d3eff7');
    expect(client.name).toBe('details.default.svc.cluster.local:9080/*');
    const attempts = client.events.filter((e) => e.name === 'attempt');
    expect(
      attempts.map((e) => [
        attribute(e.attributes, 'attempt')?.intValue,
        attribute(e.attributes, 'http.status_code')?.intValue,
      ]),
    ).toEqual([
      [1, 503],
      [2, 200],
    ]);
    const servers = calleeSpans.spans.filter((s) => s.kind === SERVER);
    expect(servers).toHaveLength(2);
    for (const s of servers) {
      expect(s.traceId).toBe(client.traceId);
      expect(s.parentSpanId).toBe(client.spanId);
    }
    const lastServer = servers.at(-1) as DecodedSpan;
    expect(r.headers['x-seen-span']).toBe(lastServer.spanId);
  });
});

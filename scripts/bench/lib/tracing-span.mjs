// Micro-benchmark of the tracing hot path: one sidecar span (start, attributes, one attempt event, end)
// sampled and exported through the batch processor, and unsampled. Builds
// proxy-agent/src/sidecar/tracing.ts on the fly with esbuild; the exporter is a no-op, so this is the cost
// inside the request path: a sampled span is encoded into its export batch when it ends, so this includes
// its encoding; the export's transport (a POST per 512 spans) is not.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { ROOT } from './processes.mjs';

const N = 100_000;
const noopExporter = {
  export: (_spans, done) => done({ code: 0 }),
  shutdown: async () => {},
  forceFlush: async () => {},
};

function time(tracer, headers) {
  const start = {
    name: 'reviews.default.svc.cluster.local:9080/*',
    method: 'GET',
    url: 'http://reviews:9080/reviews/0',
    peerAddress: '127.0.0.1:40000',
  };
  const one = () => {
    const span = tracer.startServerSpan(headers, start);
    span.b3Headers();
    span.addAttempt({
      attempt: 1,
      endpoint: '127.0.0.1:9080',
      statusCode: 200,
      responseFlags: '-',
      durationMs: 1.2,
    });
    span.end({ statusCode: 200, responseFlags: '-', error: false });
  };
  for (let i = 0; i < 10_000; i++) one();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) one();
  return Number(process.hrtime.bigint() - t0) / N;
}

export async function measureTracingSpan() {
  const outfile = join(ROOT, 'dist/bench/tracing.mjs');
  await build({
    entryPoints: [join(ROOT, 'proxy-agent/src/sidecar/tracing.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  const { SidecarTracer } = await import(pathToFileURL(outfile).href);
  const options = {
    serviceName: 'reviews.default',
    namespace: 'default',
    canonicalService: 'reviews',
    canonicalRevision: 'v1',
    exporter: noopExporter,
  };
  const tracer = new SidecarTracer(options);
  const caller = { 'x-b3-traceid': '463ac35c9f6413ad48485a3953bb6124', 'x-b3-spanid': 'a2fb4a1d1a96d312' };
  const sampled = time(tracer, { ...caller, 'x-b3-sampled': '1' });
  const unsampled = time(tracer, { ...caller, 'x-b3-sampled': '0' });
  await tracer.shutdown();
  return {
    sampled,
    unsampled,
    lines: [
      `sampled span (B3 parse, start, attributes, attempt event, end, encoded into the batch): ${(sampled / 1000).toFixed(1)} µs`,
      `unsampled span (B3 parse, ids, propagation only): ${(unsampled / 1000).toFixed(2)} µs`,
    ],
  };
}

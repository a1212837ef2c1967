// What the graph benches without Prometheus share: the graph library bundled for Node (esbuild, from
// scripts/bench/lib/graph-assembly-entry.ts) and a loopback server answering the synthetic mesh's
// Prometheus reads with JSON held ready (the request rates, the latency buckets by edge, nothing else).
import { once } from 'node:events';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { syntheticSamples } from '../graph.mjs';
import { ROOT } from './processes.mjs';

/** The graph library bundled into `dir` and imported. */
export async function loadGraphLib(dir) {
  await build({
    entryPoints: [join(ROOT, 'scripts/bench/lib/graph-assembly-entry.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile: join(dir, 'entry.mjs'),
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    logLevel: 'error',
  });
  return import(pathToFileURL(join(dir, 'entry.mjs')).href);
}

/**
 * A loopback Prometheus for `mesh`: its query API (POST form or GET) answers the request-rate and the
 * latency-bucket reads with the mesh's samples, anything else with an empty vector.
 */
export async function loopbackPrometheus(lib, mesh) {
  const { requests, buckets } = syntheticSamples(mesh, lib.REQUEST_LABELS, lib.LATENCY_EDGE_LABELS);
  const answer = (result) => JSON.stringify({ status: 'success', data: { resultType: 'vector', result } });
  const requestText = answer(requests);
  const bucketText = answer(buckets);
  const empty = answer([]);
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const query = new URLSearchParams(body || (req.url ?? '').split('?')[1] || '').get('query') ?? '';
    const text = query.includes('label_join(rate(istio_requests_total')
      ? requestText
      : query.includes('istio_request_duration_milliseconds_bucket') && query.includes('"source"')
        ? bucketText
        : empty;
    res.writeHead(200, { 'content-type': 'application/json' }).end(text);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => server.close(),
    /** What it answers, for the bench's own lines. */
    summary:
      `request rates ${(requestText.length / 1e6).toFixed(1)} MB (${requests.length} series), ` +
      `latency buckets ${(bucketText.length / 1e6).toFixed(1)} MB (${buckets.length} series)`,
  };
}

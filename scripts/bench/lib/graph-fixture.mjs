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
 * The mesh's recording-rule answers (`lib/graph/recording-rules.ts`) as Prometheus gives them: the probe (one
 * series per edge), the bounds (every edge has every bound), and the below-total read — each source-reported
 * edge's buckets under its total and the total, by `le` and the edge's labels joined into `edge`.
 */
function recordedSamples(lib, mesh) {
  const { buckets } = syntheticSamples(mesh, lib.REQUEST_LABELS, lib.RECORDED_EDGE_LABELS);
  const t = buckets[0]?.value[0] ?? 0;
  const byEdge = new Map();
  for (const b of buckets) {
    const edge = lib.RECORDED_EDGE_LABELS.map((k) => b.metric[k] ?? '').join(lib.JOIN_SEPARATOR);
    byEdge.set(edge, [...(byEdge.get(edge) ?? []), b]);
  }
  const belowTotal = [];
  for (const [edge, series] of byEdge) {
    const total = series.find((b) => b.metric.le === '+Inf');
    for (const b of series) {
      if (b.metric.le === '+Inf' || Number(b.value[1]) < Number(total.value[1]))
        belowTotal.push({ metric: { edge, le: b.metric.le }, value: b.value });
    }
  }
  const bounds = [...new Set(buckets.map((b) => b.metric.le))].map((le) => ({
    metric: { le },
    value: [t, String(byEdge.size)],
  }));
  return { probe: [{ metric: {}, value: [t, String(byEdge.size)] }], bounds, belowTotal };
}

/**
 * A loopback Prometheus for `mesh`: its query API (POST form or GET) answers the request-rate and the
 * latency-bucket reads with the mesh's samples, anything else with an empty vector. `rules`: it also has
 * the graph's recording rules (the probe, the bounds and the below-total series of every window).
 */
export async function loopbackPrometheus(lib, mesh, { rules = false } = {}) {
  const { requests, buckets } = syntheticSamples(mesh, lib.REQUEST_LABELS, lib.LATENCY_EDGE_LABELS);
  const answer = (result) => JSON.stringify({ status: 'success', data: { resultType: 'vector', result } });
  const requestText = answer(requests);
  const bucketText = answer(buckets);
  const empty = answer([]);
  const recorded = rules ? recordedSamples(lib, mesh) : undefined;
  const probeText = recorded && answer(recorded.probe);
  const boundsText = recorded && answer(recorded.bounds);
  const belowTotalText = recorded && answer(recorded.belowTotal);
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const query = new URLSearchParams(body || (req.url ?? '').split('?')[1] || '').get('query') ?? '';
    const text = query.includes('label_join(rate(istio_requests_total')
      ? requestText
      : query.includes('istio_request_duration_milliseconds_bucket') && query.includes('"source"')
        ? bucketText
        : recorded && query.startsWith('count(istio:edge_request_duration_milliseconds_bucket:rate1m')
          ? probeText
          : recorded && query === 'istio:edge_request_duration_milliseconds_bucket:bounds'
            ? boundsText
            : recorded && query.includes('_below_total')
              ? belowTotalText
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
      `latency buckets ${(bucketText.length / 1e6).toFixed(1)} MB (${buckets.length} series)` +
      (recorded
        ? `, below-total buckets ${(belowTotalText.length / 1e6).toFixed(1)} MB (${recorded.belowTotal.length} series)`
        : ''),
  };
}

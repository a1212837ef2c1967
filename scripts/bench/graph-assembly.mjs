// The graph's own cost, without Prometheus (a measurement, not a test): the synthetic mesh of the graph bench
// answered by a loopback server holding Prometheus' JSON ready, so `buildGraph` (read, parse, walk,
// appenders, elements) and the JSON it answers are all that is timed; the floor is fetching the same
// answers. Profile it with `node --cpu-prof scripts/bench.mjs graph-assembly -- --workloads 5000 --edges 15000`.
//   node scripts/bench.mjs graph-assembly [-- --workloads 5000 --edges 15000 --runs 5]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticMesh } from './graph.mjs';
import { loadGraphLib, loopbackPrometheus } from './lib/graph-fixture.mjs';

function parseArgs(args) {
  const opt = { workloads: 5000, edges: 15000, runs: 5 };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--workloads') opt.workloads = Number(args[++i]);
    else if (args[i] === '--edges') opt.edges = Number(args[++i]);
    else if (args[i] === '--runs') opt.runs = Number(args[++i]);
  }
  return opt;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export default async function bench(args) {
  const opt = parseArgs(args);
  const dir = mkdtempSync(join(tmpdir(), 'meshlens-bench-graph-assembly-'));
  try {
    const lib = await loadGraphLib(dir);
    const mesh = syntheticMesh(opt.workloads, opt.edges);
    const server = await loopbackPrometheus(lib, mesh);
    const baseUrl = server.url;
    console.log(`answers: ${server.summary}`);
    const prometheus = lib.createPrometheusClient({ baseUrl });
    const fetchText = async (q) => {
      const res = await fetch(`${baseUrl}/api/v1/query`, { method: 'POST', body: `query=${q}` });
      return res.text();
    };
    const deps = { prometheus, now: () => 1_700_000_000 };
    for (const [name, latency] of [
      ['latency=false', false],
      ['full (raw buckets)', true],
    ]) {
      const floorRuns = [];
      const runs = [];
      const phases = [];
      let bytes = 0;
      let mem = 0;
      for (let i = -2; i < opt.runs; i++) {
        let t0 = performance.now();
        await Promise.all([
          fetchText(encodeURIComponent('label_join(rate(istio_requests_total')),
          latency
            ? fetchText(encodeURIComponent('istio_request_duration_milliseconds_bucket "source"'))
            : null,
        ]);
        const floor = performance.now() - t0;
        t0 = performance.now();
        const params = lib.parseGraphParams(new URLSearchParams(latency ? '' : 'latency=false'));
        const r = await lib.buildGraph(params.value, deps);
        const t1 = performance.now();
        const written = await lib.graphJson(r.graph);
        const t2 = performance.now();
        lib.graphJsonWhole(r.graph);
        const t3 = performance.now();
        if (i < 0) continue;
        floorRuns.push(floor);
        runs.push(t2 - t0);
        phases.push({ ...r.timings, serialize: t2 - t1, whole: t3 - t2 });
        bytes = written;
        mem = Math.max(mem, process.memoryUsage().rss);
      }
      const f = median(floorRuns);
      const m = median(runs);
      const phase = (k) => median(phases.map((p) => p[k])).toFixed(0);
      console.log(
        `graph ${name}: median ${m.toFixed(0)} ms (floor: fetching the answers ${f.toFixed(0)} ms) — ` +
          `prometheus+walk ${phase('prometheus')} ms, assemble ${phase('assemble')} ms, serialize ${phase('serialize')} ms streamed (${phase('whole')} ms whole) — ` +
          `${(bytes / 1e6).toFixed(1)} MB out, rss ${(mem / 1e6).toFixed(0)} MB`,
      );
    }
    server.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

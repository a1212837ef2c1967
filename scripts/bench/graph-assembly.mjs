// The graph's own cost, without Prometheus (a measurement, not a test): the synthetic mesh of the graph bench
// answered by a loopback server holding Prometheus' JSON ready, so `buildGraph` (read, parse, walk,
// appenders, elements) and the JSON it answers are all that is timed; the floor is fetching the same
// answers. Profile it with `node --cpu-prof scripts/bench.mjs graph-assembly -- --workloads 5000 --edges 15000`
// (`--only polled` for one case: latency=false, polled, raw, rules).
//   node scripts/bench.mjs graph-assembly [-- --workloads 5000 --edges 15000 --runs 5 --only rules]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticMesh } from './graph.mjs';
import { loadGraphLib, loopbackPrometheus } from './lib/graph-fixture.mjs';

function parseArgs(args) {
  const opt = { workloads: 5000, edges: 15000, runs: 5, only: undefined };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--workloads') opt.workloads = Number(args[++i]);
    else if (args[i] === '--edges') opt.edges = Number(args[++i]);
    else if (args[i] === '--runs') opt.runs = Number(args[++i]);
    else if (args[i] === '--only') opt.only = args[++i];
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
    const server = await loopbackPrometheus(lib, mesh, { rules: true });
    const baseUrl = server.url;
    console.log(`answers: ${server.summary}`);
    const prometheus = lib.createPrometheusClient({ baseUrl });
    const fetchText = async (q) => {
      const res = await fetch(`${baseUrl}/api/v1/query`, { method: 'POST', body: `query=${q}` });
      return res.text();
    };
    const T = 1_700_000_000;
    const deps = { prometheus, now: () => T };
    // As `lib/graph/server.ts` has them: the rules found by their probe (cached), latency readings kept.
    const recordedLatency = lib.cachedDetection(async (timeSec) => {
      const r = await prometheus.instant(lib.RULES_PROBE_QUERY, timeSec);
      return r.ok ? lib.rulesPresent(r.value) : undefined;
    });
    const latencyCache = new lib.LatencyCache();
    // [name, the case's key for --only, the query of its i-th build, its deps, the floor's latency read]
    const cases = [
      ['latency=false', 'latency=false', () => 'latency=false', deps, null],
      // A polled graph: the same pinned time again, its latency reading kept (read by the warm-up builds).
      [
        'full, polled (latency reading kept)',
        'polled',
        () => `queryTime=${T}`,
        { ...deps, latencyCache },
        null,
      ],
      ['full (raw buckets)', 'raw', () => '', deps, 'istio_request_duration_milliseconds_bucket "source"'],
      [
        'full, with the rules (1 m below-total buckets read for each build)',
        'rules',
        (i) => `queryTime=${T - 10 - i}`,
        { ...deps, recordedLatency, latencyCache },
        '_below_total',
      ],
    ].filter((c) => opt.only === undefined || c[1] === opt.only);
    for (const [name, , query, caseDeps, latencyRead] of cases) {
      const floorRuns = [];
      const runs = [];
      const phases = [];
      const cpu = [];
      let bytes = 0;
      let mem = 0;
      for (let i = -2; i < opt.runs; i++) {
        let t0 = performance.now();
        await Promise.all([
          fetchText(encodeURIComponent('label_join(rate(istio_requests_total')),
          latencyRead ? fetchText(encodeURIComponent(latencyRead)) : null,
        ]);
        const floor = performance.now() - t0;
        const cpu0 = process.cpuUsage();
        t0 = performance.now();
        const params = lib.parseGraphParams(new URLSearchParams(query(i)));
        const r = await lib.buildGraph(params.value, caseDeps);
        const t1 = performance.now();
        const written = await lib.graphJson(r.graph);
        const t2 = performance.now();
        const used = process.cpuUsage(cpu0);
        lib.graphJsonWhole(r.graph);
        const t3 = performance.now();
        if (i < 0) continue;
        floorRuns.push(floor);
        runs.push(t2 - t0);
        cpu.push((used.user + used.system) / 1000);
        phases.push({ ...r.timings, serialize: t2 - t1, whole: t3 - t2 });
        bytes = written;
        mem = Math.max(mem, process.memoryUsage().rss);
      }
      const f = median(floorRuns);
      const m = median(runs);
      const phase = (k) => median(phases.map((p) => p[k])).toFixed(0);
      console.log(
        `graph ${name}: median ${m.toFixed(0)} ms, CPU ${median(cpu).toFixed(0)} ms (floor: fetching the answers ${f.toFixed(0)} ms) — ` +
          `prometheus+walk ${phase('prometheus')} ms, assemble ${phase('assemble')} ms, serialize ${phase('serialize')} ms streamed (${phase('whole')} ms whole) — ` +
          `${(bytes / 1e6).toFixed(1)} MB out, rss ${(mem / 1e6).toFixed(0)} MB`,
      );
    }
    server.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The graph's own cost, without Prometheus (a measurement, not a test): the synthetic mesh of the graph bench
// answered by a loopback server holding Prometheus' JSON ready, so `buildGraph` (read, parse, walk,
// appenders, elements) and the JSON it answers are all that is timed; the floor is fetching the same
// answers. Profile it with `node --cpu-prof scripts/bench.mjs graph-assembly -- --workloads 5000 --edges 15000`
// (`--only polled` for one case: latency=false, polled, raw, rules; `--only latency=false,polled` for two).
// The rates move from build to build as a live poll's do (`--moving F`: the share of the request series whose
// rate changes each read, 1 by default; 0: the same answer every time, as before): a build must not be measured
// on answers it has seen. `--serve SEC`: only the moving loopback Prometheus, for SEC seconds (its URL printed),
// e.g. for `graph-next-profile --prometheus URL`.
// `--ab NAME=VALUE`: an A/B in one process — builds alternate without and with that environment variable (a
// toggle the code reads per build), each side's figures printed.
// `--heap-sample FILE`: V8's sampling heap profile of the measured builds, objects collected by either GC included
// (what a build allocates, not what it keeps), written to FILE (`.heapprofile`, for DevTools' Memory panel).
//   node scripts/bench.mjs graph-assembly [-- --workloads 5000 --edges 15000 --runs 5 --only rules --moving 0.33
//     --ab NAME=VALUE]
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticMesh } from './graph.mjs';
import { loadGraphLib, loopbackPrometheus } from './lib/graph-fixture.mjs';

function parseArgs(args) {
  const opt = {
    workloads: 5000,
    edges: 15000,
    runs: 5,
    only: undefined,
    moving: 1,
    serve: undefined,
    ab: undefined,
    heapSample: undefined,
  };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--workloads') opt.workloads = Number(args[++i]);
    else if (args[i] === '--edges') opt.edges = Number(args[++i]);
    else if (args[i] === '--runs') opt.runs = Number(args[++i]);
    else if (args[i] === '--only') opt.only = args[++i];
    else if (args[i] === '--moving') opt.moving = Number(args[++i]);
    else if (args[i] === '--serve') opt.serve = Number(args[++i]);
    else if (args[i] === '--ab') opt.ab = args[++i].split('=');
    else if (args[i] === '--heap-sample') opt.heapSample = args[++i];
  }
  return opt;
}

/** Variants of the rates answer kept ready, one served a read in turn (odd: a bench's floor read between builds). */
const RATE_VARIANTS = 5;

/** The reporters the graph reads the rates of one at a time (`graph-reads.ts`: a query each, sent at once). */
const REPORTERS = ['source', 'destination'];

/** The reporter a rates query selects (`reporter="…"`), or undefined: both. */
function reporterOf(query) {
  return REPORTERS.find((r) => query.includes(`reporter="${r}"`));
}

/**
 * A loopback Prometheus in front of `server` whose request-rates answer moves: variant k scales the rate of a
 * `moving` share of the series (picked by a hash of their index) by its own factor; every other read is passed on.
 * A query for one reporter's rates is answered with that reporter's series only (the joined labels start with
 * the reporter), as Prometheus answers it: the graph reads the two reporters' rates as two queries at once.
 */
export async function movingPrometheus(server, moving) {
  const query = 'label_join(rate(istio_requests_total';
  const base = await (
    await fetch(`${server.url}/api/v1/query`, { method: 'POST', body: `query=${encodeURIComponent(query)}` })
  ).json();
  // variants[k]: the whole answer, then each reporter's, by `reporterOf`.
  const variants = [];
  for (let k = 0; k < RATE_VARIANTS; k++) {
    const result = base.data.result.map((s, j) => {
      const moves = moving > 0 && (Math.imul(j + 1, 2654435761) >>> 0) % 1000 < moving * 1000;
      const v = Number(s.value[1]);
      return moves ? { ...s, value: [s.value[0], String(v * (1 + 0.013 * (k + 1) + 0.001 * (j % 7)))] } : s;
    });
    const text = (r) => JSON.stringify({ ...base, data: { ...base.data, result: r } });
    const of = (reporter) => result.filter((s) => Object.values(s.metric)[0]?.startsWith(`${reporter};`));
    variants.push({
      undefined: text(result),
      ...Object.fromEntries(REPORTERS.map((r) => [r, text(of(r))])),
    });
  }
  // Each request's variant: one a build (both reporters' halves of the same variant), in turn.
  let next = 0;
  const served = new Set();
  const front = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const q = new URLSearchParams(body || (req.url ?? '').split('?')[1] || '').get('query') ?? '';
    if (q.includes(query)) {
      const reporter = reporterOf(q);
      if (served.has(reporter)) {
        served.clear();
        next = (next + 1) % RATE_VARIANTS;
      }
      served.add(reporter);
      res.writeHead(200, { 'content-type': 'application/json' }).end(variants[next][reporter]);
      return;
    }
    const r = await fetch(`${server.url}/api/v1/query`, {
      method: 'POST',
      body: `query=${encodeURIComponent(q)}`,
    });
    res.writeHead(r.status, { 'content-type': 'application/json' }).end(await r.text());
  });
  front.listen(0, '127.0.0.1');
  await once(front, 'listening');
  return { url: `http://127.0.0.1:${front.address().port}`, close: () => front.close() };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** CPU ms (user + system) of this process' main thread so far (`/proc`; its other threads are V8's and libuv's). */
function mainThreadMs() {
  const stat = readFileSync(`/proc/${process.pid}/task/${process.pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

export default async function bench(args) {
  const opt = parseArgs(args);
  const dir = mkdtempSync(join(tmpdir(), 'meshlens-bench-graph-assembly-'));
  try {
    const lib = await loadGraphLib(dir);
    const mesh = syntheticMesh(opt.workloads, opt.edges);
    const inner = await loopbackPrometheus(lib, mesh, { rules: true });
    console.log(`answers: ${inner.summary}; rates moving: ${opt.moving} of the series a read`);
    const front = await movingPrometheus(inner, opt.moving);
    const server = {
      url: front.url,
      close: () => {
        front.close();
        inner.close();
      },
    };
    const baseUrl = server.url;
    if (opt.serve !== undefined) {
      console.log(`serving ${baseUrl} for ${opt.serve} s`);
      await new Promise((r) => setTimeout(r, opt.serve * 1000));
      server.close();
      return;
    }
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
    ].filter((c) => opt.only === undefined || opt.only.split(',').includes(c[1]));
    // Each side: its environment variable (unset, or set for the B side of `--ab`) and its figures.
    const sides = [undefined, ...(opt.ab ? [opt.ab] : [])];
    for (const [name, , query, caseDeps, latencyRead] of cases) {
      const figures = sides.map(() => ({
        floorRuns: [],
        runs: [],
        phases: [],
        cpu: [],
        system: [],
        main: [],
        bytes: 0,
        mem: 0,
      }));
      const sampler = opt.heapSample ? new Session() : undefined;
      for (let i = -2 * sides.length; i < opt.runs * sides.length; i++) {
        if (sampler && i === 0) {
          sampler.connect();
          await sampler.post('HeapProfiler.startSampling', {
            samplingInterval: 16384,
            includeObjectsCollectedByMajorGC: true,
            includeObjectsCollectedByMinorGC: true,
          });
        }
        const side = ((i % sides.length) + sides.length) % sides.length;
        if (opt.ab) {
          if (sides[side]) process.env[opt.ab[0]] = opt.ab[1];
          else delete process.env[opt.ab[0]];
        }
        const fig = figures[side];
        let t0 = performance.now();
        await Promise.all([
          ...REPORTERS.map((r) =>
            fetchText(encodeURIComponent(`label_join(rate(istio_requests_total{reporter="${r}"}`)),
          ),
          latencyRead ? fetchText(encodeURIComponent(latencyRead)) : null,
        ]);
        const floor = performance.now() - t0;
        const cpu0 = process.cpuUsage();
        const main0 = mainThreadMs();
        t0 = performance.now();
        const params = lib.parseGraphParams(new URLSearchParams(query(i)));
        // A lease on the build's walk objects, released once its answers are written, as the route does: the
        // next build of the view fills them again (round 18, hR). Not for a case asking a new pinned second each
        // build (`rules`): `SharedBuilds` builds a pinned time asked once without one (round 19, hG).
        const lease = query(i) === query(i + 1) ? new lib.WalkLease() : undefined;
        const reused0 = lib.walkObjectsReused();
        const r = await lib.buildGraph(params.value, { ...caseDeps, lease });
        const reused = lib.walkObjectsReused() - reused0;
        const t1 = performance.now();
        const replays0 = lib.programReplays();
        const full0 = lib.fullElementWrites();
        const walked0 = lib.programReplaysByWalk();
        const scpu0 = process.cpuUsage();
        const written = await lib.graphJson(r.graph);
        const scpu = process.cpuUsage(scpu0);
        const replays = lib.programReplays() - replays0;
        const full = lib.fullElementWrites() - full0;
        const walked = lib.programReplaysByWalk() - walked0;
        const t2 = performance.now();
        const used = process.cpuUsage(cpu0);
        const main = mainThreadMs() - main0;
        lib.graphJsonWhole(r.graph);
        lease?.release();
        const t3 = performance.now();
        if (i < 0) continue;
        fig.floorRuns.push(floor);
        fig.runs.push(t2 - t0);
        fig.cpu.push((used.user + used.system) / 1000);
        fig.system.push(used.system / 1000);
        fig.main.push(main);
        fig.phases.push({
          ...r.timings,
          serialize: t2 - t1,
          serializeCpu: (scpu.user + scpu.system) / 1000,
          whole: t3 - t2,
          replays,
          full,
          walked,
          reused,
        });
        fig.bytes = written;
        fig.mem = Math.max(fig.mem, process.memoryUsage().rss);
      }
      if (sampler) {
        const { profile } = await sampler.post('HeapProfiler.stopSampling');
        writeFileSync(opt.heapSample, JSON.stringify(profile));
        sampler.disconnect();
        console.log(`heap samples of ${opt.runs * sides.length} builds: ${opt.heapSample}`);
      }
      if (globalThis.gc) {
        globalThis.gc();
        const mu = process.memoryUsage();
        console.log(
          `after a full GC (--expose-gc): heap ${(mu.heapUsed / 1e6).toFixed(1)} MB, array buffers ${(mu.arrayBuffers / 1e6).toFixed(1)} MB`,
        );
      }
      const pm = lib.programMemory();
      console.log(
        `write programs kept (all sides): ${pm.programs}, their runs ${(pm.live / 1e6).toFixed(1)} MB live of ${(pm.total / 1e6).toFixed(1)} MB stored`,
      );
      for (let k = 0; k < sides.length; k++) {
        const { floorRuns, runs, phases, cpu, system, main, bytes, mem } = figures[k];
        const f = median(floorRuns);
        const m = median(runs);
        const phase = (key) => median(phases.map((p) => p[key])).toFixed(0);
        const label = opt.ab ? ` [${sides[k] ? sides[k].join('=') : `${opt.ab[0]} unset`}]` : '';
        console.log(
          `graph ${name}${label}: median ${m.toFixed(0)} ms, CPU ${median(cpu).toFixed(0)} ms (system ${median(system).toFixed(0)}, ` +
            `main thread ${median(main).toFixed(0)}; floor: fetching the answers ${f.toFixed(0)} ms) — ` +
            `prometheus+walk ${phase('prometheus')} ms, assemble ${phase('assemble')} ms, serialize ${phase('serialize')} ms streamed (CPU ${phase('serializeCpu')} ms; ${phase('whole')} ms whole) — ` +
            `${(bytes / 1e6).toFixed(1)} MB out, ${phase('replays')} elements by their write programs (${phase('walked')} of the walk before unchecked, ${phase('full')} written in full), walk objects reused ${phase('reused')}, rss ${(mem / 1e6).toFixed(0)} MB` +
            (opt.ab ? `; CPU a build ${cpu.map((c) => c.toFixed(0)).join(', ')}` : ''),
        );
      }
    }
    server.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

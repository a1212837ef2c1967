// A CPU profile of the running Next server on the graph's cold (1 m, 5 m, 2 m: the dense series averaged), polled and `latency=false` requests (a measurement,
// not a test): the built dashboard (`next start --cpu-prof`) reads the loopback Prometheus of `graph-assembly`
// (the same synthetic mesh, with the rules), so the profile holds the route's whole path — the reads through
// undici, the build, the streamed JSON, Next's own wrapping — without Prometheus' variance. Prints each case's
// time, Next's CPU a request (profiled: ~10 % above unprofiled) and where that CPU went, by the source files of
// the stack (through `next build`'s source maps); the profile is kept for DevTools.
// A cold request reads its latency for a pinned second of its own (as the graph bench's cold cases: nothing kept).
// `--prometheus URL --end SEC`: a real Prometheus instead (e.g. one on the graph bench's kept `--data`, whose
// `end` file gives the time), for what the loopback one does not show: answers arriving as Prometheus
// evaluates them, on the same cores.
//   node scripts/bench.mjs graph-next-profile [-- --workloads 5000 --edges 15000 --runs 8 --out DIR
//     --cases cold,cold5m,cold2m,polled,latency=false --prometheus URL --end SEC]
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { syntheticMesh } from './graph.mjs';
import { startDashboard } from './lib/dashboard.mjs';
import { loadGraphLib, loopbackPrometheus } from './lib/graph-fixture.mjs';
import { childrenOf, cpuSecondsOfAll, ROOT } from './lib/processes.mjs';

function parseArgs(args) {
  const opt = {
    workloads: 5000,
    edges: 15000,
    runs: 8,
    out: undefined,
    cases: undefined,
    prometheus: undefined,
    end: undefined,
  };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--workloads') opt.workloads = Number(args[++i]);
    else if (args[i] === '--edges') opt.edges = Number(args[++i]);
    else if (args[i] === '--runs') opt.runs = Number(args[++i]);
    else if (args[i] === '--out') opt.out = resolve(args[++i]);
    else if (args[i] === '--cases') opt.cases = args[++i].split(',');
    else if (args[i] === '--prometheus') opt.prometheus = args[++i];
    else if (args[i] === '--end') opt.end = Number(args[++i]);
  }
  return opt;
}

// Where a window of the profile went, by category of the stack (ms of samples a request).
function breakdown(profile, from, to, requests) {
  const { SourceMapConsumer } = createRequire(join(ROOT, 'package.json'))('source-map-js');
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const maps = new Map();
  const source = ({ url, lineNumber, columnNumber, functionName }) => {
    const file = url.replace('file://', '');
    if (!file.includes('.next/') || !existsSync(`${file}.map`)) return file || functionName;
    if (!maps.has(file))
      maps.set(file, new SourceMapConsumer(JSON.parse(readFileSync(`${file}.map`, 'utf8'))));
    return maps.get(file).originalPositionFor({ line: lineNumber + 1, column: columnNumber }).source ?? file;
  };
  const categories = new Map();
  const categoryOf = (id) => {
    if (categories.has(id)) return categories.get(id);
    const stack = [];
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) stack.push(source(byId.get(cur).callFrame));
    const all = stack.join(' ');
    const own = stack[0];
    const category = own.includes('garbage collector')
      ? 'GC'
      : own.includes('(idle)')
        ? 'idle'
        : all.includes('lib/graph/graph-json.ts')
          ? own.includes('graph-json.ts')
            ? 'JSON.stringify of the elements (graph-json.ts)'
            : 'JSON: TextEncoder, the stream'
          : all.includes('lib/prometheus/')
            ? 'Prometheus client (fetch, read, parse)'
            : all.includes('lib/graph/')
              ? 'graph build (walk, assemble, appenders, elements)'
              : /node_modules\/next\/|\.next\//.test(all)
                ? "Next's own"
                : 'node (http, sockets, undici)';
    categories.set(id, category);
    return category;
  };
  const sums = new Map();
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    if (t < from || t > to) continue;
    const c = categoryOf(profile.samples[i]);
    sums.set(c, (sums.get(c) ?? 0) + profile.timeDeltas[i]);
  }
  return [...sums]
    .sort((a, b) => b[1] - a[1])
    .map(([c, us]) => `${(us / 1000 / requests).toFixed(0).padStart(6)} ms  ${c}`)
    .join('\n');
}

export default async function bench(args) {
  const opt = parseArgs(args);
  const out = opt.out ?? mkdtempSync(join(tmpdir(), 'meshlens-graph-next-profile-'));
  mkdirSync(out, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'meshlens-bench-graph-next-profile-'));
  const windows = [];
  try {
    const server = opt.prometheus
      ? { url: opt.prometheus, close: () => {} }
      : await loopbackPrometheus(await loadGraphLib(dir), syntheticMesh(opt.workloads, opt.edges), {
          rules: true,
        });
    const web = await startDashboard({
      env: { PROMETHEUS_URL: server.url, MESH_CONTROL_URL: 'http://127.0.0.1:1' },
      nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${out}`],
      stopSignal: 'SIGINT',
    });
    // CPU of the server and its children so far, ms.
    const cpuAll = () => cpuSecondsOfAll([web.pid, ...childrenOf(web.pid)]) * 1000;
    const get = async (q) => {
      const res = await fetch(`${web.base}/api/graph?${q}`);
      const text = await res.text();
      return { bytes: text.length, timing: res.headers.get('server-timing') };
    };
    // The profile's clock is the monotonic one (µs), as `process.hrtime` here.
    const clock = () => Number(process.hrtime.bigint() / 1000n);
    const pause = () => new Promise((r) => setTimeout(r, 300));
    try {
      const end = opt.end ?? Math.floor(Date.now() / 1000) - 60;
      const cold = await get(`queryTime=${end}`); // reads the latency the polled graph keeps
      console.log(`cold: ${cold.bytes} bytes; ${cold.timing}`);
      // `q(i)`: the i-th request's query (a pinned second of its own for a cold case; negative: the warm-up).
      const cases = [
        ['cold', (i) => `queryTime=${end - 2 - i}`],
        ['cold5m', (i) => `queryTime=${end - 2 - i}&duration=5m`],
        ['cold2m', (i) => `queryTime=${end - 2 - i}&duration=2m`],
        ['polled', () => `queryTime=${end}`],
        ['latency=false', () => `queryTime=${end}&latency=false`],
      ].filter(([name]) => (opt.cases ?? ['polled', 'latency=false']).includes(name));
      for (const [name, q] of cases) {
        await get(q(-1));
        await get(q(-2));
        await pause();
        const from = clock();
        const cpu0 = cpuAll();
        const t0 = performance.now();
        let timing;
        for (let i = 0; i < opt.runs; i++) timing = (await get(q(i))).timing;
        const ms = (performance.now() - t0) / opt.runs;
        const cpu = (cpuAll() - cpu0) / opt.runs;
        windows.push([name, from, clock()]);
        console.log(
          `${name}: ${ms.toFixed(0)} ms a request, Next's CPU ${cpu.toFixed(0)} ms a request; ${timing}`,
        );
        await pause();
      }
    } finally {
      await web.stop();
      server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // The server's profile (the one with the graph's requests: `next start` forks the server).
  for (const file of readdirSync(out).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(out, file), 'utf8'));
    if (profile.endTime < windows[0][1]) continue;
    console.log(`profile ${join(out, file)}`);
    for (const [name, from, to] of windows) {
      console.log(`-- ${name}, CPU samples a request:\n${breakdown(profile, from, to, opt.runs)}`);
    }
  }
}

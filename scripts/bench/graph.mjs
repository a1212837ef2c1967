// Graph benchmark (a measurement, not a test): a synthetic Istio mesh of 1,000 workloads and 3,000 edges
// (both reporters, Istio's label set and latency buckets) backfilled into a real Prometheus with promtool,
// then: the PromQL floor (the graph's own queries straight to Prometheus), `/api/graph` on `next start`,
// and the time until the graph page has drawn and laid it out in Debian's Chromium.
// Also: frame times while the page pans and zooms, and the Next server's memory (resident, and V8's heap as the
// server sees it, after each case and over repeated polls, with a plateau check); a live graph (no queryTime) on a
// server whose clock is the data's last minute.
// Each API request is also compared with its own reads: the queries Prometheus logged for it, sent straight to
// Prometheus at once (as the graph starts them), timed alone right after. The verdict of each API case against the
// 1.5× target is the median of those per-request ratios (Prometheus' time for the same reads moves ±150 ms minute to
// minute, so only reads of the same moment compare); the named floors (measured at the run's start, after a discarded
// round) and the case's reads sent at once after all its requests are printed beside it, as information. The run ends
// with one line a case: time, paired median ratio and its spread, ratio to its reads at once, verdict.
// The cold cases take --runs requests; the polled and `latency=false` ones (~1 s a request) --polled-runs (9).
//   node scripts/bench.mjs graph [-- --workloads 1000 --edges 3000 --runs 5 --polled-runs 9 --no-rules --no-page --no-api --no-live --polls 15 --data DIR]  (issue 18: --workloads 5000 --edges 15000)
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { ensureDashboardBuild, startDashboard } from './lib/dashboard.mjs';
import { formatMemory, nextMemory, PROBE, plateau } from './lib/next-memory.mjs';
import { formatPaired, pairedVerdict } from './lib/paired-verdict.mjs';
import { prng } from './lib/prng.mjs';
import { childrenOf, cpuSecondsOf, freePort, ROOT, startProcess } from './lib/processes.mjs';

const run = promisify(execFile);
const TARGETS = { apiMs: 500, drawnMs: 3000, floorRatio: 1.5, fps: 30 };
const LES = [
  0.5,
  1,
  5,
  10,
  25,
  50,
  100,
  250,
  500,
  1000,
  2500,
  5000,
  10000,
  30000,
  60000,
  300000,
  600000,
  1800000,
  3600000,
  '+Inf',
];
const INTERVAL_S = 15;
const SCRAPES = 6;
const NAMESPACES = 10;

function parseArgs(args) {
  const opt = {
    workloads: 1000,
    edges: 3000,
    runs: 5,
    polledRuns: 9,
    keep: false,
    rules: true,
    page: true,
    api: true,
    live: true,
    polls: 15,
    data: undefined,
    cases: undefined,
  };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--workloads') opt.workloads = Number(args[++i]);
    else if (args[i] === '--edges') opt.edges = Number(args[++i]);
    else if (args[i] === '--runs') opt.runs = Number(args[++i]);
    // Measured requests of the polled and `latency=false` cases (~1 s a request at 5,000 workloads, against
    // --runs for the cold ones): their verdict is the median of this many pairs.
    else if (args[i] === '--polled-runs') opt.polledRuns = Number(args[++i]);
    // Keep Prometheus and the dashboard up afterwards (to profile by hand) until Ctrl-C.
    else if (args[i] === '--keep') opt.keep = true;
    // Skip the recording-rules half (the backfill takes minutes at 5,000 workloads).
    else if (args[i] === '--no-rules') opt.rules = false;
    // Skip the page half (Chromium loading the graph page; ~2 minutes at 5,000 workloads): the API only.
    else if (args[i] === '--no-page') opt.page = false;
    // Keep the mesh's Prometheus data in DIR and reuse it in the next run of the same size: once the rules are
    // backfilled there, a run goes straight to the rules half (the backfill takes minutes at 5,000 workloads).
    else if (args[i] === '--data') opt.data = args[++i];
    // Skip the pinned API cases (and their floors): the live case, the memory polls and the page only.
    else if (args[i] === '--no-api') opt.api = false;
    // Skip the live case (a server whose clock is the data's last minute, no queryTime).
    else if (args[i] === '--no-live') opt.live = false;
    // Polls of one view after a half's API cases, the Next server's memory sampled after each (plateau check).
    else if (args[i] === '--polls') opt.polls = Number(args[++i]);
    // Only these API cases of the rules half, by key (cold, cold5m, cold2m, polled, latency=false), e.g.
    // `--cases cold,cold5m --polls 0 --no-live` for the cold cases alone (~3 minutes on kept data), run in that order.
    else if (args[i] === '--cases') opt.cases = args[++i].split(',');
  }
  return opt;
}

/** Workloads `app-NNNN-vK` in namespaces `ns-N`; edges between distinct workloads, no duplicates. */
export function syntheticMesh(workloads, edgeCount) {
  const rand = prng(42);
  const wl = Array.from({ length: workloads }, (_, i) => {
    const app = `app-${String(Math.floor(i / 2)).padStart(4, '0')}`;
    return { ns: `ns-${i % NAMESPACES}`, app, version: `v${(i % 2) + 1}`, name: `${app}-v${(i % 2) + 1}` };
  });
  const edges = new Map();
  while (edges.size < edgeCount) {
    const from = wl[Math.floor(rand() * workloads)];
    const to = wl[Math.floor(rand() * workloads)];
    if (from.app === to.app) continue;
    const key = `${from.name}>${to.name}`;
    if (!edges.has(key))
      edges.set(key, { from, to, rps: 0.1 + rand() * 20, errors: rand() < 0.05 ? 0.05 + rand() * 0.2 : 0 });
  }
  return { workloads: wl, edges: [...edges.values()] };
}

function labelObject(reporter, from, to, code, flags) {
  const host = `${to.app}.${to.ns}.svc.cluster.local`;
  return {
    reporter,
    source_workload: from.name,
    source_workload_namespace: from.ns,
    source_principal: `spiffe://cluster.local/ns/${from.ns}/sa/${from.app}`,
    source_app: from.app,
    source_version: from.version,
    source_canonical_service: from.app,
    source_canonical_revision: from.version,
    source_cluster: 'Kubernetes',
    destination_workload: to.name,
    destination_workload_namespace: to.ns,
    destination_principal: `spiffe://cluster.local/ns/${to.ns}/sa/${to.app}`,
    destination_app: to.app,
    destination_version: to.version,
    destination_service: host,
    destination_service_name: to.app,
    destination_service_namespace: to.ns,
    destination_canonical_service: to.app,
    destination_canonical_revision: to.version,
    destination_cluster: 'Kubernetes',
    request_protocol: 'http',
    response_code: code,
    grpc_response_status: '',
    response_flags: flags,
    connection_security_policy: reporter === 'source' ? 'unknown' : 'mutual_tls',
  };
}

function labels(reporter, from, to, code, flags) {
  return Object.entries(labelObject(reporter, from, to, code, flags))
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
}

/**
 * The mesh as Prometheus would answer the graph's two big reads at one instant: the request rates with
 * their labels joined (`requestLabels`, `;`), and the source-reported 2xx latency bucket rates by
 * `edgeLabels` and `le` (the graph-assembly bench serves these without a Prometheus).
 */
export function syntheticSamples(mesh, requestLabels, edgeLabels) {
  const requests = [];
  const buckets = [];
  const t = 1_700_000_000;
  for (const e of mesh.edges) {
    for (const reporter of ['source', 'destination']) {
      const series = [['200', '-', e.rps * (1 - e.errors)]];
      if (e.errors > 0) series.push(['503', reporter === 'source' ? 'URX' : '-', e.rps * e.errors]);
      for (const [code, flags, rps] of series) {
        const l = labelObject(reporter, e.from, e.to, code, flags);
        requests.push({
          metric: { request: requestLabels.map((k) => l[k] ?? '').join(';') },
          value: [t, String(rps)],
        });
      }
      if (reporter !== 'source') continue;
      const l = labelObject(reporter, e.from, e.to, '200', '-');
      const metric = Object.fromEntries(edgeLabels.map((k) => [k, l[k]]));
      for (let b = 0; b < LES.length; b++) {
        const v = e.rps * (1 - e.errors) * SHAPE[b];
        buckets.push({ metric: { ...metric, le: String(LES[b]) }, value: [t, String(v)] });
      }
    }
  }
  return { requests, buckets };
}

/** Cumulative share of requests at or under each bucket bound: most within 5–250 ms, a tail to 2.5 s. */
const SHAPE = [0, 0, 0.02, 0.1, 0.3, 0.55, 0.8, 0.93, 0.97, 0.99, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1];

/** Writes the mesh as OpenMetrics: SCRAPES scrapes ending at `end`, counters growing at their rate. */
export async function writeOpenMetrics(file, mesh, end) {
  const out = createWriteStream(file);
  const write = async (s) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  const times = Array.from({ length: SCRAPES }, (_, i) => end - (SCRAPES - 1 - i) * INTERVAL_S);
  const counter = async (name, lbl, rps) => {
    let chunk = '';
    for (let i = 0; i < times.length; i++)
      chunk += `${name}{${lbl}} ${(rps * INTERVAL_S * (i + 10)).toFixed(3)} ${times[i]}\n`;
    await write(chunk);
  };
  // OpenMetrics wants each family's samples together.
  for (const e of mesh.edges) {
    for (const reporter of ['source', 'destination']) {
      await counter(
        'istio_requests_total',
        labels(reporter, e.from, e.to, '200', '-'),
        e.rps * (1 - e.errors),
      );
      if (e.errors > 0)
        await counter(
          'istio_requests_total',
          labels(reporter, e.from, e.to, '503', reporter === 'source' ? 'URX' : '-'),
          e.rps * e.errors,
        );
    }
  }
  for (const e of mesh.edges) {
    for (const reporter of ['source', 'destination']) {
      const base = labels(reporter, e.from, e.to, '200', '-');
      for (let b = 0; b < LES.length; b++) {
        await counter(
          'istio_request_duration_milliseconds_bucket',
          `${base},le="${LES[b]}"`,
          e.rps * (1 - e.errors) * SHAPE[b],
        );
      }
    }
  }
  await write('# EOF\n');
  out.end();
  await once(out, 'finish');
}

async function timed(fn) {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

function stats(ms) {
  const s = [...ms].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
}

const mark = (ok) => (ok ? 'PASS' : 'MISS');

/** Resident and peak resident memory (MB) of a process and its children (`next start` runs `next-server`). */
function memoryOf(pids) {
  let rss = 0;
  let peak = 0;
  for (const pid of pids) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      rss += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
      peak += Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    } catch {
      // exited
    }
  }
  return `${rss.toFixed(0)} MB resident, ${peak.toFixed(0)} MB at its peak`;
}

/**
 * When the page's full graph (the one with latency, asked once drawn) has arrived and the page is idle again
 * (its work on that answer done: parsed, the canvas updated), so that the next load does not start behind it on
 * the browser's main thread: a navigation waits for the page it leaves, whose layout of every node held the
 * next load's first graph request until ~2.4 s from navigation. Never rejects.
 */
export function fullGraphSettled(page) {
  return page
    .waitForResponse((r) => r.url().includes('/api/graph?') && !r.url().includes('latency=false'), {
      timeout: 120_000,
    })
    .then((r) => r.finished())
    .then(() =>
      page.evaluate(
        () =>
          new Promise((r) =>
            requestAnimationFrame(() =>
              requestAnimationFrame(() => requestIdleCallback(() => r(), { timeout: 10_000 })),
            ),
          ),
      ),
    )
    .catch(() => {});
}

/**
 * Frame times while the view pans, then zooms, one step a frame from requestAnimationFrame (what a drag
 * or a wheel does): the median and 95th percentile frame time and the frames per second they make.
 */
/**
 * In the page: the page's first byte, when the first graph's request (`latency=false`) was sent — by the
 * page's preload (`link`) or its script (`fetch`) — its answer's first and last byte (ms from the navigation's
 * start), and the route's Server-Timing; undefined fields when the page sent none (its graph was in the HTML).
 */
export function firstGraphTimeline() {
  const nav = performance.getEntriesByType('navigation')[0];
  const a = performance
    .getEntriesByType('resource')
    .find((e) => e.name.includes('/api/graph?') && e.name.includes('latency=false'));
  return {
    html: nav?.responseStart,
    sent: a?.startTime,
    by: a?.initiatorType,
    first: a?.responseStart,
    last: a?.responseEnd,
    timing: a?.serverTiming.map((x) => `${x.name} ${Math.round(x.duration)}`).join(', '),
  };
}

export async function frameTimes(page, frames = 90) {
  return page.evaluate(async (n) => {
    const cy = window.__meshlensCy;
    if (!cy) return undefined;
    const times = [];
    let last = performance.now();
    const center = { x: cy.width() / 2, y: cy.height() / 2 };
    await new Promise((resolve) => {
      let i = 0;
      const step = (now) => {
        times.push(now - last);
        last = now;
        if (i < n) cy.panBy({ x: 6, y: 4 });
        else cy.zoom({ level: cy.zoom() * (i < n * 1.5 ? 1.02 : 0.98), renderedPosition: center });
        if (++i < n * 2) requestAnimationFrame(step);
        else resolve();
      };
      requestAnimationFrame(step);
    });
    times.shift();
    const s = [...times].sort((a, b) => a - b);
    return { median: s[Math.floor(s.length / 2)], p95: s[Math.floor(s.length * 0.95)], frames: s.length };
  }, frames);
}

export default async function bench(args) {
  const opt = parseArgs(args);
  const dir = mkdtempSync(join(tmpdir(), 'meshlens-bench-graph-'));
  // Prometheus' data: in `dir` (removed at the end), or kept in --data's directory for the next run.
  const data = opt.data ?? dir;
  const size = `${opt.workloads}/${opt.edges}`;
  const kept = (name) => existsSync(join(data, name)) && readFileSync(join(data, name), 'utf8');
  const reused = opt.data !== undefined && kept('mesh') === size;
  const rulesLoaded = reused && existsSync(join(data, 'rules-loaded'));
  const stops = [];
  // Each API case's verdict (`measureApi`), one line a case at the end of the run.
  const verdicts = [];
  const printVerdicts = () => {
    if (verdicts.length === 0) return;
    console.log(
      `verdict of each API case: ≤ ${TARGETS.floorRatio}× its own reads, each request against its reads sent straight to ` +
        'Prometheus at once right after it, the median of the pairs (the named floors are information only; its reads at ' +
        'once after the case, beside it, are of a later moment):',
    );
    for (const v of verdicts)
      console.log(
        `  ${v.name}: ${v.ms.toFixed(0)} ms; paired ${formatPaired(v.paired, TARGETS.floorRatio)}; ` +
          `its reads at once ${v.atOnce.toFixed(2)}×: ${mark(v.paired.ok)}`,
      );
  };
  try {
    const mesh = syntheticMesh(opt.workloads, opt.edges);
    let t;
    const end = reused ? Number(kept('end')) : Math.floor(Date.now() / 1000 / 60) * 60 - 600;
    if (reused)
      console.log(
        `reusing ${data}: the mesh's data ending at ${end}${rulesLoaded ? ', with the rules' : ''}`,
      );
    else {
      if (opt.data !== undefined) {
        rmSync(data, { recursive: true, force: true });
        mkdirSync(data, { recursive: true });
      }
      t = await timed(() => writeOpenMetrics(join(dir, 'mesh.om'), mesh, end));
      console.log(
        `synthetic mesh: ${opt.workloads} workloads, ${mesh.edges.length} edges, ${SCRAPES} scrapes written in ${(t.ms / 1000).toFixed(1)} s`,
      );
      t = await timed(() =>
        run(
          'promtool',
          ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'mesh.om'), join(data, 'tsdb')],
          {
            maxBuffer: 64 * 1024 * 1024,
          },
        ),
      );
      rmSync(join(dir, 'mesh.om'));
      console.log(`promtool backfill: ${(t.ms / 1000).toFixed(1)} s`);
      writeFileSync(join(data, 'end'), String(end));
      writeFileSync(join(data, 'mesh'), size);
    }

    // Prometheus logs every query with its own timings (`query_log_file`): the floor of a graph request is the
    // reads that request sent, found there (see `issuedFloor`).
    const queryLog = join(dir, 'queries.log');
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 15s\n  query_log_file: ${queryLog}\nscrape_configs: []\n`,
    );
    const promPort = await freePort();
    const startProm = () =>
      startProcess(
        'prometheus',
        [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(data, 'tsdb')}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
          '--storage.tsdb.retention.time=100y',
        ],
        { ready: /Server is ready to receive web requests/, timeoutMs: 120_000 },
      );
    let prom = await startProm();
    let promStarted = performance.now();
    stops.push(() => prom.stop());
    const promUrl = `http://127.0.0.1:${promPort}`;
    // A just-started Prometheus compacts the blocks it was given (the rules' blocks overlap the mesh's) from
    // about a minute after its start, for a minute or more at 5,000 workloads, on the cores the reads need:
    // measured then, a read or a graph costs more than on a Prometheus that has been up. So every measure
    // starts once it has been up 75 s and idle for 2 s (at most 4 minutes of waiting).
    const settle = async () => {
      const t0 = performance.now();
      const cpu0 = cpuSecondsOf(prom.pid);
      for (;;) {
        const before = cpuSecondsOf(prom.pid);
        await new Promise((r) => setTimeout(r, 2000));
        const busy = (cpuSecondsOf(prom.pid) - before) / 2;
        if ((performance.now() - promStarted >= 75_000 && busy < 0.05) || performance.now() - t0 > 240_000)
          break;
      }
      const compactions = prom.output().match(/compact/gi)?.length ?? 0;
      console.log(
        `Prometheus settled: waited ${((performance.now() - t0) / 1000).toFixed(0)} s, its CPU meanwhile ` +
          `${(cpuSecondsOf(prom.pid) - cpu0).toFixed(1)} s (its log mentions compaction ${compactions} times)`,
      );
    };

    // The floor: the graph's own two queries, straight to Prometheus.
    // …built from the dashboard's own PromQL module, so the floor measures exactly what the API sends.
    await build({
      entryPoints: [join(ROOT, 'lib/graph/promql.ts'), join(ROOT, 'lib/graph/recording-rules.ts')],
      bundle: true,
      format: 'esm',
      platform: 'node',
      outdir: dir,
      outExtension: { '.js': '.mjs' },
      // `yaml` is CommonJS and requires Node built-ins: give the ESM bundle a `require`.
      banner: {
        js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
      logLevel: 'error',
    });
    const { joinedRequestRateQuery, rawLatencyQueries, reporterSelections } = await import(
      pathToFileURL(join(dir, 'promql.mjs')).href
    );
    const { recordingRuleStages, recordedLatencyQueries, belowTotalLatencyQueries } = await import(
      pathToFileURL(join(dir, 'recording-rules.mjs')).href
    );
    const sel = reporterSelections([]);
    // The request rates as the graph reads them (graph-reads.ts): each reporter's joined series, two queries at once
    // (Prometheus evaluates a query on one core). The one query of both took ~800 ms where these took ~500 (hB,
    // 5,000 workloads): a floor of that one query put polled at 0.98× in round 17.
    const RATES_FLOOR = "request rates by edge (labels joined, each reporter's sent at once)";
    const ratesByReporter = [
      joinedRequestRateQuery(sel.source, '60s'),
      joinedRequestRateQuery(sel.destination, '60s'),
    ];
    const promQuery = async (q, time = end) => {
      const res = await fetch(`${promUrl}/api/v1/query`, {
        method: 'POST',
        // Uncompressed, as the dashboard reads a Prometheus on loopback (lib/prometheus/client.ts): fetch asks for
        // gzip by default, and Prometheus compressing 85 MB would make the floor slower than the reads it stands for.
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-encoding': 'identity' },
        body: new URLSearchParams({ query: q, time: String(time) }),
      });
      const body = await res.text();
      if (!res.ok) throw new Error(`prometheus ${res.status}: ${body.slice(0, 200)}`);
      return body.length;
    };
    // The named floors, information beside each case (its verdict is from its paired reads, see `measureApi`).
    // Each is one query, or several sent at once (`[q1, q2]`: the rates by reporter, as the graph reads them).
    // A discarded round of every one first: the first reads of a just-settled Prometheus are slower and more
    // scattered (hB, 19:22 UTC: the rates by reporter 674–1,179 ms in the first four rounds, 480–550 ms after).
    const floor = async (queries) => {
      const out = {};
      const send = (q) =>
        Array.isArray(q)
          ? Promise.all(q.map((x) => promQuery(x))).then((b) => b.reduce((a, x) => a + x, 0))
          : promQuery(q);
      const warm = [];
      for (const [, q] of queries) warm.push((await timed(() => send(q))).ms);
      console.log(`floor  warm-up round, discarded: ${warm.map((ms) => ms.toFixed(0)).join(', ')} ms`);
      for (const [name, q] of queries) {
        await send(q);
        const runs = [];
        let bytes = 0;
        for (let i = 0; i < opt.runs; i++) {
          const r = await timed(() => send(q));
          runs.push(r.ms);
          bytes = r.value;
        }
        const s = stats(runs);
        out[name] = s.median;
        console.log(
          `floor  ${name}: median ${s.median.toFixed(0)} ms, max ${s.max.toFixed(0)} ms (${(bytes / 1e6).toFixed(1)} MB)`,
        );
      }
      return out;
    };
    // With the rules already in a reused data directory, the half without them cannot be measured: skipped.
    if (!rulesLoaded) await settle();
    const floorMs = rulesLoaded
      ? {}
      : await floor([
          [RATES_FLOOR, ratesByReporter],
          ['latency buckets by edge (2xx, source-reported)', rawLatencyQueries(sel, '60s').source],
          [
            'p95 by edge (histogram_quantile in Prometheus)',
            `histogram_quantile(0.95, sum by (le, source_workload_namespace, source_workload, destination_service, destination_workload) (rate(istio_request_duration_milliseconds_bucket{reporter="source",response_code=~"2.."}[60s])))`,
          ],
        ]);
    const ratio = (ms, floorName) => `${(ms / floorMs[floorName]).toFixed(2)}× the ${floorName} floor`;

    await ensureDashboardBuild();
    // Each server loads `next-probe.cjs` (its memory as V8 sees it, asked over a socket in its own directory);
    // `clockStartS`: the server's clock starts at that time (the live case: the data's last minute is "now").
    const startWeb = async ({ clockStartS } = {}) => {
      const probeDir = mkdtempSync(join(dir, 'probe-'));
      const web = await startDashboard({
        nodeArgs: ['--require', PROBE],
        // MESHLENS_TEST_HOOKS: the page exposes `window.__meshlensCy`, which the benchmark counts nodes on.
        env: {
          PROMETHEUS_URL: promUrl,
          MESH_CONTROL_URL: 'http://127.0.0.1:1',
          MESHLENS_TEST_HOOKS: '1',
          MESHLENS_BENCH_PROBE_DIR: probeDir,
          ...(clockStartS === undefined ? {} : { MESHLENS_BENCH_CLOCK_START_S: String(clockStartS) }),
        },
      });
      const pids = () => [web.pid, ...childrenOf(web.pid)];
      // The OS' view (resident and its peak, every process) and V8's (heap used and total, external).
      const memory = async () => `${memoryOf(pids())}; ${formatMemory(await nextMemory(probeDir))}`;
      const probe = (command) => nextMemory(probeDir, command);
      return { web: { stop: () => web.stop(), memory, probe, pid: web.pid }, base: web.base };
    };
    let { web, base } = await startWeb();
    stops.push(() => web.stop());

    // The API's time is until its whole answer has arrived (as curl's time_total); parsing the 3.8 MB of
    // JSON is the client's own cost (~40 ms here), done after the clock stops.
    // The answer's text and its Server-Timing phases (ms by name).
    const fetchGraph = async (query) => {
      const res = await fetch(`${base}/api/graph?${query}`);
      const text = await res.text();
      if (!res.ok) throw new Error(`/api/graph ${res.status}: ${text.slice(0, 200)}`);
      const phases = {};
      for (const m of (res.headers.get('server-timing') ?? '').matchAll(/([\w-]+);dur=([\d.]+)/g))
        phases[m[1]] = Number(m[2]);
      return { text, phases };
    };
    const getGraph = async (query) => JSON.parse((await fetchGraph(query)).text);
    // CPU seconds so far of Prometheus, and of the Next server (`next start` and its `next-server`).
    const promCpu = () => cpuSecondsOf(prom.pid);
    const nextCpu = () => [web.pid, ...childrenOf(web.pid)].reduce((sum, pid) => sum + cpuSecondsOf(pid), 0);
    // The queries Prometheus logged since `from` (bytes into its query log): each one's PromQL, time and
    // Prometheus' own evaluation time (`evalTotalTime`, without writing the answer).
    const loggedQueries = (from) =>
      readFileSync(queryLog, 'utf8')
        .slice(from)
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line))
        .filter((e) => typeof e.params?.query === 'string' && (e.params.step ?? 0) === 0)
        .map((e) => ({
          query: e.params.query,
          time: Date.parse(e.params.end) / 1000,
          evalMs: (e.stats?.timings?.evalTotalTime ?? 0) * 1000,
          // When Prometheus took the query (ms since the epoch): logged when it finished, less its whole time.
          startedMs: Date.parse(e.ts) - (e.stats?.timings?.execTotalTime ?? 0) * 1000,
        }));
    const logSize = () => (existsSync(queryLog) ? readFileSync(queryLog).length : 0);
    // The floor of one graph request as it was sent: every read it made, sent straight to Prometheus at once
    // (as the graph starts them), timed until the last answer is in. Its median over `runs`.
    const issuedFloor = async (queries, runs) => {
      const all = () => Promise.all(queries.map((q) => promQuery(q.query, q.time)));
      await all();
      const ms = [];
      let bytes = 0;
      const cpu0 = promCpu();
      const from = logSize();
      for (let i = 0; i < runs; i++) {
        const r = await timed(all);
        ms.push(r.ms);
        bytes = r.value.reduce((a, b) => a + b, 0);
      }
      return {
        ...stats(ms),
        bytes,
        promCpuMs: ((promCpu() - cpu0) * 1000) / runs,
        evals: loggedQueries(from),
      };
    };
    // Until Prometheus' CPU is idle (under 10 % of a core for 500 ms), at most `maxMs`: a read a request gave up on
    // is logged only when it ends.
    const prometheusIdle = async (maxMs) => {
      for (let waited = 0; waited < maxMs; waited += 500) {
        const before = promCpu();
        await new Promise((r) => setTimeout(r, 500));
        if (promCpu() - before < 0.05) break;
      }
    };
    // What Prometheus' CPU does while nobody asks it anything (background work: compaction of fresh blocks).
    const idlePrometheus = async (ms = 3000) => {
      const cpu0 = promCpu();
      await new Promise((r) => setTimeout(r, ms));
      return `${((((promCpu() - cpu0) * 1000) / ms) * 100).toFixed(0)} % of a core`;
    };
    const evalSummary = (evals, runs) => {
      const byQuery = new Map();
      for (const e of evals) byQuery.set(e.query, [...(byQuery.get(e.query) ?? []), e.evalMs]);
      return [...byQuery.values()]
        .map((ms) => ms.reduce((a, b) => a + b, 0) / runs)
        .sort((a, b) => b - a)
        .slice(0, 3)
        .map((ms) => ms.toFixed(0))
        .join(', ');
    };
    // Each case: `name`; `query(i)` gives the i-th request's query: the same each time for a repeated view, a
    // different pinned second each time for a cold one (the dashboard keeps latency readings per view and time);
    // `floor`: the named floor printed beside it (information); `runs`: its measured requests (--runs, or
    // --polled-runs for the cheap repeated views); `pace`: waited for before each request (the live case: the next
    // refresh period).
    const measureApi = async (label, cases) => {
      for (const {
        key,
        name,
        query,
        floor: floorName,
        runs: count = opt.runs,
        pace = async () => {},
      } of cases) {
        console.log(`       Prometheus idle before ${name}${label}: ${await idlePrometheus()}`);
        // Warm-up, not counted: a just-started server compiles its hot paths and sizes its heap over its
        // first requests (the first few take 1.5–2× the later ones), and a serving dashboard has long done
        // that. "Cold" here is about the latency reading (read for the request, nothing kept), not about a
        // fresh process.
        await pace();
        const first = await getGraph(query(-1));
        for (let i = 2; i <= 5; i++) {
          await pace();
          await getGraph(query(-i));
        }
        const runs = [];
        const paired = [];
        // Prometheus' CPU in the requests' windows (until it is idle after each), without the paired reads'.
        let promOfRequests = 0;
        // Each measured request's wall-clock window: its reads are the queries Prometheus took within it.
        const windows = [];
        const phases = {};
        let unavailable = 0;
        const cpu0 = { next: nextCpu(), log: logSize() };
        for (let i = 0; i < count; i++) {
          await pace();
          const prom0 = promCpu();
          const from = Date.now();
          const r = await timed(() => fetchGraph(query(i)));
          windows.push([from, Date.now()]);
          runs.push(r.ms);
          for (const [k, v] of Object.entries(r.value.phases)) phases[k] = [...(phases[k] ?? []), v];
          const graph = JSON.parse(r.value.text);
          if (graph.warnings?.some((w) => w.code === 'latency_unavailable')) unavailable++;
          // Paired: this request's own reads sent at once right after it (once Prometheus is idle again), so that
          // the request and its reads meet the same Prometheus: its time for the same read moves ±25 % within a
          // minute, and a floor taken after all the requests compares two medians of different moments.
          await prometheusIdle(5_000);
          promOfRequests += promCpu() - prom0;
          const own = loggedQueries(cpu0.log).filter(
            (e) => e.startedMs >= from - 5 && e.startedMs <= windows[i][1],
          );
          const at = await timed(() => Promise.all(own.map((q) => promQuery(q.query, q.time))));
          paired.push({ request: r.ms, reads: at.ms });
        }
        const cpu = {
          prom: (promOfRequests * 1000) / count,
          next: ((nextCpu() - cpu0.next) * 1000) / count,
          evals: loggedQueries(cpu0.log).filter((e) =>
            windows.some(([a, b]) => e.startedMs >= a - 5 && e.startedMs <= b),
          ),
        };
        // This case's issued floor: the reads of its median request, as Prometheus logged them — each query
        // given to the request it started in (a read an earlier request gave up on, which Prometheus finishes and
        // logs seconds later, or a warm-up's, is not this request's; one this request gave up on still is).
        // Read once Prometheus is idle (at most 30 s): a read the request gave up on is logged when it ends.
        await prometheusIdle(30_000);
        const median = runs.indexOf([...runs].sort((a, b) => a - b)[Math.floor((runs.length - 1) / 2)]);
        const [mFrom, mTo] = windows[median];
        const issued = loggedQueries(cpu0.log).filter((e) => e.startedMs >= mFrom - 5 && e.startedMs <= mTo);
        const s = stats(runs);
        const f = await issuedFloor(issued, count);
        // The named floor is information only: measured at the run's start, on a Prometheus of another moment.
        console.log(
          `api    /api/graph ${name}${label}: median ${s.median.toFixed(0)} ms, max ${s.max.toFixed(0)} ms of ${count} ` +
            `(${ratio(s.median, floorName)} measured at the run's start, information) — ` +
            `${first.elements.nodes.length} nodes, ${first.elements.edges.length} edges — target ≤ ${TARGETS.apiMs} ms: ${mark(s.median <= TARGETS.apiMs)}`,
        );
        if (unavailable > 0)
          console.log(
            `       latency unavailable (the read failed or timed out) in ${unavailable} of ${count} answers`,
          );
        console.log(
          `       its reads at once after the case (${issued.length} queries, ${(f.bytes / 1e6).toFixed(1)} MB): median ${f.median.toFixed(0)} ms, ` +
            `max ${f.max.toFixed(0)} ms — the request ${(s.median / f.median).toFixed(2)}× that`,
        );
        // The verdict: each request against its own reads, sent at once right after it (the same Prometheus).
        const v = pairedVerdict(paired, TARGETS.floorRatio);
        console.log(
          `       paired, each request against its own reads sent at once right after it: median ratio ${formatPaired(v, TARGETS.floorRatio)} — ` +
            `target ≤ ${TARGETS.floorRatio}×: ${mark(v.ok)} (ratios ${v.ratios.map((x) => x.toFixed(2)).join(', ')}; ` +
            `the reads ${paired.map((p) => p.reads.toFixed(0)).join(', ')} ms)`,
        );
        verdicts.push({ name: `${key}${label}`, ms: s.median, paired: v, atOnce: s.median / f.median });
        console.log(
          `       CPU a request: Next ${cpu.next.toFixed(0)} ms, Prometheus ${cpu.prom.toFixed(0)} ms (its reads alone: ${f.promCpuMs.toFixed(0)} ms); ` +
            `Prometheus' evaluation of the largest reads ${evalSummary(cpu.evals, count)} ms (alone: ${evalSummary(f.evals, count)} ms); ` +
            `Server-Timing medians ${Object.entries(phases)
              .map(([k, v]) => `${k} ${stats(v).median.toFixed(0)}`)
              .join(', ')} ms`,
        );
        // What the cores allow: the request's CPU (Prometheus' for its reads, Next's) spread over every core with
        // nothing idle. Prometheus keeps both cores busy while it answers, so Next's CPU cannot hide under the reads:
        // a request whose bound is above the target cannot meet it by overlapping work, only by spending less.
        const cores = availableParallelism();
        const leastMs = Math.max(f.median, (f.promCpuMs + cpu.next) / cores);
        console.log(
          `       least time ${cores} cores allow for that CPU: ${leastMs.toFixed(0)} ms (${(leastMs / f.median).toFixed(2)}× its reads at once); ` +
            `Next's CPU at ${TARGETS.floorRatio}× would have to be ≤ ${Math.max(0, TARGETS.floorRatio * f.median * cores - f.promCpuMs).toFixed(0)} ms`,
        );
        console.log(`       Next server memory after the case: ${await memoryAfterGc()}`);
      }
    };
    // The server's memory as it is, then what its heap holds after a full GC (the rest was garbage).
    const memoryAfterGc = async () => {
      const before = await web.memory();
      const after = await web.probe('gc');
      return `${before}; after a full GC: heap used ${after.heapUsed.toFixed(0)} MB, resident ${after.rss.toFixed(0)} MB`;
    };
    // `polls` requests of one view, the server's memory sampled after each (its heap after a full GC, and its
    // resident size): is it bounded, or still growing at the end? `until`: stop early once it says so.
    const memoryPolls = async (name, query, { until = () => false, pace = async () => {} } = {}) => {
      const heap = [];
      const rss = [];
      const ms = [];
      for (let i = 0; i < opt.polls; i++) {
        await pace();
        if (until()) break;
        const r = await timed(() => fetchGraph(query(i)));
        ms.push(r.ms);
        const m = await web.probe('gc');
        heap.push(m.heapUsed);
        rss.push(m.rss);
      }
      if (ms.length === 0) {
        console.log(`next   memory over polls of ${name}: none sent (out of the data's time)`);
        return;
      }
      const h = plateau(heap);
      const r = plateau(rss);
      console.log(
        `next   memory over ${heap.length} polls of ${name} (median ${stats(ms).median.toFixed(0)} ms a poll): ` +
          `heap used after a full GC ${heap.map((x) => x.toFixed(0)).join(' ')} MB — plateau: ${h.text}: ${h.ok ? 'bounded' : 'STILL GROWING'}; ` +
          `resident ${rss.map((x) => x.toFixed(0)).join(' ')} MB — plateau: ${r.text}: ${r.ok ? 'bounded' : 'STILL GROWING'}`,
      );
    };
    const FULL_COLD = {
      key: 'cold',
      name: 'full (rates, codes, p50/p95/p99), cold: latency read for each request',
      query: (i) => `queryTime=${end - 2 - i}`,
      floor: 'latency buckets by edge (2xx, source-reported)',
    };
    // The polled cases are cheap (~1 s a request at 5,000 workloads): --polled-runs pairs each.
    const POLLED = {
      key: 'polled',
      name: 'full, the same view again (latency reading kept, rates read again)',
      query: () => `queryTime=${end}`,
      floor: RATES_FLOOR,
      runs: opt.polledRuns,
    };
    const NO_LATENCY = {
      key: 'latency=false',
      name: 'topology and rates (latency=false)',
      query: () => `queryTime=${end}&latency=false`,
      floor: RATES_FLOOR,
      runs: opt.polledRuns,
    };
    const load = () =>
      `load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`;
    // A live graph (no queryTime), polled as the page polls it: on a server of its own whose clock starts
    // LIVE_CLOCK_S before the data's last scrape, so "now" is in the data's last minute while the case runs (the
    // rates read over 1 m are there until ~45 s past the last scrape: the polls stop by then). Live graphs are
    // built once per refresh period (`MESHLENS_GRAPH_REFRESH_S`, 5 s; every request within one shares its build),
    // so each request here is sent just after a period starts, as a page polling every 5 s: each is a build —
    // the rates read afresh; latency waited for at most 5 s, else answered without it while the read goes on,
    // then kept and refreshed in the background once older than 15 s. The data's counters grow steadily, so its
    // rates do not move from poll to poll: a live mesh's would.
    // (The backfilled rules' below-total series begin a few evaluations after the data's first scrape: a live
    // graph earlier than 40 s before its end reads the dense recorded series instead, a backfill's edge.)
    const LIVE_CLOCK_S = 40;
    const LIVE_PERIOD_S = 5;
    const measureLive = async (label) => {
      await web.stop();
      ({ web, base } = await startWeb({ clockStartS: end - LIVE_CLOCK_S }));
      const { clockShiftMs } = await web.probe('memory');
      const serverNow = () => (Date.now() + clockShiftMs) / 1000;
      // Until 0.3 s into the server's next refresh period.
      const pace = async () => {
        const next = (Math.floor(serverNow() / LIVE_PERIOD_S) + 1) * LIVE_PERIOD_S + 0.3;
        await new Promise((r) => setTimeout(r, Math.max(0, (next - serverNow()) * 1000)));
      };
      await measureApi(label, [
        {
          key: 'live',
          name: 'live (no queryTime), one request a refresh period (5 s), as the page polls',
          query: () => 'duration=1m',
          floor: RATES_FLOOR,
          pace,
        },
      ]);
      await memoryPolls(`the live graph${label}, one a refresh period`, () => 'duration=1m', {
        until: () => serverNow() > end + 40,
        pace,
      });
      console.log(
        `       the server's clock at the end: ${(serverNow() - end).toFixed(0)} s after the data's last scrape`,
      );
      await web.stop();
      ({ web, base } = await startWeb());
    };
    if (!rulesLoaded && opt.api) {
      console.log(load());
      await measureApi('', [FULL_COLD, POLLED, NO_LATENCY]);
      console.log(`next   server memory after the API requests: ${await web.memory()}; ${load()}`);
      await memoryPolls('the same view (polled)', POLLED.query);
    }

    // The page half (Chromium: ~2 minutes at 5,000 workloads), unless --no-page: on the data without the rules,
    // or, for a data directory that has them already (that half is skipped then), after the API with the rules.
    // (It ran only in the half without the rules: a `--data DIR` with the rules in it measured the API alone.)
    const measurePage = async () => {
      const { chromium } = await import('playwright-core');
      const browser = await chromium.launch({
        executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
        // Ctrl-C is ours (--keep waits for it, then stops everything); Playwright's own handler exits at once.
        handleSIGINT: false,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      stops.push(() => browser.close());
      const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
      // Two views: the page as it opens (`group` auto: past 5,000 nodes drawn by namespace), and every node
      // drawn (`group=none`), where the frame times are measured. At 1,000 workloads the two are the same graph.
      for (const [view, extra] of [
        ['as it opens (grouping auto)', ''],
        ['every node (group=none)', '&group=none'],
      ]) {
        const drawn = [];
        const painted = [];
        // The page's preview of a very large graph (its own 2D painter, before cytoscape's canvas): when its
        // frame was out, from the page's mark; none for a graph drawn by cytoscape at once.
        const previewed = [];
        const firstAnswer = [];
        const layoutRunning = [];
        const timelines = [];
        let fastRequests = 0;
        for (let i = 0; i < Math.min(3, opt.runs); i++) {
          const t0 = performance.now();
          const wall0 = Date.now();
          let answered;
          const onResponse = (r) => {
            if (answered === undefined && r.url().includes('/api/graph?')) answered = performance.now() - t0;
          };
          const onRequest = (r) => {
            if (r.url().includes('/api/graph?') && r.url().includes('latency=false')) fastRequests++;
          };
          page.on('response', onResponse);
          page.on('request', onRequest);
          const settled = fullGraphSettled(page);
          await page.goto(`${base}/graph?at=${end}&refresh=0${extra}`);
          await page.waitForSelector('[data-testid="graph-canvas"][data-layout]', { timeout: 120_000 });
          layoutRunning.push(performance.now() - t0);
          await page.waitForSelector('[data-testid="graph-canvas"][data-layout="ready"]', {
            timeout: 120_000,
          });
          drawn.push(performance.now() - t0);
          // The first frame: `ready` is set when the layout stops, before the canvas has drawn it.
          await page.evaluate(
            () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))),
          );
          painted.push(performance.now() - t0);
          const preview = await page.evaluate(() => {
            const m = performance.getEntriesByName('graph-preview-painted')[0];
            return m ? performance.timeOrigin + m.startTime : undefined;
          });
          if (preview !== undefined) previewed.push(preview - wall0);
          // The first graph's timeline from the browser's own entries (ms from the navigation's start).
          timelines.push(await page.evaluate(firstGraphTimeline));
          page.off('response', onResponse);
          page.off('request', onRequest);
          firstAnswer.push(answered ?? Number.NaN);
          // Each load starts on a settled server: the page asks for its full graph (latency read) once
          // drawn, seconds of work for the server and Prometheus at 5,000 workloads, which would otherwise
          // still be running through the next load's first frame.
          await settled;
        }
        const drawnNodes = await page.evaluate(() => window.__meshlensCy?.nodes().length ?? 0);
        const s = stats(painted);
        if (previewed.length > 0) {
          const p = stats(previewed);
          console.log(
            `page   /graph ${view}, first frame of the whole graph (preview, not yet interactive): median ${p.median.toFixed(0)} ms, ` +
              `max ${p.max.toFixed(0)} ms (${previewed.length} of ${painted.length} loads) — target ≤ ${TARGETS.drawnMs} ms: ${mark(p.median <= TARGETS.drawnMs)}`,
          );
        }
        console.log(
          `page   /graph ${view}, interactive (cytoscape's first frame, ${drawnNodes} nodes drawn): median ${s.median.toFixed(0)} ms, max ${s.max.toFixed(0)} ms — ` +
            `first graph answer at ${stats(firstAnswer).median.toFixed(0)} ms, layout started at ${stats(layoutRunning).median.toFixed(0)} ms, ` +
            `laid out at ${stats(drawn).median.toFixed(0)} ms — target ≤ ${TARGETS.drawnMs} ms: ${mark(s.median <= TARGETS.drawnMs)} ` +
            `(first graph requests sent: ${fastRequests} in ${drawn.length} loads; 1 a load = the preload was used; ` +
            "each load after the last one's full graph had arrived and its page was idle)",
        );
        const t = (k) => stats(timelines.map((x) => x[k] ?? Number.NaN)).median.toFixed(0);
        console.log(
          `page   /graph ${view}, from navigation (medians): the page's first byte ${t('html')} ms; the first graph ` +
            `request sent ${t('sent')} ms (${[...new Set(timelines.map((x) => x.by))].join(', ') || '—'}), its answer's first byte ` +
            `${t('first')} ms, last ${t('last')} ms; Server-Timing: ${timelines.map((x) => x.timing || '—').join(' | ')}`,
        );
      }
      // Panning and zooming the page as left by the last view: every node drawn.
      const frames = await frameTimes(page);
      if (frames) {
        const fps = 1000 / frames.median;
        console.log(
          `page   pan and zoom (every node), ${frames.frames} frames: median frame ${frames.median.toFixed(1)} ms (${fps.toFixed(0)} frames/s), ` +
            `p95 ${frames.p95.toFixed(1)} ms — target ≥ ${TARGETS.fps} frames/s: ${mark(fps >= TARGETS.fps)}`,
        );
      }
      console.log(`next   server memory after the page loads: ${await memoryAfterGc()}; ${load()}`);
    };
    if (opt.page && !rulesLoaded) await measurePage();
    if (!rulesLoaded && opt.live) await measureLive('');
    // With the recording rules (Istio's production advice), backfilled by promtool over the same data;
    // Prometheus restarts on its port with the new blocks, the dashboard restarts (its rules probe is cached).
    // The rules in stages: promtool evaluates each rule against the running Prometheus, so a rule that
    // reads what an earlier one records is backfilled after that one's blocks are loaded.
    await web.stop();
    if (!opt.rules) {
      printVerdicts();
      return;
    }
    const stages = recordingRuleStages();
    if (!rulesLoaded)
      t = await timed(async () => {
        for (const [i, rules] of stages.entries()) {
          writeFileSync(join(dir, `graph.rules.${i}.yml`), rules);
          const out = join(dir, `rule-blocks-${i}`);
          await run(
            'promtool',
            [
              'tsdb',
              'create-blocks-from',
              'rules',
              `--url=${promUrl}`,
              `--start=${end - 60}`,
              `--end=${end}`,
              `--eval-interval=${INTERVAL_S}s`,
              `--output-dir=${out}`,
              join(dir, `graph.rules.${i}.yml`),
            ],
            { maxBuffer: 64 * 1024 * 1024 },
          );
          await prom.stop();
          for (const block of readdirSync(out)) renameSync(join(out, block), join(data, 'tsdb', block));
          prom = await startProm();
          promStarted = performance.now();
        }
        writeFileSync(join(data, 'rules-loaded'), '');
      });
    if (!rulesLoaded)
      console.log(`promtool rules backfill (${stages.length} stages): ${(t.ms / 1000).toFixed(1)} s`);
    await settle();
    ({ web, base } = await startWeb());
    Object.assign(
      floorMs,
      await floor([
        [RATES_FLOOR, ratesByReporter],
        ...(opt.api
          ? [
              ['recorded latency buckets by edge', recordedLatencyQueries(sel, 60).source],
              ['recorded below-total buckets by edge', belowTotalLatencyQueries(sel, 60).source],
              ['recorded below-total buckets by edge, 5 m', belowTotalLatencyQueries(sel, 300).source],
              [
                'recorded latency buckets by edge, averaged over 2 m',
                recordedLatencyQueries(sel, 120).source,
              ],
            ]
          : []),
      ]),
    );
    console.log(load());
    const apiWithRules = async () => {
      const cases = [
        { ...FULL_COLD, floor: 'recorded below-total buckets by edge' },
        {
          key: 'cold5m',
          name: 'full, 5 m window, cold (its own below-total series)',
          query: (i) => `queryTime=${end - 2 - i}&duration=5m`,
          floor: 'recorded below-total buckets by edge, 5 m',
        },
        {
          key: 'cold2m',
          name: 'full, 2 m window, cold (a window the rules do not record: the dense series averaged)',
          query: (i) => `queryTime=${end - 2 - i}&duration=2m`,
          floor: 'recorded latency buckets by edge, averaged over 2 m',
        },
        POLLED,
        NO_LATENCY,
      ];
      await measureApi(
        ' with recording rules',
        // In `--cases`' order when given: a case run after another pays for the heap the one before left (V8's
        // GC helpers, ~100-190 ms of Next's CPU a request), so the order is part of the measure.
        opt.cases === undefined
          ? cases
          : opt.cases.map((key) => cases.find((c) => c.key === key)).filter((c) => c !== undefined),
      );
      console.log(
        `next   server memory after the API requests with the rules: ${await web.memory()}; ${load()}`,
      );
      await memoryPolls('the same view (polled) with the rules', POLLED.query);
      // A cold graph at a new pinned second each time: a latency reading of its own kept each time (the cache's
      // bucket bound is what holds them in).
      await memoryPolls(
        'cold graphs, each at a second of its own, with the rules',
        (i) => `queryTime=${end - 20 - i}`,
      );
    };
    if (opt.api) await apiWithRules();
    if (opt.page && rulesLoaded) await measurePage();
    if (opt.live) await measureLive(' with recording rules');
    printVerdicts();
    if (opt.keep) {
      console.log(
        `kept up: dashboard ${base}/graph?at=${end}&refresh=0, Prometheus ${promUrl}; Ctrl-C stops`,
      );
      // `on`, not `once`: a second Ctrl-C (or a wrapper forwarding the signal) must not kill the cleanup.
      await new Promise((resolve) => process.on('SIGINT', resolve));
    }
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await bench(process.argv.slice(2));

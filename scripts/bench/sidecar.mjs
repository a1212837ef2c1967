// Sidecar benchmark (a measurement, not a test), the way issue 20 measures: wrk (1 thread, 32 keep-alive
// connections, 5 s a run, rounds summed) against the same upstream app called directly, through a plain
// `http-proxy` forwarder and two chained ones (the Node baseline), through nginx with one worker (the
// native reference), and through the sidecars with full telemetry (metrics scraped every second, spans
// exported over OTLP/HTTP to a live sink):
//   - the outbound hop: the app's own sidecar, outbound port → upstream app (what every request pays);
//   - the inbound hop: inbound port → local app;
//   - the pair, a real mesh hop: outbound sidecar → inbound sidecar → app;
// at 100 % sampling, at 1 % (Istio's default), and the pair over Istio mTLS (auto-mTLS, file-mounted
// certificates from a throwaway CA), compared with the two chained forwarders in plaintext and with mutual
// TLS between them (client certificates from the same CA, keep-alive, sessions resumed). Then the latency
// each adds at a fixed 500 req/s, every sidecar's RSS under load, and the cost of one metrics record and
// one span. Prints PASS/MISS for each target of the issue. Uses the agent built by `npm run build`
// (dist/agent).
//   flock /tmp/meshlens-bench.lock npm run bench -- sidecar [-- --seconds 5 --rounds 3 --connections 32]
// (--cpu-prof profiles the 100 % sidecars and prints where their CPU goes; --sidecar-only skips the baselines;
// --no-mtls / --no-low-sampling skip those sidecar sets; --load-generator node uses the project's own
// load generator instead of wrk; the sidecars run with the node flags bin/meshlens-agent.js is shipped
// with (its #! line), and --sidecar-node-flags '--max-semi-space-size=4' adds V8/Node flags after them;
// --compare-node-http adds the outbound hop and the pair with the fast path off; --compare-agent DIR adds the
// 100 % sidecars (and the mTLS pair) of another checkout's build, DIR/bin/meshlens-agent.js with its
// dist/agent, measured in the same rounds: an A/B of two builds in one run, with ratio lines by CPU;
// --compare-node-flags '--single-threaded-gc' adds the 100 % sidecars again with these node flags after the
// others (an A/B of V8/Node flags on one build, in the same rounds);
// --compare-env 'NAME=VALUE ...' adds the 100 % sidecars again with these environment variables (repeatable:
// one set each; an A/B of a switch read from the environment, on one build, in the same rounds);
// --pin-proxies (a diagnostic, not the issue's method) pins the main thread of the first proxy of every 2-hop
// path to CPU 0 and the second to CPU 1 (wrk, the app and the V8 threads float), to tell idle cores caused by
// where the scheduler wakes the processes from idle caused by the processes waiting on each other;
// --only pair measures only the pairs and their baselines; --compare-unlabelled adds the pair with reviews
// not labelled a sidecar (no pipelining between the sidecars); --h2-upgrade adds the pair with a
// DestinationRule's h2UpgradePolicy: UPGRADE towards reviews.)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { summarizeCpuProfile } from './lib/cpu-profile.mjs';
import { createCa, writeFiles } from './lib/mesh-ca.mjs';
import { measureMetricsRecord } from './lib/metrics-record.mjs';
import { ensureNginx, startNginx, waitForPort } from './lib/nginx.mjs';
import {
  childrenOf,
  cpuSecondsOf,
  freePort,
  memoryOf,
  ROOT,
  runLoad,
  startProcess,
} from './lib/processes.mjs';
import { measureTracingSpan } from './lib/tracing-span.mjs';
import { ensureWrk, runWrk } from './lib/wrk.mjs';

const LIB = fileURLToPath(new URL('./lib/', import.meta.url));
const AGENT_BIN = join(ROOT, 'bin/meshlens-agent.js');
/**
 * The node flags the agent is shipped with (its `#!/usr/bin/env -S node ...` line), so that the sidecars
 * run as `meshlens-agent sidecar` runs them; --sidecar-node-flags come after and win.
 */
const SHIPPED_NODE_FLAGS = (readFileSync(AGENT_BIN, 'utf8').split('\n')[0] ?? '')
  .replace(/^#!\S*env\s+(-S\s+)?node\b/, '')
  .split(' ')
  .filter((f) => f.startsWith('--'));
const RATE = 500;
/** The uncounted run of each path right before its first counted one (round one). */
const WARM_UP_SECONDS = 2;

/** Issue 20's targets. */
const TARGETS = {
  hopOverHttpProxy: 2,
  hopOverNginx: 0.5,
  pairOverTwoHttpProxies: 2,
  rssMb: 120,
  addedP50MsPerSidecar: 0.3,
};

function parseArgs(args) {
  const opt = {
    seconds: 5,
    connections: 32,
    cpuProf: false,
    only: undefined,
    sidecarNodeFlags: [],
    rounds: 3,
    compareNodeHttp: false,
    mtls: true,
    lowSampling: true,
    loadGenerator: 'wrk',
    compareAgent: undefined,
    compareNodeFlags: undefined,
    compareEnv: [],
    pinProxies: false,
    compareUnlabelled: false,
    h2Upgrade: false,
  };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--seconds') opt.seconds = Number(args[++i]);
    else if (args[i] === '--connections') opt.connections = Number(args[++i]);
    else if (args[i] === '--cpu-prof') opt.cpuProf = true;
    else if (args[i] === '--rounds') opt.rounds = Math.max(1, Number(args[++i]));
    else if (args[i] === '--sidecar-only') opt.only = 'sidecar';
    else if (args[i] === '--only') opt.only = args[++i];
    else if (args[i] === '--compare-unlabelled') opt.compareUnlabelled = true;
    else if (args[i] === '--h2-upgrade') opt.h2Upgrade = true;
    else if (args[i] === '--compare-node-http') opt.compareNodeHttp = true;
    else if (args[i] === '--no-mtls') opt.mtls = false;
    else if (args[i] === '--no-low-sampling') opt.lowSampling = false;
    else if (args[i] === '--load-generator') opt.loadGenerator = args[++i];
    else if (args[i] === '--compare-agent') opt.compareAgent = args[++i];
    else if (args[i] === '--pin-proxies') opt.pinProxies = true;
    else if (args[i] === '--compare-env') opt.compareEnv.push(args[++i]);
    else if (args[i] === '--compare-node-flags') opt.compareNodeFlags = args[++i].split(' ').filter(Boolean);
    else if (args[i] === '--sidecar-node-flags') opt.sidecarNodeFlags = args[++i].split(' ').filter(Boolean);
  }
  return opt;
}

const node = (script, ...args) => startProcess(process.execPath, [join(LIB, script), ...args.map(String)]);

/** Whether the built agent has a working sidecar (`npm run build`). */
async function sidecarAvailable() {
  try {
    const agent = await import(pathToFileURL(join(ROOT, 'dist/agent/index.js')).href);
    return typeof agent.startSidecar === 'function';
  } catch {
    return false;
  }
}

/**
 * The benchmark's mesh: `reviews` served by one workload behind its inbound sidecar at `reviewsInbound`,
 * labelled as running a sidecar (`security.istio.io/tlsMode: istio`, as Istio's injector labels every
 * injected pod; unless `sidecarLabel` is false) — over Istio mTLS when the sidecars have certificates,
 * plaintext otherwise (auto-mTLS needs a trust domain) — and `ratings` served by the upstream app itself
 * at `appPort` with no sidecar in front (the outbound hop: the caller's sidecar straight to the app).
 * Since round seven the label also lets the caller pipeline requests to reviews' sidecar.
 */
function meshConfig(reviewsInbound, appPort, sidecarLabel, h2Upgrade) {
  return `${meshEntries(reviewsInbound, appPort, sidecarLabel)}${h2Upgrade ? H2_UPGRADE_RULE : ''}`;
}

function meshEntries(reviewsInbound, appPort, sidecarLabel) {
  return `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: reviews, namespace: default }
spec:
  hosts: [reviews.default.svc.cluster.local]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{ number: 9080, name: http, protocol: HTTP }]
  workloadSelector: { labels: { app: reviews } }
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: { name: reviews-v1, namespace: default }
spec:
  address: 127.0.0.1
  ports: { http: ${reviewsInbound} }
  labels: { app: reviews, version: v1${sidecarLabel ? ', security.istio.io/tlsMode: istio' : ''} }
  serviceAccount: reviews
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: ratings, namespace: default }
spec:
  hosts: [ratings.default.svc.cluster.local]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{ number: 9080, name: http, protocol: HTTP }]
  workloadSelector: { labels: { app: ratings } }
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: { name: ratings-v1, namespace: default }
spec:
  address: 127.0.0.1
  ports: { http: ${appPort} }
  labels: { app: ratings, version: v1 }
`;
}

/** The comparison set of --h2-upgrade: requests to reviews' sidecar upgraded to HTTP/2 (Istio's h2UpgradePolicy). */
const H2_UPGRADE_RULE = `---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews, namespace: default }
spec:
  host: reviews.default.svc.cluster.local
  trafficPolicy: { connectionPool: { http: { h2UpgradePolicy: UPGRADE } } }
`;

async function startSidecarProcess({
  sampling,
  service,
  appPort,
  inboundPort,
  config,
  otlp,
  profDir,
  certs,
  nodeOptions = [],
  extra = [],
  bin = AGENT_BIN,
  env,
}) {
  const ports = { inboundPort: inboundPort ?? (await freePort()), outboundPort: await freePort() };
  const adminPort = await freePort();
  const flags = [
    'sidecar',
    ...['--service', service, '--namespace', 'default', '--version', 'v1'],
    ...['--workload', `${service}-v1`, '--app-port', appPort, '--config', config],
    ...['--inbound-port', ports.inboundPort, '--outbound-port', ports.outboundPort],
    ...['--admin-port', adminPort, '--otlp-endpoint', otlp, '--sampling', sampling],
    ...(certs ? ['--cert-chain', certs.certChain, '--key', certs.key, '--root-cert', certs.rootCert] : []),
    ...extra,
  ].map(String);
  const nodeFlags = [
    ...SHIPPED_NODE_FLAGS,
    ...nodeOptions,
    ...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []),
  ];
  const proc = await startProcess(process.execPath, [...nodeFlags, bin, ...flags], { ready: null, env });
  await waitForPort(adminPort, 20_000);
  await waitForPort(ports.inboundPort, 5000);
  await waitForPort(ports.outboundPort, 5000);
  return { ...proc, adminPort, ...ports };
}

/** Scrapes the sidecars' /stats/prometheus every second during a run, as Prometheus would. */
function scrapeEverySecond(adminPorts) {
  const timer = setInterval(() => {
    for (const port of adminPorts) {
      fetch(`http://127.0.0.1:${port}/stats/prometheus`, {
        headers: { accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' },
      })
        .then((r) => r.text())
        .catch(() => {});
    }
  }, 1000);
  return () => clearInterval(timer);
}

/**
 * The machine's CPU time from /proc/stat's `cpu` line, in ticks: all of it and the idle part (idle + iowait).
 * Read around each counted run, so that each path's share of idle CPU is printed beside its requests: a
 * path whose processes wait on each other leaves cores idle that a busier one would use. CLK_TCK is 100 on
 * Linux, as cpuSecondsOf assumes.
 */
function machineTicks() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { total, idle: (f[3] ?? 0) + (f[4] ?? 0) };
}

/**
 * How long a process's main thread was runnable but waiting for a CPU, in ns (/proc/PID/schedstat's second
 * field): both cores busy, or woken behind another task on its core. High beside idle cores means the
 * processes bunch up (all busy at once, then all waiting on one).
 */
function runDelayNs(pid) {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1] ?? 0);
  } catch {
    return 0;
  }
}

/** A sidecar's span export counters from its admin stats ('?' when it does not publish them). */
async function spanExportCounts(adminPort) {
  const body = await fetch(`http://127.0.0.1:${adminPort}/stats/prometheus`)
    .then((r) => r.text())
    .catch(() => '');
  const read = (name) => body.match(new RegExp(`^${name} (\\S+)$`, 'm'))?.[1] ?? '?';
  return {
    sent: read('envoy_tracing_opentelemetry_spans_sent'),
    failed: read('envoy_tracing_opentelemetry_http_reports_failed'),
    dropped: read('meshlens_tracing_spans_dropped'),
  };
}

const fmt = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const mark = (ok) => (ok ? 'PASS' : 'MISS');

export default async function sidecarBench(args = []) {
  const opt = parseArgs(args);
  const cleanups = [];
  const tmp = mkdtempSync(join(tmpdir(), 'meshlens-bench-sidecar-'));
  cleanups.push(async () => rmSync(tmp, { recursive: true, force: true }));
  const wrk = opt.loadGenerator === 'wrk' ? ensureWrk() : { skip: 'asked for the node load generator' };

  /** One closed-loop run: wrk (or load.mjs), and the CPU the path's proxies spent meanwhile. */
  async function closedLoop(target, seconds) {
    if (wrk.bin) return runWrk(wrk.bin, { ...target, connections: opt.connections, seconds });
    return runLoad({ ...target, connections: opt.connections, durationMs: seconds * 1000, warmupMs: 0 });
  }

  /** One round's throughput run of a path, added to its totals (the issue sums the rounds). */
  async function throughputRun(path, app) {
    const cpuBefore = path.watch.map((p) => cpuSecondsOf(p.pid));
    const appBefore = cpuSecondsOf(app.pid);
    const waitPids = [...path.watch.map((p) => p.pid), app.pid];
    const waitBefore = waitPids.map(runDelayNs);
    const ticksBefore = machineTicks();
    const run = await closedLoop(path.target, opt.seconds);
    const ticksAfter = machineTicks();
    const each = path.watch.map((p, i) => cpuSecondsOf(p.pid) - cpuBefore[i]);
    const appCpu = cpuSecondsOf(app.pid) - appBefore;
    const waitedNs = waitPids.reduce((sum, pid, i) => sum + runDelayNs(pid) - (waitBefore[i] ?? 0), 0);
    const ticks = ticksAfter.total - ticksBefore.total;
    const idleTicks = ticksAfter.idle - ticksBefore.idle;
    // The rest of the machine's busy time: wrk, the OTLP sink, the bench itself and any other work.
    const proxiesAndApp = (each.reduce((a, b) => a + b, 0) + appCpu) * 100;
    const rest = ticks > 0 ? Math.max(0, ticks - idleTicks - proxiesAndApp) / ticks : Number.NaN;
    const t = path.total ?? {
      completed: 0,
      seconds: 0,
      cpu: path.watch.map(() => 0),
      errors: 0,
      p50: [],
      rounds: [],
      ticks: 0,
      idleTicks: 0,
    };
    t.completed += run.completed;
    const idle = ticks > 0 ? idleTicks / ticks : Number.NaN;
    t.rounds.push({ completed: run.completed, cpu: each.reduce((a, b) => a + b, 0), idle, rest });
    t.ticks += ticks;
    t.idleTicks += idleTicks;
    t.seconds += opt.seconds;
    t.errors += run.errors + run.non2xx;
    t.p50.push(run.p50);
    each.forEach((s, i) => {
      t.cpu[i] += s;
    });
    path.total = t;
    for (const p of path.watch.filter((w) => w.adminPort)) {
      p.maxRssMb = Math.max(p.maxRssMb ?? 0, memoryOf(p.pid).rssMb);
    }
    return { ...run, cpuUsEach: each.map((s) => (s / run.completed) * 1e6), idle, rest, appCpu, waitedNs };
  }

  try {
    const upstream = await node('upstream.mjs', 0);
    cleanups.push(() => upstream.stop());
    const cpu = readFileSync('/proc/cpuinfo', 'utf8');
    console.log(
      `loopback; ${wrk.bin ? `wrk -t1 -c${opt.connections} -d${opt.seconds}s` : `node load generator (${wrk.skip}), ${opt.connections} connections, ${opt.seconds} s`} a run, paths measured in turn, ${opt.rounds} rounds summed; ${RATE} req/s for latency (best p50 of the rounds); ${process.version}, ${cpu.match(/model name\s*:\s*(.*)/)?.[1] ?? 'cpu'} × ${cpu.match(/^processor/gm)?.length}; load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} (other work on the machine lowers req/s; CPU µs per request much less)\n`,
    );

    // Every path is started first and measured in turn, round after round, so that interference from
    // other work on the machine spreads over all of them.
    const paths = [{ name: 'direct', hops: 0, target: { port: upstream.port }, watch: [] }];
    const ca = opt.mtls ? await createCa() : undefined;
    if (opt.only !== 'sidecar') {
      const fwd = await node('http-proxy-forwarder.mjs', 0, `http://127.0.0.1:${upstream.port}`);
      cleanups.push(() => fwd.stop());
      const fwd2 = await node('http-proxy-forwarder.mjs', 0, `http://127.0.0.1:${fwd.port}`);
      cleanups.push(() => fwd2.stop());
      paths.push(
        { name: 'http-proxy', hops: 1, target: { port: fwd.port }, watch: [fwd] },
        { name: 'http-proxy → http-proxy', hops: 2, target: { port: fwd2.port }, watch: [fwd2, fwd] },
      );
      if (ca) {
        // The like-for-like baseline of the pair over mTLS: the same two forwarders with mutual TLS between
        // them (client certificate, CA and SPIFFE SAN checked, keep-alive, TLS sessions resumed).
        const id = async (sa) =>
          writeFiles(
            join(tmp, 'certs-http-proxy'),
            sa,
            await ca.issue({ type: 'url', value: `spiffe://cluster.local/ns/default/sa/${sa}` }),
            ca.rootPem,
          );
        const tlsArgs = (f) => ['--cert', f.certChain, '--key', f.key, '--ca', f.rootCert];
        const server = await id('http-proxy-server');
        const client = await id('http-proxy-client');
        const tlsFwd = await node(
          'http-proxy-forwarder.mjs',
          0,
          `http://127.0.0.1:${upstream.port}`,
          ...tlsArgs(server),
          '--tls-listen',
        );
        cleanups.push(() => tlsFwd.stop());
        const tlsFwd2 = await node(
          'http-proxy-forwarder.mjs',
          0,
          `https://127.0.0.1:${tlsFwd.port}`,
          ...tlsArgs(client),
        );
        cleanups.push(() => tlsFwd2.stop());
        paths.push({
          name: 'http-proxy → mTLS → http-proxy',
          key: 'chain-mtls',
          hops: 2,
          target: { port: tlsFwd2.port },
          watch: [tlsFwd2, tlsFwd],
        });
      }
      const nginx = ensureNginx();
      if (nginx.skip) {
        console.log(`nginx: skipped (${nginx.skip})`);
      } else {
        const proc = await startNginx(nginx.bin, await freePort(), upstream.port);
        cleanups.push(() => proc.stop());
        // The master listens before it forks its worker: wait for the worker, whose CPU is the proxying.
        let workers = [];
        for (let i = 0; i < 100 && workers.length === 0; i++) {
          workers = childrenOf(proc.pid).map((pid) => ({ pid }));
          if (workers.length === 0) await new Promise((r) => setTimeout(r, 50));
        }
        paths.push({ name: 'nginx (1 worker)', hops: 1, target: { port: proc.port }, watch: workers });
      }
    }

    let sink;
    const sets = [];
    const profDir = opt.cpuProf ? join(tmp, 'profiles') : undefined;
    if (!(await sidecarAvailable())) {
      console.log('sidecar: skipped (dist/agent has no startSidecar: run `npm run build`)');
    } else {
      sink = await node('otlp-sink.mjs', 0);
      cleanups.push(() => sink.stop());
      const otlp = `http://127.0.0.1:${sink.port}/v1/traces`;

      /** A caller (productpage) and a callee (reviews) sidecar; `ratings` is the app with no sidecar. */
      const startSet = async (
        key,
        label,
        {
          sampling,
          mtls = false,
          extra = [],
          profile = false,
          bin,
          sidecarLabel = true,
          h2Upgrade = false,
          nodeFlags = [],
          env,
        },
      ) => {
        const reviewsInbound = await freePort();
        const config = join(tmp, `mesh-${key}.yaml`);
        writeFileSync(config, meshConfig(reviewsInbound, upstream.port, sidecarLabel, h2Upgrade));
        const certs = async (sa) =>
          mtls
            ? writeFiles(
                join(tmp, `certs-${key}`),
                sa,
                await ca.issue({ type: 'url', value: `spiffe://cluster.local/ns/default/sa/${sa}` }),
                ca.rootPem,
              )
            : undefined;
        const nodeOptions = [...opt.sidecarNodeFlags, ...nodeFlags];
        const common = { sampling, config, otlp, extra, nodeOptions, bin, env };
        const reviews = await startSidecarProcess({
          ...common,
          service: 'reviews',
          appPort: upstream.port,
          inboundPort: reviewsInbound,
          certs: await certs('reviews'),
          profDir: profile && profDir ? join(profDir, 'reviews') : undefined,
        });
        cleanups.push(() => reviews.stop());
        const productpage = await startSidecarProcess({
          ...common,
          service: 'productpage',
          appPort: await freePort(),
          certs: await certs('productpage'),
          profDir: profile && profDir ? join(profDir, 'productpage') : undefined,
        });
        cleanups.push(() => productpage.stop());
        const set = { key, label, reviews, productpage };
        sets.push(set);
        return set;
      };

      /**
       * The paths measured through one set of sidecars: `which` of the outbound hop, the inbound hop and
       * the pair, named with `suffix` (the main set, without one, says what each path is) and keyed with
       * `keySuffix` (the summary finds them by key).
       */
      const through = (set, which, suffix, keySuffix) => {
        const all = {
          hop: {
            name: 'outbound hop',
            about: 'app → sidecar → upstream',
            hops: 1,
            target: { port: set.productpage.outboundPort, host: 'ratings' },
            watch: [set.productpage],
          },
          inbound: {
            name: 'inbound hop',
            about: 'sidecar → app',
            hops: 1,
            target: { port: set.reviews.inboundPort },
            watch: [set.reviews],
          },
          pair: {
            name: 'sidecar pair',
            about: 'outbound → inbound → app',
            hops: 2,
            target: { port: set.productpage.outboundPort, host: 'reviews' },
            watch: [set.productpage, set.reviews],
          },
        };
        return which.map((k) => {
          const { about, ...path } = all[k];
          return {
            ...path,
            name: suffix ? `${path.name}${suffix}` : `${path.name} (${about})`,
            key: `${k}${keySuffix}`,
          };
        });
      };

      const full = await startSet('full', '100 % sampling', { sampling: 100, profile: true });
      paths.push(...through(full, ['hop', 'inbound', 'pair'], '', ''));
      if (opt.lowSampling) {
        const low = await startSet('low', '1 % sampling', { sampling: 1 });
        paths.push(...through(low, ['hop', 'pair'], ', 1 % sampling', '-1%'));
      }
      if (opt.mtls) {
        const m = await startSet('mtls', 'mTLS, 100 % sampling', { sampling: 100, mtls: true });
        paths.push(...through(m, ['pair'], ' over mTLS', '-mtls'));
      }
      if (opt.compareAgent) {
        const bin = join(opt.compareAgent, 'bin/meshlens-agent.js');
        const other = await startSet('compare', `compared build (${opt.compareAgent})`, {
          sampling: 100,
          bin,
        });
        paths.push(...through(other, ['hop', 'inbound', 'pair'], ', compared build', '-compare'));
        if (opt.mtls) {
          const m = await startSet('mtls-compare', `mTLS, compared build (${opt.compareAgent})`, {
            sampling: 100,
            mtls: true,
            bin,
          });
          paths.push(...through(m, ['pair'], ' over mTLS, compared build', '-mtls-compare'));
        }
      }
      if (opt.compareNodeFlags) {
        const flagged = await startSet('flags', `node flags ${opt.compareNodeFlags.join(' ')}`, {
          sampling: 100,
          nodeFlags: opt.compareNodeFlags,
        });
        paths.push(...through(flagged, ['hop', 'inbound', 'pair'], ', compared node flags', '-flags'));
      }
      for (const [i, env] of opt.compareEnv.entries()) {
        const vars = Object.fromEntries(
          env
            .split(' ')
            .filter(Boolean)
            .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
        );
        const withEnv = await startSet(`env${i}`, `environment ${env}`, { sampling: 100, env: vars });
        paths.push(...through(withEnv, ['hop', 'inbound', 'pair'], `, with ${env}`, `-env${i}`));
      }
      if (opt.compareUnlabelled) {
        // The same build with reviews' endpoint not known to run a sidecar: one request per connection.
        const plain = await startSet('unlabelled', 'callee not labelled a sidecar', {
          sampling: 100,
          sidecarLabel: false,
        });
        paths.push(...through(plain, ['pair'], ', not pipelined', '-unlabelled'));
      }
      if (opt.h2Upgrade) {
        const h2 = await startSet('h2', 'h2UpgradePolicy: UPGRADE', { sampling: 100, h2Upgrade: true });
        paths.push(...through(h2, ['pair'], ', h2UpgradePolicy', '-h2'));
      }
      if (opt.compareNodeHttp) {
        const slow = await startSet('node-http', 'fast path off', {
          sampling: 100,
          extra: ['--no-fast-path'],
        });
        paths.push(...through(slow, ['hop', 'pair'], ', fast path off', '-slow'));
      }
    }
    if (opt.only === 'pair') {
      // --only pair: the pairs and their baselines (the chains), direct for the added latency.
      const keep = (p) =>
        p.name === 'direct' ||
        p.name === 'http-proxy → http-proxy' ||
        p.key === 'chain-mtls' ||
        p.key?.startsWith('pair');
      paths.splice(0, paths.length, ...paths.filter(keep));
    }
    const adminPorts = sets.flatMap((s) => [s.reviews.adminPort, s.productpage.adminPort]);
    const stopScrape = scrapeEverySecond(adminPorts);
    cleanups.push(async () => stopScrape());
    for (const path of paths) path.target.path = '/reviews/0';
    if (opt.pinProxies) {
      for (const path of paths.filter((p) => p.watch.length === 2)) {
        path.watch.forEach((p, cpu) => {
          execFileSync('taskset', ['-p', '-c', String(cpu), String(p.pid)], { stdio: 'ignore' });
        });
      }
      console.log(
        '--pin-proxies: each 2-hop path’s first proxy on CPU 0, its second on CPU 1 (main threads)\n',
      );
    }

    // Prime connections, pools, TLS sessions and the JIT (a fresh Node process takes seconds to reach speed).
    for (const path of paths) await closedLoop(path.target, 3);

    for (let round = 1; round <= opt.rounds; round++) {
      for (const path of paths) {
        // Round one: every path is warmed again just before its first counted run (not counted), so that
        // none starts cold after the minute of other paths since its priming run.
        if (round === 1) await closedLoop(path.target, WARM_UP_SECONDS);
        const run = await throughputRun(path, upstream);
        console.log(
          `round ${round} ${path.name.padEnd(42)} ${fmt(run.rps, 0).padStart(7)} req/s  p50 ${fmt(run.p50)} p99 ${fmt(run.p99)} ms  proxy CPU ${fmt(
            run.cpuUsEach.reduce((a, b) => a + b, 0),
            0,
          )} µs/req${run.cpuUsEach.length > 1 ? ` (${run.cpuUsEach.map((c) => fmt(c, 0)).join(' + ')})` : ''}  app ${fmt((run.appCpu / run.completed) * 1e6, 0)} µs/req  machine idle ${fmt(run.idle * 100, 0)} %, rest ${fmt(run.rest * 100, 0)} %  run-queue wait ${fmt(run.waitedNs / 1000 / run.completed, 1)} µs/req${run.errors + run.non2xx ? `  (${run.errors} errors, ${run.non2xx} non-2xx)` : ''}`,
        );
      }
      for (const path of paths) {
        const run = await runLoad({
          ...path.target,
          connections: 8,
          durationMs: opt.seconds * 1000,
          warmupMs: 500,
          rate: RATE,
        });
        if (path.latency === undefined || run.p50 < path.latency.p50) path.latency = run;
        console.log(
          `round ${round} ${path.name.padEnd(42)} @${RATE}/s p50 ${fmt(run.p50, 3)} p99 ${fmt(run.p99, 3)} ms${run.errors + run.non2xx ? `  (${run.errors} errors, ${run.non2xx} non-2xx)` : ''}`,
        );
      }
    }
    for (const s of sets) {
      s.rssUnderLoadMb = [s.productpage, s.reviews].map((p) => p.maxRssMb ?? Number.NaN);
      s.peakRssMb = Math.max(...[s.productpage, s.reviews].map((p) => memoryOf(p.pid).peakRssMb));
    }

    if (sink) {
      const exported = await (await fetch(`http://127.0.0.1:${sink.port}/count`)).json();
      console.log(
        `\nOTLP sink received ${exported.posts} exports (${(exported.bytes / 1e6).toFixed(1)} MB of spans)`,
      );
    }
    // Each sidecar's span export counters (its admin stats): a run whose sidecars dropped spans is seen.
    for (const s of sets) {
      const counts = await Promise.all([s.productpage, s.reviews].map((p) => spanExportCounts(p.adminPort)));
      console.log(
        `spans of the ${s.label} sidecars (productpage, reviews): sent ${counts.map((c) => c.sent).join(', ')}; dropped ${counts.map((c) => c.dropped).join(', ')}; exports failed ${counts.map((c) => c.failed).join(', ')}${counts.some((c) => Number(c.dropped) > 0) ? '  SPANS DROPPED' : ''}`,
      );
    }
    if (profDir && sets[0]) {
      await sets[0].productpage.stop();
      await sets[0].reviews.stop();
      for (const who of ['productpage', 'reviews']) {
        for (const file of readdirSync(join(profDir, who))) {
          console.log(`\nCPU profile of the ${who} sidecar (100 % sampling set):`);
          console.log(summarizeCpuProfile(join(profDir, who, file), 25));
        }
      }
    }

    console.log('\nmetrics record cost (in-process micro-benchmark):');
    const micro = await measureMetricsRecord();
    for (const line of micro.lines) console.log(`  ${line}`);
    console.log('tracing span cost (in-process micro-benchmark, export not included):');
    const spans = await measureTracingSpan();
    for (const line of spans.lines) console.log(`  ${line}`);

    report(paths, sets, micro, opt);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

function report(paths, sets, micro, opt) {
  for (const p of paths) {
    const t = p.total;
    p.requests = t.completed;
    p.rps = t.completed / t.seconds;
    p.cpuUsEach = t.cpu.map((s) => (s / t.completed) * 1e6);
    p.cpuUs = p.cpuUsEach.reduce((a, b) => a + b, 0);
    p.p50 = [...t.p50].sort((a, b) => a - b)[Math.floor(t.p50.length / 2)];
    p.idle = t.ticks > 0 ? t.idleTicks / t.ticks : Number.NaN;
  }
  const by = (name) => paths.find((p) => p.name === name || p.key === name);
  const direct = by('direct');
  const addedP50 = (p) => p.latency.p50 - direct.latency.p50;
  console.log(
    '\n| path | hops | requests (rounds summed) | req/s | median p50 ms | proxy CPU µs/req | machine idle | p50 @500/s | added p50 @500/s | errors |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const p of paths) {
    const cpu = p.watch.length === 0 ? '–' : fmt(p.cpuUs, 0);
    const each = p.cpuUsEach.length > 1 ? ` (${p.cpuUsEach.map((c) => fmt(c, 0)).join(' + ')})` : '';
    console.log(
      `| ${p.name} | ${p.hops} | ${p.requests} | ${fmt(p.rps, 0)} | ${fmt(p.p50)} | ${cpu}${each} | ${fmt(p.idle * 100, 0)} % | ${fmt(p.latency.p50, 3)} | ${p === direct ? '–' : fmt(addedP50(p), 3)} | ${p.total.errors} |`,
    );
  }

  const proxy = by('http-proxy');
  const proxy2 = by('http-proxy → http-proxy');
  const nginx = by('nginx (1 worker)');
  console.log('');
  /** ours / theirs by requests served in the same rounds, with CPU per request beside it. */
  const ratio = (what, ours, theirs, target, always = false) => {
    if (!ours || !theirs) return;
    const r = ours.requests / theirs.requests;
    const cpu = theirs.cpuUs / ours.cpuUs;
    const verdict = target === undefined ? '' : ` (target ≥ ${target}×) ${mark(r >= target)}`;
    console.log(
      `${what}: ${fmt(r)}× (${ours.requests} vs ${theirs.requests} requests; by CPU per request ${fmt(cpu)}×, ${fmt(ours.cpuUs, 0)} vs ${fmt(theirs.cpuUs, 0)} µs; machine idle ${fmt(ours.idle * 100, 0)} vs ${fmt(theirs.idle * 100, 0)} %)${verdict}`,
    );
    if (target !== undefined || always)
      console.log(`  ${roundRatios(ours.total.rounds, theirs.total.rounds)}`);
    if (target !== undefined) {
      // The issue's bar is on the summed rounds; a margin means every round past it too.
      const lowest = lowestRound(ours.total.rounds, theirs.total.rounds);
      console.log(`  lowest round ${fmt(lowest)}× (every round ≥ ${target}×: ${mark(lowest >= target)})`);
    }
  };
  if (proxy && nginx) ratio('http-proxy / nginx', proxy, nginx);
  for (const [suffix, label] of [
    ['', '100 % sampling'],
    ['-1%', '1 % sampling'],
  ]) {
    const hop = by(`hop${suffix}`);
    const pair = by(`pair${suffix}`);
    if (!hop && !pair) continue;
    console.log(`-- ${label}`);
    ratio(`outbound hop / http-proxy`, hop, proxy, TARGETS.hopOverHttpProxy);
    ratio(`outbound hop / nginx (1 worker)`, hop, nginx, TARGETS.hopOverNginx);
    ratio(`pair / two chained http-proxy`, pair, proxy2, TARGETS.pairOverTwoHttpProxies);
    if (hop) latencyLine('outbound hop added p50', addedP50(hop), 1);
    if (pair) latencyLine('pair added p50', addedP50(pair), 2);
  }
  const inbound = by('inbound');
  if (inbound) {
    console.log('-- inbound hop, 100 % sampling (for comparison with earlier runs)');
    ratio('inbound hop / http-proxy', inbound, proxy);
  }
  const mtls = by('pair-mtls');
  if (mtls) {
    console.log('-- mTLS between the sidecars, 100 % sampling');
    ratio(
      'pair over mTLS / two chained http-proxy with mTLS between them (like for like)',
      mtls,
      by('chain-mtls'),
      TARGETS.pairOverTwoHttpProxies,
    );
    ratio(
      'pair over mTLS / two chained http-proxy in plaintext (the stricter comparison)',
      mtls,
      proxy2,
      TARGETS.pairOverTwoHttpProxies,
    );
    ratio('two chained http-proxy with mTLS / the same in plaintext', by('chain-mtls'), proxy2);
    ratio('pair over mTLS / the same pair in plaintext', mtls, by('pair'));
    latencyLine('pair over mTLS added p50', addedP50(mtls), 2);
  }
  if (by('pair-unlabelled') || by('pair-h2')) {
    console.log('-- the pair pipelined (callee labelled a sidecar) / other ways between the two sidecars');
    ratio(
      'pair / the same, callee not labelled a sidecar (one request per connection)',
      by('pair'),
      by('pair-unlabelled'),
    );
    ratio('pair / the same with h2UpgradePolicy: UPGRADE', by('pair'), by('pair-h2'));
    ratio('pair with h2UpgradePolicy: UPGRADE / two chained http-proxy', by('pair-h2'), proxy2);
    ratio('pair, not pipelined / two chained http-proxy', by('pair-unlabelled'), proxy2);
  }
  if (by('hop-compare') || by('pair-compare')) {
    console.log('-- this build / the compared build (same rounds; > 1 means this build is faster)');
    ratio('outbound hop / compared build', by('hop'), by('hop-compare'));
    ratio('inbound hop / compared build', by('inbound'), by('inbound-compare'));
    ratio('pair / compared build', by('pair'), by('pair-compare'));
    ratio('pair over mTLS / compared build', by('pair-mtls'), by('pair-mtls-compare'));
  }
  opt.compareEnv.forEach((env, i) => {
    console.log(`-- default environment / with ${env} (same build, same rounds; > 1: the default is faster)`);
    ratio(`outbound hop / with ${env}`, by('hop'), by(`hop-env${i}`), undefined, true);
    ratio(`inbound hop / with ${env}`, by('inbound'), by(`inbound-env${i}`), undefined, true);
    ratio(`pair / with ${env}`, by('pair'), by(`pair-env${i}`), undefined, true);
  });
  if (by('pair-flags')) {
    console.log(
      '-- default node flags / the compared node flags (same build, same rounds; > 1: the defaults are faster)',
    );
    ratio('outbound hop / compared node flags', by('hop'), by('hop-flags'));
    ratio('inbound hop / compared node flags', by('inbound'), by('inbound-flags'));
    ratio('pair / compared node flags', by('pair'), by('pair-flags'));
  }
  const slowHop = by('hop-slow');
  if (slowHop) {
    console.log('-- fast path off (node:http + undici)');
    ratio('outbound hop / the same, fast path off', by('hop'), slowHop);
    ratio('pair / the same, fast path off', by('pair'), by('pair-slow'));
  }
  for (const s of sets) {
    const peak = s.peakRssMb;
    console.log(
      `sidecar RSS under load, ${s.label}: productpage ${fmt(s.rssUnderLoadMb[0], 0)} MB, reviews ${fmt(s.rssUnderLoadMb[1], 0)} MB (peak ${fmt(peak, 0)} MB; target ≤ ${TARGETS.rssMb} MB) ${mark(peak <= TARGETS.rssMb)}`,
    );
  }
  console.log(`metrics record: ${micro.summary}`);
}

/**
 * A ratio's rounds one by one, by requests and by CPU a request: a round in which one side was starved by
 * other work on the machine shows here (the summed ratio leans on it).
 */
function roundRatios(ours, theirs) {
  const n = Math.min(ours.length, theirs.length);
  const byRequests = [];
  const byCpu = [];
  const idle = [];
  const rest = [];
  for (let i = 0; i < n; i++) {
    const a = ours[i];
    const b = theirs[i];
    byRequests.push(`${fmt(a.completed / b.completed)}×`);
    byCpu.push(`${fmt(b.cpu / b.completed / (a.cpu / a.completed))}×`);
    idle.push(`${fmt(a.idle * 100, 0)}/${fmt(b.idle * 100, 0)}`);
    rest.push(`${fmt(a.rest * 100, 0)}/${fmt(b.rest * 100, 0)}`);
  }
  return `round by round: ${byRequests.join(' ')} by requests; ${byCpu.join(' ')} by CPU per request; machine idle ${idle.join(' ')} %; other work (wrk, the sink, the rest of the machine) ${rest.join(' ')} %`;
}

/** The lowest round-by-round ratio by requests. */
function lowestRound(ours, theirs) {
  let lowest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < Math.min(ours.length, theirs.length); i++)
    lowest = Math.min(lowest, ours[i].completed / theirs[i].completed);
  return lowest;
}

function latencyLine(what, added, sidecars) {
  const each = added / sidecars;
  console.log(
    `${what} @${RATE}/s: ${fmt(added, 3)} ms${sidecars > 1 ? ` (${fmt(each, 3)} ms per sidecar)` : ''} (target ≤ ${TARGETS.addedP50MsPerSidecar} ms per sidecar) ${mark(each <= TARGETS.addedP50MsPerSidecar)}`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await sidecarBench(process.argv.slice(2));

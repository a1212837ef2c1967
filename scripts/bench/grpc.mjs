// gRPC and TCP benchmark (a measurement, not a test): unary gRPC calls/s on loopback against a real
// @grpc/grpc-js server — called directly, through nginx's grpc_pass (the native reference) and through one
// sidecar (its inbound port, h2c, port declared GRPC, full telemetry: metrics scraped every second, spans
// exported over OTLP/HTTP at --sampling) — and TCP throughput (MB/s) to a discard sink, direct and through
// one sidecar (inbound port declared TCP), against a bare Node `pipe` proxy as the floor of any Node
// proxy. Load generators run in their own processes. Uses the agent
// built by `npm run build` (dist/agent).
//   node scripts/bench.mjs grpc [-- --seconds 5 --rounds 1 --sampling 100 --cpu-prof --only grpc|tcp]
// Targets: gRPC through the sidecar ≥ 0.35× nginx; TCP through the sidecar ≥ 0.5× direct.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarizeCpuProfile } from './lib/cpu-profile.mjs';
import { ensureNginx, runNginx, waitForPort } from './lib/nginx.mjs';
import { childrenOf, cpuSecondsOf, freePort, memoryOf, ROOT, startProcess } from './lib/processes.mjs';

const LIB = fileURLToPath(new URL('./lib/', import.meta.url));
const AGENT_BIN = join(ROOT, 'bin/meshlens-agent.js');
const TARGETS = { grpcVsNginx: 0.35, tcpVsDirect: 0.5 };
const GRPC_HOST = 'ratings.default.svc.cluster.local';

function parseArgs(args) {
  const opt = {
    seconds: 5,
    rounds: 1,
    sampling: 100,
    cpuProf: false,
    sessions: 4,
    concurrency: 64,
    connections: 4,
  };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--seconds') opt.seconds = Number(args[++i]);
    else if (args[i] === '--rounds') opt.rounds = Math.max(1, Number(args[++i]));
    else if (args[i] === '--sampling') opt.sampling = Number(args[++i]);
    else if (args[i] === '--cpu-prof') opt.cpuProf = true;
    else if (args[i] === '--concurrency') opt.concurrency = Number(args[++i]);
    else if (args[i] === '--connections') opt.connections = Number(args[++i]);
    else if (args[i] === '--only') opt.only = args[++i];
  }
  return opt;
}

const node = (script, ...args) => startProcess(process.execPath, [join(LIB, script), ...args.map(String)]);

/** Runs a load script (its own process); resolves with its JSON line. */
function runScript(script, config) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(LIB, script), JSON.stringify(config)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.once('exit', (code) => {
      try {
        if (code !== 0) throw new Error(`${script} exited with ${code}`);
        resolve(JSON.parse(out.trim().split('\n').at(-1)));
      } catch (err) {
        reject(err);
      }
    });
  });
}

/** nginx with `grpc_pass` to the upstream (HTTP/2 cleartext both sides), one worker, keep-alive upstream. */
function startNginxGrpc(bin, listenPort, upstreamPort) {
  return runNginx(
    bin,
    mkdtempSync(join(tmpdir(), 'meshlens-bench-nginx-grpc-')),
    `  http2_max_requests 1000000;
  upstream grpc_app { server 127.0.0.1:${upstreamPort}; keepalive 128; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:${listenPort} http2;
    location / { grpc_pass grpc://grpc_app; }
  }`,
    listenPort,
  );
}

/** One service served by one workload whose inbound sidecar is at `inboundPort`, its port declared as given. */
function meshConfig(service, port, inboundPort) {
  return `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: ${service}, namespace: default }
spec:
  hosts: [${service}.default.svc.cluster.local]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{ number: ${port.number}, name: ${port.name}, protocol: ${port.protocol} }]
  workloadSelector: { labels: { app: ${service} } }
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: { name: ${service}-v1, namespace: default }
spec:
  address: 127.0.0.1
  ports: { ${port.name}: ${inboundPort} }
  labels: { app: ${service}, version: v1 }
`;
}

async function startSidecar({ service, port, appPort, tmp, otlp, sampling, profDir }) {
  const [inboundPort, outboundPort, adminPort] = [await freePort(), await freePort(), await freePort()];
  const config = join(tmp, `${service}.yaml`);
  writeFileSync(config, meshConfig(service, port, inboundPort));
  const flags = [
    ...['sidecar', '--service', service, '--namespace', 'default', '--version', 'v1'],
    ...['--app-port', appPort, '--inbound-port', inboundPort, '--outbound-port', outboundPort],
    ...['--admin-port', adminPort, '--config', config, '--otlp-endpoint', otlp, '--sampling', sampling],
  ].map(String);
  const nodeFlags = profDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profDir, service)}`] : [];
  const proc = await startProcess(process.execPath, [...nodeFlags, AGENT_BIN, ...flags], { ready: null });
  await waitForPort(adminPort, 20_000);
  await waitForPort(inboundPort, 5000);
  return { ...proc, adminPort, inboundPort };
}

/** Scrapes a sidecar's /stats/prometheus every second during a run, as Prometheus would. */
function scrapeEverySecond(adminPort) {
  const timer = setInterval(() => {
    fetch(`http://127.0.0.1:${adminPort}/stats/prometheus`)
      .then((r) => r.text())
      .catch(() => {});
  }, 1000);
  return () => clearInterval(timer);
}

const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const mark = (ok) => (ok ? 'PASS' : 'MISS');

export default async function grpcBench(args = []) {
  const opt = parseArgs(args);
  const durationMs = opt.seconds * 1000;
  const cleanups = [];
  const tmp = mkdtempSync(join(tmpdir(), 'meshlens-bench-grpc-'));
  const profDir = opt.cpuProf ? join(tmp, 'profiles') : undefined;
  try {
    console.log(
      `loopback; gRPC: ${opt.sessions} HTTP/2 sessions, ${opt.concurrency} unary calls in flight; TCP: ${opt.connections} connections of 64 KiB writes; ${opt.seconds} s a run, best of ${opt.rounds}; sidecar sampling ${opt.sampling} %; ${process.version}; load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}\n`,
    );
    const upstream = await node('grpc-upstream.mjs', 0);
    cleanups.push(() => upstream.stop());
    const sink = await node('tcp-load.mjs', '--sink', 0);
    cleanups.push(() => sink.stop());
    const otlpSink = await node('otlp-sink.mjs', 0);
    cleanups.push(() => otlpSink.stop());
    const otlp = `http://127.0.0.1:${otlpSink.port}/v1/traces`;
    const grpcSidecar = await startSidecar({
      service: 'ratings',
      port: { number: 9080, name: 'grpc', protocol: 'GRPC' },
      appPort: upstream.port,
      tmp,
      otlp,
      sampling: opt.sampling,
      profDir,
    });
    cleanups.push(() => grpcSidecar.stop(5000));
    const tcpSidecar = await startSidecar({
      service: 'store',
      port: { number: 27017, name: 'tcp-store', protocol: 'TCP' },
      appPort: sink.port,
      tmp,
      otlp,
      sampling: opt.sampling,
      profDir,
    });
    cleanups.push(() => tcpSidecar.stop(5000));

    const grpcPaths = [
      { name: 'direct', port: upstream.port, authority: GRPC_HOST },
      { name: 'sidecar', port: grpcSidecar.inboundPort, authority: GRPC_HOST, proxy: grpcSidecar },
    ];
    const nginx = ensureNginx();
    if ('bin' in nginx) {
      const port = await freePort();
      const n = await startNginxGrpc(nginx.bin, port, upstream.port);
      cleanups.push(() => n.stop());
      grpcPaths.splice(1, 0, { name: 'nginx grpc_pass', port, authority: GRPC_HOST, proxy: n });
    } else console.log(`nginx skipped: ${nginx.skip}`);

    const best = new Map();
    for (let round = 0; round < (opt.only === 'tcp' ? 0 : opt.rounds); round++) {
      for (const p of grpcPaths) {
        const stopScrape = p.proxy?.adminPort ? scrapeEverySecond(p.proxy.adminPort) : () => {};
        // nginx's work is done by its worker: the process and its children.
        const cpuOf = (pid) => [pid, ...childrenOf(pid)].reduce((sum, c) => sum + cpuSecondsOf(c), 0);
        const cpu0 = p.proxy ? cpuOf(p.proxy.pid) : 0;
        const r = await runScript('grpc-load.mjs', {
          port: p.port,
          authority: p.authority,
          sessions: opt.sessions,
          concurrency: opt.concurrency,
          durationMs,
          warmupMs: 1000,
        });
        stopScrape();
        r.cpuUsPerCall = p.proxy
          ? ((cpuOf(p.proxy.pid) - cpu0) / (r.completed + r.errors)) * 1e6
          : Number.NaN;
        if (!(best.get(p.name)?.rps >= r.rps)) best.set(p.name, r);
      }
    }
    if (opt.only !== 'tcp') {
      console.log('unary gRPC calls/s');
      console.log('path               calls/s   p50 ms   p99 ms   errors   proxy CPU µs/call');
      for (const p of grpcPaths) {
        const r = best.get(p.name);
        console.log(
          `${p.name.padEnd(18)} ${fmt(r.rps).padStart(7)}   ${fmt(r.p50Ms, 2).padStart(6)}   ${fmt(r.p99Ms, 2).padStart(6)}   ${String(r.errors).padStart(6)}   ${fmt(r.cpuUsPerCall, 1).padStart(6)}`,
        );
      }
      const viaSidecar = best.get('sidecar').rps;
      const viaNginx = best.get('nginx grpc_pass')?.rps;
      if (viaNginx)
        console.log(
          `sidecar / nginx: ${(viaSidecar / viaNginx).toFixed(2)}× (target ≥ ${TARGETS.grpcVsNginx}×) ${mark(viaSidecar / viaNginx >= TARGETS.grpcVsNginx)}`,
        );
      console.log(`sidecar / direct: ${(viaSidecar / best.get('direct').rps).toFixed(2)}×`);
      console.log(
        `gRPC sidecar RSS after load: ${fmt(memoryOf(grpcSidecar.pid).rssMb ?? Number.NaN, 1)} MB\n`,
      );
    }

    const tcpBest = new Map();
    const pipeProxy = await node('tcp-pipe-proxy.mjs', 0, sink.port);
    cleanups.push(() => pipeProxy.stop());
    const tcpPaths = [
      { name: 'direct', port: sink.port },
      { name: 'node pipe (floor)', port: pipeProxy.port, proxy: pipeProxy },
      { name: 'sidecar', port: tcpSidecar.inboundPort, proxy: tcpSidecar },
    ];
    for (let round = 0; round < (opt.only === 'grpc' ? 0 : opt.rounds); round++) {
      for (const p of tcpPaths) {
        const stopScrape = p.proxy?.adminPort ? scrapeEverySecond(p.proxy.adminPort) : () => {};
        const cpu0 = p.proxy ? cpuSecondsOf(p.proxy.pid) : 0;
        const r = await runScript('tcp-load.mjs', { port: p.port, connections: opt.connections, durationMs });
        stopScrape();
        // Includes the warm-up's bytes in the CPU but not in `bytes`: an upper bound.
        r.cpuMsPerGb = p.proxy ? ((cpuSecondsOf(p.proxy.pid) - cpu0) / (r.bytes / 1e9)) * 1e3 : Number.NaN;
        if (!(tcpBest.get(p.name)?.mbPerSecond >= r.mbPerSecond)) tcpBest.set(p.name, r);
      }
    }
    if (opt.only !== 'grpc') {
      console.log('TCP throughput');
      for (const p of tcpPaths) {
        const r = tcpBest.get(p.name);
        console.log(
          `${p.name.padEnd(18)} ${fmt(r.mbPerSecond).padStart(7)} MB/s   errors ${r.errors}   proxy CPU ${fmt(r.cpuMsPerGb)} ms/GB`,
        );
      }
      const ratio = tcpBest.get('sidecar').mbPerSecond / tcpBest.get('direct').mbPerSecond;
      console.log(
        `sidecar / direct: ${ratio.toFixed(2)}× (target ≥ ${TARGETS.tcpVsDirect}×) ${mark(ratio >= TARGETS.tcpVsDirect)}`,
      );
      const floor = tcpBest.get('node pipe (floor)');
      console.log(
        `sidecar / node pipe: ${(tcpBest.get('sidecar').mbPerSecond / floor.mbPerSecond).toFixed(2)}× MB/s, ${(tcpBest.get('sidecar').cpuMsPerGb / floor.cpuMsPerGb).toFixed(2)}× CPU per GB; load average at the end ${loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')}`,
      );
    }
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  }
  if (profDir && existsSync(profDir)) {
    for (const who of readdirSync(profDir)) {
      for (const file of readdirSync(join(profDir, who)).filter((f) => f.endsWith('.cpuprofile'))) {
        console.log(`\nCPU profile of the ${who} sidecar:`);
        console.log(summarizeCpuProfile(join(profDir, who, file), 20));
      }
    }
  }
  rmSync(tmp, { recursive: true, force: true });
}

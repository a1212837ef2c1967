// mTLS benchmark (a measurement, not a test): the cost of Istio mTLS on a mesh hop. The same sidecar pair
// (outbound → inbound → app) in plaintext and over mTLS (auto-mTLS, file-mounted certificates from a
// throwaway CA), against an nginx pair in plaintext and over mutual TLS (`proxy_ssl`, keep-alive to the
// upstream, session reuse), all in the same run and measured in turn: requests/s with keep-alive, p50 at a
// fixed rate, and the added p50 of the hop. Then full and resumed TLS handshakes per second against a
// sidecar's inbound port. Uses the agent built by `npm run build`.
//   flock /tmp/meshlens-bench.lock npm run bench -- mtls [-- --seconds 5 --rounds 1 --connections 32]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { createCa, writeFiles } from './lib/mesh-ca.mjs';
import { ensureNginx, runNginx, waitForPort } from './lib/nginx.mjs';
import { childrenOf, cpuSecondsOf, freePort, ROOT, runLoad, startProcess } from './lib/processes.mjs';

const LIB = fileURLToPath(new URL('./lib/', import.meta.url));
const AGENT_BIN = join(ROOT, 'bin/meshlens-agent.js');
const RATE = 500;
/** Issue 15's target: mTLS keeps at least 85 % of the plaintext pair's throughput with keep-alive. */
const MAX_THROUGHPUT_COST = 0.15;

function parseArgs(args) {
  const opt = { seconds: 5, connections: 32, rounds: 1, handshakeSeconds: 3 };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--seconds') opt.seconds = Number(args[++i]);
    else if (args[i] === '--connections') opt.connections = Number(args[++i]);
    else if (args[i] === '--rounds') opt.rounds = Math.max(1, Number(args[++i]));
    else if (args[i] === '--handshake-seconds') opt.handshakeSeconds = Number(args[++i]);
  }
  return opt;
}

/** `reviews` served by one workload whose sidecar's inbound is at `port`; `mtls`: it takes Istio mTLS. */
function meshConfig(inboundPort, mtls) {
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
  ports: { http: ${inboundPort} }
  labels: { app: reviews, version: v1${mtls ? ', security.istio.io/tlsMode: istio' : ''} }
  serviceAccount: reviews
`;
}

async function startSidecar({ service, appPort, config, otlp, certs, inboundPort }) {
  const ports = {
    inboundPort: inboundPort ?? (await freePort()),
    outboundPort: await freePort(),
    adminPort: await freePort(),
  };
  const flags = [
    'sidecar',
    ...['--service', service, '--app-port', appPort, '--config', config, '--otlp-endpoint', otlp],
    ...['--inbound-port', ports.inboundPort, '--outbound-port', ports.outboundPort],
    ...['--admin-port', ports.adminPort, '--sampling', 100],
    ...(certs ? ['--cert-chain', certs.certChain, '--key', certs.key, '--root-cert', certs.rootCert] : []),
  ].map(String);
  const proc = await startProcess(process.execPath, [AGENT_BIN, ...flags], { ready: null });
  await waitForPort(ports.adminPort, 20_000);
  await waitForPort(ports.outboundPort, 5000);
  return { ...proc, ...ports };
}

/** A sidecar pair: productpage's outbound → reviews' inbound → app, plaintext or over mTLS. */
async function sidecarPair(tmp, upstreamPort, otlp, ca) {
  const reviewsInbound = await freePort();
  const mtls = ca !== undefined;
  const config = join(tmp, `mesh-${mtls ? 'mtls' : 'plain'}.yaml`);
  const certDir = join(tmp, 'certs');
  const certs = async (sa) =>
    mtls
      ? writeFiles(
          certDir,
          sa,
          await ca.issue({ type: 'url', value: `spiffe://cluster.local/ns/default/sa/${sa}` }),
          ca.rootPem,
        )
      : undefined;
  writeFileSync(config, meshConfig(reviewsInbound, mtls));
  const reviewsCerts = await certs('reviews');
  const reviews = await startSidecar({
    service: 'reviews',
    appPort: upstreamPort,
    config,
    otlp,
    certs: reviewsCerts,
    inboundPort: reviewsInbound,
  });
  const productpage = await startSidecar({
    service: 'productpage',
    appPort: await freePort(),
    config,
    otlp,
    certs: await certs('productpage'),
  });
  return { reviews, productpage, certs: reviewsCerts };
}

/** Two nginx servers in one worker: front (plaintext in) → back → app, the hop plaintext or mutual TLS. */
async function startNginxPairs(bin, tmp, upstreamPort, ca) {
  const dir = join(tmp, 'nginx');
  const front = writeFiles(
    join(dir, 'certs'),
    'front',
    await ca.issue({ type: 'dns', value: 'front.mesh' }),
    ca.rootPem,
  );
  const back = writeFiles(
    join(dir, 'certs'),
    'back',
    await ca.issue({ type: 'dns', value: 'back.mesh' }),
    ca.rootPem,
  );
  const p = {
    plainFront: await freePort(),
    plainBack: await freePort(),
    tlsFront: await freePort(),
    tlsBack: await freePort(),
  };
  const proc = await runNginx(
    bin,
    dir,
    `  upstream app { server 127.0.0.1:${upstreamPort}; keepalive 128; keepalive_requests 1000000; }
  upstream plain_back { server 127.0.0.1:${p.plainBack}; keepalive 128; keepalive_requests 1000000; }
  upstream tls_back { server 127.0.0.1:${p.tlsBack}; keepalive 128; keepalive_requests 1000000; }
  server { listen 127.0.0.1:${p.plainBack};
    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; } }
  server { listen 127.0.0.1:${p.plainFront};
    location / { proxy_pass http://plain_back; proxy_http_version 1.1; proxy_set_header Connection ""; } }
  server { listen 127.0.0.1:${p.tlsBack} ssl;
    ssl_certificate ${back.certChain}; ssl_certificate_key ${back.key};
    ssl_client_certificate ${back.rootCert}; ssl_verify_client on; ssl_protocols TLSv1.3;
    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; } }
  server { listen 127.0.0.1:${p.tlsFront};
    location / { proxy_pass https://tls_back; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_ssl_certificate ${front.certChain}; proxy_ssl_certificate_key ${front.key};
      proxy_ssl_trusted_certificate ${front.rootCert}; proxy_ssl_verify on; proxy_ssl_name back.mesh;
      proxy_ssl_server_name on; proxy_ssl_session_reuse on; proxy_ssl_protocols TLSv1.3; } }`,
    p.tlsFront,
  );
  let workers = [];
  for (let i = 0; i < 100 && workers.length === 0; i++) {
    workers = childrenOf(proc.pid).map((pid) => ({ pid }));
    if (workers.length === 0) await new Promise((r) => setTimeout(r, 50));
  }
  return { proc, ports: p, watch: [proc, ...workers] };
}

/** TLS handshakes per second against `port` for `seconds`, `parallel` at a time; resumed or full. */
async function handshakesPerSecond(port, certs, resume, seconds, parallel = 8) {
  const { readFileSync } = await import('node:fs');
  const options = {
    host: '127.0.0.1',
    port,
    cert: readFileSync(certs.certChain),
    key: readFileSync(certs.key),
    ca: readFileSync(certs.rootCert),
    checkServerIdentity: () => undefined,
    ALPNProtocols: ['http/1.1'],
  };
  let session;
  let done = 0;
  let failed = 0;
  const stopAt = performance.now() + seconds * 1000;
  const one = () =>
    new Promise((resolve) => {
      const s = tlsConnect({ ...options, ...(resume && session ? { session } : {}) });
      s.once('session', (t) => {
        session = t;
      });
      s.once('secureConnect', () => {
        // Wait for the ticket (TLS 1.3 sends it after the handshake) so that resumption has one.
        if (resume && !session) s.once('session', () => s.destroy());
        else s.destroy();
        done++;
        resolve();
      });
      s.once('error', () => {
        failed++;
        resolve();
      });
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (performance.now() < stopAt) await one();
    }),
  );
  return { perSecond: done / ((performance.now() - started) / 1000), failed };
}

const fmt = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

export default async function mtlsBench(args = []) {
  const opt = parseArgs(args);
  const durationMs = opt.seconds * 1000;
  const cleanups = [];
  const tmp = mkdtempSync(join(tmpdir(), 'meshlens-bench-mtls-'));
  cleanups.push(async () => rmSync(tmp, { recursive: true, force: true }));
  try {
    const node = (script, ...a) => startProcess(process.execPath, [join(LIB, script), ...a.map(String)]);
    const upstream = await node('upstream.mjs', 0);
    cleanups.push(() => upstream.stop());
    const sink = await node('otlp-sink.mjs', 0);
    cleanups.push(() => sink.stop());
    const otlp = `http://127.0.0.1:${sink.port}/v1/traces`;
    const ca = await createCa();
    console.log(
      `loopback; ${opt.connections} keep-alive connections for throughput, ${RATE} req/s for latency, ${opt.seconds} s a run, best of ${opt.rounds}; ${process.version}; load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}\n`,
    );

    const paths = [{ name: 'direct', target: { port: upstream.port }, watch: [] }];
    const plain = await sidecarPair(tmp, upstream.port, otlp, undefined);
    const mtls = await sidecarPair(tmp, upstream.port, otlp, ca);
    for (const pair of [plain, mtls])
      cleanups.push(
        () => pair.productpage.stop(),
        () => pair.reviews.stop(),
      );
    paths.push(
      {
        name: 'sidecar pair, plaintext',
        target: { port: plain.productpage.outboundPort, host: 'reviews' },
        watch: [plain.productpage, plain.reviews],
      },
      {
        name: 'sidecar pair, mTLS',
        target: { port: mtls.productpage.outboundPort, host: 'reviews' },
        watch: [mtls.productpage, mtls.reviews],
      },
    );
    const nginx = ensureNginx();
    if (nginx.skip) console.log(`nginx: skipped (${nginx.skip})`);
    else {
      const n = await startNginxPairs(nginx.bin, tmp, upstream.port, ca);
      cleanups.push(() => n.proc.stop(3000));
      paths.push(
        { name: 'nginx pair, plaintext', target: { port: n.ports.plainFront }, watch: n.watch },
        { name: 'nginx pair, mutual TLS (proxy_ssl)', target: { port: n.ports.tlsFront }, watch: n.watch },
      );
    }
    for (const path of paths) path.target.path = '/reviews/0';
    // Prime connections, pools, TLS sessions and the JIT.
    for (const path of paths)
      await runLoad({ ...path.target, connections: opt.connections, durationMs: 3000, warmupMs: 0 });

    for (let round = 1; round <= opt.rounds; round++) {
      for (const path of paths) {
        const cpuBefore = path.watch.map((p) => cpuSecondsOf(p.pid));
        const run = await runLoad({
          ...path.target,
          connections: opt.connections,
          durationMs,
          warmupMs: 500,
        });
        const cpu = path.watch.reduce((sum, p, i) => sum + cpuSecondsOf(p.pid) - cpuBefore[i], 0);
        run.cpuUsPerRequest = path.watch.length > 0 ? (cpu / run.completed) * 1e6 : Number.NaN;
        if (path.throughput === undefined || run.rps > path.throughput.rps) path.throughput = run;
        console.log(
          `round ${round} ${path.name.padEnd(36)} ${fmt(run.rps, 0).padStart(7)} req/s  p50 ${fmt(run.p50)} ms  proxy CPU ${fmt(run.cpuUsPerRequest, 0)} µs/req${run.errors + run.non2xx ? `  (${run.errors} errors, ${run.non2xx} non-2xx: ${JSON.stringify(run.statuses)})` : ''}`,
        );
      }
      for (const path of paths) {
        const run = await runLoad({ ...path.target, connections: 8, durationMs, warmupMs: 500, rate: RATE });
        if (path.latency === undefined || run.p50 < path.latency.p50) path.latency = run;
        console.log(
          `round ${round} ${path.name.padEnd(36)} @${RATE}/s p50 ${fmt(run.p50, 3)} p99 ${fmt(run.p99, 3)} ms`,
        );
      }
    }

    const full = await handshakesPerSecond(mtls.reviews.inboundPort, mtls.certs, false, opt.handshakeSeconds);
    const resumed = await handshakesPerSecond(
      mtls.reviews.inboundPort,
      mtls.certs,
      true,
      opt.handshakeSeconds,
    );

    const by = (name) => paths.find((p) => p.name === name);
    const direct = by('direct');
    console.log('\n| path | req/s | p50 ms | proxy CPU µs/req | p50 @500/s | added p50 @500/s |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const p of paths) {
      const added = p === direct ? '–' : fmt(p.latency.p50 - direct.latency.p50, 3);
      console.log(
        `| ${p.name} | ${fmt(p.throughput.rps, 0)} | ${fmt(p.throughput.p50)} | ${fmt(p.throughput.cpuUsPerRequest, 0)} | ${fmt(p.latency.p50, 3)} | ${added} |`,
      );
    }
    const cost = (a, b) => 1 - by(a).throughput.rps / by(b).throughput.rps;
    const sidecarCost = cost('sidecar pair, mTLS', 'sidecar pair, plaintext');
    console.log(
      `\nmTLS throughput cost, sidecar pair: ${fmt(sidecarCost * 100, 1)} % (target ≤ ${MAX_THROUGHPUT_COST * 100} %) ${sidecarCost <= MAX_THROUGHPUT_COST ? 'PASS' : 'MISS'}`,
    );
    if (by('nginx pair, plaintext'))
      console.log(
        `mTLS throughput cost, nginx pair: ${fmt(cost('nginx pair, mutual TLS (proxy_ssl)', 'nginx pair, plaintext') * 100, 1)} %`,
      );
    console.log(
      `added p50 of mTLS over plaintext, sidecar pair: ${fmt(by('sidecar pair, mTLS').latency.p50 - by('sidecar pair, plaintext').latency.p50, 3)} ms`,
    );
    console.log(
      `inbound TLS handshakes/s (one client process, 8 in parallel): full ${fmt(full.perSecond, 0)}, resumed ${fmt(resumed.perSecond, 0)}${full.failed + resumed.failed ? ` (${full.failed + resumed.failed} failed)` : ''}`,
    );
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

// Hardening fuzz run (a measurement, not a test): random and malformed requests against every port of the
// mesh runtime — trace store (OTLP, query), control plane, one sidecar (inbound, outbound, admin) — as
// separate processes of the built agent, for a fixed time. Prints requests sent, answers by class, process
// restarts (must be 0: a process that dies is restarted and counted) and each process's RSS before, after
// and at its peak (must stay under the stated bound), then checks every port still serves real requests.
//   node scripts/bench.mjs hardening [-- --seconds 30 --concurrency 24 --seed 42]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { prng } from './lib/prng.mjs';
import { freePort, memoryOf, ROOT, startProcess } from './lib/processes.mjs';

const AGENT_BIN = join(ROOT, 'bin/meshlens-agent.js');
/** Each process's RSS bound: after the run at most this much above where it started, and its peak below. */
const BOUNDS = { rssGrowthMb: 128, peakRssMb: { 'trace-store': 480, 'control-plane': 256, sidecar: 256 } };
/** How long one fuzz connection may stay open before the fuzzer drops it (a stalled request is expected). */
const CONNECTION_MS = 1_500;
const TOKEN = 'hardening-bench-token';

function parseArgs(args) {
  const opt = { seconds: 30, concurrency: 24, seed: Date.now() % 1_000_000 };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--seconds') opt.seconds = Number(args[++i]);
    else if (args[i] === '--concurrency') opt.concurrency = Number(args[++i]);
    else if (args[i] === '--seed') opt.seed = Number(args[++i]);
  }
  return opt;
}

function fuzzer(random) {
  const int = (n) => Math.floor(random() * n);
  const pick = (xs) => xs[int(xs.length)];
  const bytes = (n) => Buffer.from(Array.from({ length: n }, () => int(256)));
  const text = (n) => Array.from({ length: n }, () => String.fromCharCode(32 + int(95))).join('');
  const deep = (n) => '['.repeat(n) + ']'.repeat(random() < 0.5 ? n : 0);
  const mutatePath = (path) =>
    pick([
      () => path,
      () => `${path}${pick(['%', '%zz', '%ff%fe', '%00', '/..', '//[', '?%', '#x', '\u00e9', ';a=b'])}`,
      () => pick(['//[', '/%', '*', 'http://[::1', 'http://a:b@[', `/${'a'.repeat(int(20_000))}`, '/\u0000']),
      () => `${path}?${Array.from({ length: int(40) }, () => `${text(int(8))}=${text(int(30))}`).join('&')}`,
      () =>
        `${path}?limit=${pick(['-1', '1e309', '99999999999', 'NaN', '1500', '0x10'])}&service=${text(int(50))}`,
    ])();
  const body = () =>
    pick([
      () => Buffer.alloc(0),
      () => bytes(int(4096)),
      () => Buffer.from(deep(1 + int(20_000))),
      () =>
        Buffer.from(
          JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: text(40) }] }] }] }),
        ),
      () => Buffer.from(`{"metadata":{"name":"${text(int(300))}"},"spec":${deep(int(5000))}}`),
      () => gzipSync(Buffer.alloc(int(8) * 1024 * 1024)),
      () => Buffer.from(`{"a":"${'x'.repeat(int(2_000_000))}"}`),
    ])();
  /** A well-formed request with one odd part, so that most requests get past the HTTP parser. */
  const plausible = (paths) => {
    const payload = pick([() => Buffer.alloc(0), body])();
    const method = pick(['GET', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
    const headers = [
      `Host: ${pick(['127.0.0.1', 'details.default.svc.cluster.local', 'reviews'])}`,
      `Authorization: Bearer ${pick([TOKEN, text(20)])}`,
      `Content-Type: ${pick(['application/json', 'application/x-protobuf', 'application/merge-patch+json'])}`,
      `Content-Length: ${payload.length}`,
    ];
    if (random() < 0.5)
      headers.push(
        `x-meshlens-peer: ${Array.from({ length: 6 }, () => encodeURIComponent(text(1 + int(20)))).join(';')}`,
      );
    if (random() < 0.2) headers.push('Content-Encoding: gzip');
    const head = `${method} ${mutatePath(pick(paths))} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`;
    return Buffer.concat([Buffer.from(head, 'utf8'), payload]);
  };
  return (paths) => {
    if (random() < 0.6) return plausible(paths);
    if (random() < 0.05) return bytes(1 + int(2048)); // not HTTP at all
    if (random() < 0.03) return Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
    const method = pick([
      'GET',
      'GET',
      'POST',
      'PUT',
      'PATCH',
      'DELETE',
      'OPTIONS',
      'CONNECT',
      text(int(10)),
      '',
    ]);
    const target = mutatePath(pick(paths));
    const payload = body();
    const headers = [`Host: ${pick(['127.0.0.1', 'reviews', 'evil.example', text(int(300)), ''])}`];
    headers.push(`Authorization: Bearer ${pick([TOKEN, TOKEN, text(int(64)), ''])}`);
    headers.push(
      `Content-Type: ${pick(['application/json', 'application/x-protobuf', 'application/merge-patch+json', 'text/plain', text(20)])}`,
    );
    if (random() < 0.2) headers.push('Content-Encoding: gzip');
    if (random() < 0.3)
      headers.push(
        `x-meshlens-peer: ${Array.from({ length: 6 }, () => encodeURIComponent(text(1 + int(20)))).join(';')}`,
        `x-envoy-peer-metadata: ${text(int(200))}`,
      );
    if (random() < 0.2) headers.push(`x-b3-traceid: ${text(int(40))}`, `b3: ${text(int(80))}`);
    for (let i = int(random() < 0.1 ? 300 : 5); i > 0; i--)
      headers.push(`${text(1 + int(20)).replace(/[:\s]/g, 'x')}: ${text(int(200))}`);
    if (random() < 0.05) headers.push(`X-Big: ${'b'.repeat(int(100_000))}`);
    const framing = pick(['length', 'length', 'short', 'long', 'chunked', 'bad-chunked', 'none']);
    if (framing === 'length') headers.push(`Content-Length: ${payload.length}`);
    else if (framing === 'short') headers.push(`Content-Length: ${Math.max(0, payload.length - 10)}`);
    else if (framing === 'long') headers.push(`Content-Length: ${payload.length + 1 + int(1_000_000)}`);
    else if (framing === 'chunked' || framing === 'bad-chunked') headers.push('Transfer-Encoding: chunked');
    const head = Buffer.from(`${method} ${target} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`, 'latin1');
    let rest = payload;
    if (framing === 'chunked')
      rest = Buffer.concat([
        Buffer.from(`${payload.length.toString(16)}\r\n`),
        payload,
        Buffer.from('\r\n0\r\n\r\n'),
      ]);
    if (framing === 'bad-chunked')
      rest = Buffer.concat([Buffer.from(`${pick(['zz', '-1', 'ffffffffffff', ''])}\r\n`), payload]);
    return random() < 0.1 ? head.subarray(0, int(head.length)) : Buffer.concat([head, rest]);
  };
}

/** One raw connection: writes the bytes, waits for the status line (or gives up), closes. */
function shoot(port, data) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let status = 'none';
    let seen = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(status);
    };
    const timer = setTimeout(done, CONNECTION_MS);
    socket.on('connect', () => socket.write(data, () => undefined));
    socket.on('data', (d) => {
      seen += d.toString('latin1', 0, Math.min(d.length, 64));
      const m = /^HTTP\/1\.[01] (\d)\d\d/.exec(seen);
      if (m) {
        status = `${m[1]}xx`;
        done();
      }
    });
    socket.on('error', () => {
      status = status === 'none' ? 'refused/reset' : status;
      done();
    });
    socket.on('close', done);
  });
}

async function startTargets(dir) {
  const app = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise((r) => app.listen(0, '127.0.0.1', r));
  const appPort = app.address().port;
  writeFileSync(join(dir, 'token'), `${TOKEN},bench\n`, { mode: 0o600 });
  const p = {
    otlp: await freePort(),
    query: await freePort(),
    cp: await freePort(),
    inbound: await freePort(),
    outbound: await freePort(),
    admin: await freePort(),
  };
  writeFileSync(
    join(dir, 'mesh.yaml'),
    `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: details, namespace: default}
spec:
  hosts: [details.default.svc.cluster.local]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{number: 9080, name: http}]
  workloadSelector: {labels: {app: details}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: details-v1, namespace: default}
spec:
  address: 127.0.0.1
  ports: {http: ${p.inbound}}
  labels: {app: details, version: v1, meshlens.io/workload: details-v1}
`,
  );
  const specs = {
    'trace-store': {
      args: ['trace-store', '--otlp-port', p.otlp, '--query-port', p.query],
      ready: /trace-store: OTLP/,
    },
    'control-plane': {
      args: [
        'control-plane',
        '--port',
        p.cp,
        '--data-dir',
        join(dir, 'cp'),
        '--token-file',
        join(dir, 'token'),
      ],
      ready: /listening on/,
    },
    sidecar: {
      args: [
        'sidecar',
        ...[
          '--service',
          'details',
          '--version',
          'v1',
          '--app-port',
          appPort,
          '--config',
          join(dir, 'mesh.yaml'),
        ],
        ...['--inbound-port', p.inbound, '--outbound-port', p.outbound, '--admin-port', p.admin],
        ...['--sampling', '100', '--otlp-endpoint', `http://127.0.0.1:${p.otlp}/v1/traces`],
      ],
      ready: / ready: /,
    },
  };
  const procs = {};
  const restarts = { 'trace-store': 0, 'control-plane': 0, sidecar: 0 };
  let stopping = false;
  const launch = async (name) => {
    const proc = await startProcess(process.execPath, [AGENT_BIN, ...specs[name].args.map(String)], {
      ready: specs[name].ready,
    });
    procs[name] = proc;
    proc.child.once('exit', (code, signal) => {
      if (stopping) return;
      restarts[name]++;
      console.log(
        `  ! ${name} died (${signal ?? `code ${code}`}); restarting. Its last output:\n${proc.output().slice(-2000)}`,
      );
      void launch(name).catch((err) => console.log(`  ! ${name} did not restart: ${err.message}`));
    });
  };
  for (const name of Object.keys(specs)) await launch(name);
  return {
    ports: p,
    procs,
    restarts,
    async stop() {
      stopping = true;
      await Promise.all(Object.values(procs).map((x) => x.stop()));
      await new Promise((r) => app.close(r));
    },
  };
}

const TARGETS = (p) => [
  { name: 'trace-store OTLP', proc: 'trace-store', port: p.otlp, paths: ['/v1/traces', '/'] },
  {
    name: 'trace-store query',
    proc: 'trace-store',
    port: p.query,
    paths: [
      '/api/services',
      '/api/traces',
      '/api/traces/abc',
      '/api/v3/traces',
      '/api/dependencies',
      '/api/v3/services',
    ],
  },
  {
    name: 'control plane',
    proc: 'control-plane',
    port: p.cp,
    paths: [
      '/apis/networking.istio.io/v1/namespaces/default/virtualservices',
      '/apis/networking.istio.io/v1/namespaces/default/virtualservices/x',
      '/apis/networking.istio.io/v1/virtualservices?watch=true',
      '/apis',
      '/v1/prometheus/sd',
    ],
  },
  { name: 'sidecar inbound', proc: 'sidecar', port: p.inbound, paths: ['/', '/details/0'] },
  {
    name: 'sidecar outbound',
    proc: 'sidecar',
    port: p.outbound,
    paths: ['/', 'http://details.default.svc.cluster.local:9080/'],
  },
  {
    name: 'sidecar admin',
    proc: 'sidecar',
    port: p.admin,
    paths: ['/stats/prometheus', '/ready', '/config_dump', '/clusters'],
  },
];

/** Real requests each port must still answer after the run. */
async function stillServing(p) {
  // node:http, not fetch: the sidecar's outbound route is chosen by the Host header, which fetch sets itself.
  const get = (url, headers = {}) =>
    new Promise((resolve) => {
      const req = request(url, { headers, timeout: 5_000 }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      });
      req.on('timeout', () => req.destroy(new Error('timed out after 5 s')));
      req.on('error', (err) => resolve(err.message));
      req.end();
    });
  return {
    'trace-store query /api/services': await get(`http://127.0.0.1:${p.query}/api/services`),
    'control plane list': await get(
      `http://127.0.0.1:${p.cp}/apis/networking.istio.io/v1/namespaces/default/virtualservices`,
      { authorization: `Bearer ${TOKEN}` },
    ),
    'sidecar admin /ready': await get(`http://127.0.0.1:${p.admin}/ready`),
    'sidecar outbound to details': await get(`http://127.0.0.1:${p.outbound}/`, {
      host: 'details.default.svc.cluster.local',
    }),
  };
}

export default async function hardening(args) {
  const opt = parseArgs(args);
  const dir = mkdtempSync(join(tmpdir(), 'meshlens-hardening-'));
  const targets = await startTargets(dir);
  try {
    const before = Object.fromEntries(Object.entries(targets.procs).map(([n, x]) => [n, memoryOf(x.pid)]));
    const fuzz = fuzzer(prng(opt.seed));
    const counts = new Map(TARGETS(targets.ports).map((t) => [t.name, new Map()]));
    const deadline = Date.now() + opt.seconds * 1000;
    let sent = 0;
    const worker = async (i) => {
      const all = TARGETS(targets.ports);
      for (let n = i; Date.now() < deadline; n++) {
        const t = all[n % all.length];
        const status = await shoot(t.port, fuzz(t.paths));
        sent++;
        const c = counts.get(t.name);
        c.set(status, (c.get(status) ?? 0) + 1);
      }
    };
    console.log(`fuzzing ${opt.seconds} s, ${opt.concurrency} connections at a time, seed ${opt.seed}`);
    await Promise.all(Array.from({ length: opt.concurrency }, (_, i) => worker(i)));
    const serving = await stillServing(targets.ports);
    const after = Object.fromEntries(Object.entries(targets.procs).map(([n, x]) => [n, memoryOf(x.pid)]));

    console.log(`requests sent: ${sent}`);
    for (const [name, c] of counts) {
      const parts = [...c].sort().map(([k, v]) => `${k} ${v}`);
      console.log(`  ${name.padEnd(18)} ${parts.join(', ')}`);
    }
    let pass = true;
    console.log('process          restarts  RSS before  RSS after  peak RSS   bound');
    for (const name of Object.keys(targets.procs)) {
      const b = before[name];
      const a = after[name];
      const peakBound = BOUNDS.peakRssMb[name];
      const ok =
        targets.restarts[name] === 0 && a.rssMb - b.rssMb <= BOUNDS.rssGrowthMb && a.peakRssMb <= peakBound;
      pass &&= ok;
      console.log(
        `${name.padEnd(16)} ${String(targets.restarts[name]).padStart(8)}  ${b.rssMb.toFixed(0).padStart(7)} MB  ${a.rssMb.toFixed(0).padStart(6)} MB  ${a.peakRssMb.toFixed(0).padStart(5)} MB  +${BOUNDS.rssGrowthMb} MB, peak ≤ ${peakBound} MB  ${ok ? 'PASS' : 'MISS'}`,
      );
    }
    console.log('still serving afterwards:');
    for (const [what, status] of Object.entries(serving)) {
      const ok = status === 200;
      pass &&= ok;
      console.log(`  ${what.padEnd(34)} ${status} ${ok ? 'PASS' : 'MISS'}`);
    }
    console.log(`hardening: ${pass ? 'PASS' : 'MISS'} (seed ${opt.seed})`);
  } finally {
    await targets.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await hardening(process.argv.slice(2));

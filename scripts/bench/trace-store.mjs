// Trace-store benchmark (a measurement, not a test): spans/s ingested over OTLP/HTTP JSON and protobuf by the
// trace-store process (single-threaded: one core), and /api/traces search latency with 100,000 spans stored.
// Payloads are encoded before the clock starts; the sender runs in this process with a few requests in
// flight. Uses the agent built by `npm run build` (dist/agent).
//   node scripts/bench.mjs trace-store [-- --spans 100000 --batch 500 --searches 200 --trace-gc]
// --trace-gc runs the store with node's --trace-gc and reports its GC pauses during the searches.
// --cpu-prof DIR runs the store with node's --cpu-prof (a .cpuprofile per store process, written at its exit).
// --node-flag F (repeatable) runs the store process with a node/V8 flag, e.g. --max-semi-space-size=32.
//   node scripts/bench/trace-store.mjs [--spans N ...]
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import protobuf from 'protobufjs';
import { cpuSecondsOf, freePort, memoryOf, ROOT, startProcess } from './lib/processes.mjs';

// Issue 19: ≥ 100,000 spans/s per core for OTLP/JSON and protobuf; search p99 ≤ 50 ms.
const TARGETS = { spansPerSecond: 100_000, searchP99Ms: 50 };
const SERVICES = ['productpage', 'reviews', 'ratings', 'details', 'ingress'];
const SPANS_PER_TRACE = 10;
const IN_FLIGHT = 4;
const PROTO_DIR = join(ROOT, 'proxy-agent/src/trace-store/proto');

function parseArgs(args) {
  const opt = {
    spans: 100_000,
    batch: 500,
    searches: 200,
    traceGc: false,
    cpuProf: undefined,
    nodeFlags: [],
  };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--spans') opt.spans = Number(args[++i]);
    else if (args[i] === '--batch') opt.batch = Number(args[++i]);
    else if (args[i] === '--searches') opt.searches = Number(args[++i]);
    else if (args[i] === '--trace-gc') opt.traceGc = true;
    else if (args[i] === '--cpu-prof') opt.cpuProf = args[++i];
    else if (args[i] === '--node-flag') opt.nodeFlags.push(String(args[++i]));
  }
  return opt;
}

/** Mesh-like spans: traces of 10 hops over 5 services, Istio/Envoy-style tags, 5 % errors. */
export function makeRequests(totalSpans, batchSize) {
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const requests = [];
  let made = 0;
  let traceNo = 0;
  while (made < totalSpans) {
    const byService = new Map();
    for (let n = 0; n < batchSize && made < totalSpans; traceNo++) {
      const traceId = randomBytes(16).toString('hex');
      const failing = traceNo % 20 === 0;
      let parent = '';
      for (let i = 0; i < SPANS_PER_TRACE && n < batchSize && made < totalSpans; i++, n++, made++) {
        const service = SERVICES[i % SERVICES.length];
        const spanId = randomBytes(8).toString('hex');
        const start = nowNs - BigInt(traceNo % 3600) * 1_000_000_000n + BigInt(i) * 1_000_000n;
        const durationNs = BigInt(((traceNo * 7919 + i * 104729) % 200_000) + 100) * 1000n;
        const status = failing && i === SPANS_PER_TRACE - 1 ? 503 : 200;
        const span = {
          traceId,
          spanId,
          parentSpanId: parent,
          name: `${service}.default.svc.cluster.local:9080/*`,
          kind: i % 2 === 0 ? 2 : 3,
          startTimeUnixNano: start.toString(),
          endTimeUnixNano: (start + durationNs).toString(),
          attributes: [
            { key: 'http.method', value: { stringValue: 'GET' } },
            { key: 'http.url', value: { stringValue: `http://${service}:9080/${service}/${traceNo}` } },
            { key: 'http.status_code', value: { intValue: String(status) } },
            {
              key: 'upstream_cluster',
              value: { stringValue: `outbound|9080|v1|${service}.default.svc.cluster.local` },
            },
            { key: 'response_flags', value: { stringValue: status === 503 ? 'URX' : '-' } },
            { key: 'peer.address', value: { stringValue: '127.0.0.1' } },
            { key: 'retry.attempts', value: { intValue: status === 503 ? '3' : '1' } },
            { key: 'guid:x-request-id', value: { stringValue: randomBytes(8).toString('hex') } },
          ],
          events: status === 503 ? [{ name: 'retry', timeUnixNano: start.toString(), attributes: [] }] : [],
          status: status === 503 ? { code: 2, message: 'upstream 503' } : {},
        };
        parent = spanId;
        if (!byService.has(service)) byService.set(service, []);
        byService.get(service).push(span);
      }
    }
    requests.push({
      resourceSpans: [...byService].map(([service, spans]) => ({
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: `${service}.default` } },
            { key: 'service.version', value: { stringValue: 'v1' } },
          ],
        },
        scopeSpans: [{ scope: { name: 'meshlens-sidecar', version: '0.1.0' }, spans }],
      })),
    });
  }
  return requests;
}

function protobufEncoder() {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(PROTO_DIR, target);
  root.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto');
  const type = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
  const hexToBytes = (hex) => (hex ? Buffer.from(hex, 'hex') : Buffer.alloc(0));
  return (req) => {
    const message = {
      resourceSpans: req.resourceSpans.map((rs) => ({
        ...rs,
        scopeSpans: rs.scopeSpans.map((ss) => ({
          ...ss,
          spans: ss.spans.map((s) => ({
            ...s,
            traceId: hexToBytes(s.traceId),
            spanId: hexToBytes(s.spanId),
            parentSpanId: hexToBytes(s.parentSpanId),
          })),
        })),
      })),
    };
    return Buffer.from(type.encode(type.fromObject(message)).finish());
  };
}

function post(agent, port, body, contentType) {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/v1/traces',
        method: 'POST',
        agent,
        headers: { 'content-type': contentType, 'content-length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200
            ? resolve()
            : reject(new Error(`POST /v1/traces answered ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.on('socket', (socket) => socket.setNoDelay(true));
    req.end(body);
  });
}

/** Sends every body with IN_FLIGHT requests outstanding; returns wall seconds and the store's CPU seconds. */
async function ingest(store, port, bodies, contentType) {
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const cpu0 = cpuSecondsOf(store.pid);
  const own0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < bodies.length) await post(agent, port, bodies[next++], contentType);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  agent.destroy();
  const own = process.cpuUsage(own0);
  return {
    seconds,
    cpuSeconds: cpuSecondsOf(store.pid) - cpu0,
    senderCpuSeconds: (own.user + own.system) / 1e6,
  };
}

/** A byte budget holding `maxTraces` bench traces (10 spans of ~2.3 KB each, as the store counts them). */
function maxBytesFor(maxTraces) {
  return Math.max(256 * 1024 * 1024, maxTraces * SPANS_PER_TRACE * 4096);
}

async function startStore(maxTraces, traceGc, cpuProf, nodeFlags = []) {
  const [otlpPort, queryPort] = [await freePort(), await freePort()];
  const store = await startProcess(
    process.execPath,
    [
      ...(traceGc ? ['--trace-gc'] : []),
      ...(cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${cpuProf}`] : []),
      ...nodeFlags,
      join(ROOT, 'bin/meshlens-agent.js'),
      'trace-store',
      '--otlp-port',
      otlpPort,
      '--query-port',
      queryPort,
      '--max-traces',
      maxTraces,
      // The byte budget (default 256 MiB, ~2.3 KB a bench span) must not evict what the searches read.
      '--max-bytes',
      maxBytesFor(maxTraces),
    ].map(String),
    { ready: /Jaeger query API on/ },
  );
  return { store, otlpPort, queryPort };
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const QUERIES = [
  'service=productpage.default&limit=20',
  'service=reviews.default&limit=100',
  `service=ratings.default&operation=${encodeURIComponent('ratings.default.svc.cluster.local:9080/*')}&limit=20`,
  `service=details.default&tags=${encodeURIComponent('{"error":"true"}')}&limit=20`,
  `service=ingress.default&tags=${encodeURIComponent('{"http.status_code":"503","response_flags":"URX"}')}&limit=20`,
  'service=reviews.default&minDuration=150ms&limit=20',
  'service=productpage.default&minDuration=10ms&maxDuration=20ms&limit=20',
];

/** GET `path` on 127.0.0.1:`port`; resolves with the answer's size in bytes. */
function httpGet(port, agent, path) {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, agent }, (res) => {
      let bytes = 0;
      res.on('data', (c) => {
        bytes += c.length;
      });
      res.on('end', () =>
        res.statusCode === 200 ? resolve(bytes) : reject(new Error(`${path}: ${res.statusCode}`)),
      );
    })
      .on('error', reject)
      .on('socket', (socket) => socket.setNoDelay(true))
      .end();
  });
}

/**
 * CPU time per search, contention-proof: the store runs in this process (same data, same HTTP path) and
 * each request is timed by this process's CPU clock, which other processes on the machine do not advance.
 */
async function searchCpuInProcess(bodies, maxTraces, count) {
  const { startTraceStore } = await import(pathToFileURL(join(ROOT, 'dist/agent/index.js')).href);
  const ts = await startTraceStore({
    otlpPort: 0,
    queryPort: 0,
    maxTraces,
    maxBytes: maxBytesFor(maxTraces),
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    collectGarbage();
    const heap0 = process.memoryUsage().heapUsed;
    for (const body of bodies) await post(agent, ts.otlpPort, body, 'application/json');
    collectGarbage();
    const spans = ts.store.spanCount;
    const heapPerSpan = (process.memoryUsage().heapUsed - heap0) / spans;
    console.log(
      `memory per stored span (store in this process, ${fmt(spans)} spans): heap after a full GC ${fmt(heapPerSpan)} bytes; ` +
        `as the store counts it for --max-bytes ${fmt(ts.store.byteCount / spans)} bytes`,
    );
    for (const q of QUERIES) await httpGet(ts.queryPort, agent, `/api/traces?${q}`);
    const cpuMs = [];
    for (let i = 0; i < count; i++) {
      const c0 = process.cpuUsage();
      await httpGet(ts.queryPort, agent, `/api/traces?${QUERIES[i % QUERIES.length]}`);
      const d = process.cpuUsage(c0);
      cpuMs.push((d.user + d.system) / 1000);
    }
    return cpuMs.sort((a, b) => a - b);
  } finally {
    agent.destroy();
    await ts.close();
  }
}

async function searchLatencies(queryPort, pid, count, onSearchesDone = () => {}) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const queries = QUERIES;
  const byQuery = new Map(queries.map((q) => [q, []]));
  const get = (path) => httpGet(queryPort, agent, path);
  for (const q of queries) await get(`/api/traces?${q}`); // warm-up
  const cpu0 = cpuSecondsOf(pid);
  const all = [];
  for (let i = 0; i < count; i++) {
    const q = queries[i % queries.length];
    const t0 = process.hrtime.bigint();
    await get(`/api/traces?${q}`);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    byQuery.get(q).push(ms);
    all.push(ms);
  }
  const cpuMsPerSearch = ((cpuSecondsOf(pid) - cpu0) * 1000) / count;
  // The largest answer the Jaeger UI asks for (limit 1500): bound by JSON size, reported apart.
  onSearchesDone();
  const bulk = [];
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    const bytes = await get('/api/traces?service=details.default&limit=1500');
    bulk.push({ ms: Number(process.hrtime.bigint() - t0) / 1e6, bytes });
  }
  agent.destroy();
  return { all: all.sort((a, b) => a - b), byQuery, cpuMsPerSearch, bulk };
}

/** Spans per second of CPU that JSON.parse alone takes over `bodies` (best of 3 passes). */
function jsonParseRate(bodies, spans) {
  let best = Number.POSITIVE_INFINITY;
  for (let pass = 0; pass < 3; pass++) {
    collectGarbage();
    const c0 = process.cpuUsage();
    for (const body of bodies) JSON.parse(body.toString('utf8'));
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / 1e6);
  }
  return spans / best;
}

/** A full GC of this process now (node's gc(), exposed for this call). */
function collectGarbage() {
  setFlagsFromString('--expose-gc');
  runInNewContext('gc')();
}

/** GC pauses of this (the client) process from now until stop(): they would inflate the measured latency. */
function gcPauses() {
  const seen = { count: 0, maxMs: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      seen.count++;
      seen.maxMs = Math.max(seen.maxMs, e.duration);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    stop() {
      observer.disconnect();
      return seen;
    },
  };
}

const fmt = (n, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const mark = (ok) => (ok ? 'PASS' : 'MISS');

export default async function traceStoreBench(args = []) {
  const opt = parseArgs(args);
  console.log(
    `trace-store: ${fmt(opt.spans)} spans per run, batches of ${opt.batch} spans, ${IN_FLIGHT} requests in flight; ` +
      `load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} on ${availableParallelism()} cores` +
      (opt.nodeFlags.length > 0 ? `; store process run with ${opt.nodeFlags.join(' ')}` : ''),
  );
  // Only the encoded bodies are kept: the request objects (millions of small objects) would make this
  // process's own GC pauses part of the latencies it measures.
  let requests = makeRequests(opt.spans, opt.batch);
  const jsonBodies = requests.map((r) => Buffer.from(JSON.stringify(r)));
  const protoBodies = requests.map(protobufEncoder());
  requests = undefined;
  const maxTraces = Math.ceil(opt.spans / SPANS_PER_TRACE) + 1000;
  const results = {};
  // The floor: JSON.parse alone of the same bodies (CPU of this process), what any JSON receiver pays.
  const floor = jsonParseRate(jsonBodies, opt.spans);
  console.log(
    `floor: JSON.parse of the same OTLP/JSON bodies: ${fmt(floor)} spans/s on one core (this process, best of 3)`,
  );
  results.jsonParseFloor = floor;

  for (const [name, bodies, type] of [
    ['OTLP/JSON', jsonBodies, 'application/json'],
    ['OTLP/protobuf', protoBodies, 'application/x-protobuf'],
  ]) {
    const { store, otlpPort, queryPort } = await startStore(
      maxTraces,
      opt.traceGc,
      opt.cpuProf,
      opt.nodeFlags,
    );
    try {
      const idleRssMb = memoryOf(store.pid).rssMb;
      const mb = bodies.reduce((n, b) => n + b.length, 0) / 1e6;
      const run = await ingest(store, otlpPort, bodies, type);
      const rate = opt.spans / run.seconds;
      // The store is one thread: spans per second of its CPU time is its rate on one core, whatever else
      // the machine is running; the wall-clock rate is printed beside it.
      const perCore = opt.spans / run.cpuSeconds;
      const { rssMb } = memoryOf(store.pid);
      results[name] = perCore;
      console.log(
        `ingest ${name.padEnd(13)}: ${fmt(perCore)} spans/s on one core (${fmt(opt.spans)} spans in ${fmt(run.cpuSeconds, 2)} s ` +
          `of store CPU; wall ${fmt(rate)} spans/s, ${fmt(mb, 1)} MB in ${fmt(run.seconds, 2)} s; RSS ${fmt(rssMb)} MB) — ` +
          `target ≥ ${fmt(TARGETS.spansPerSecond)}: ${fmt(perCore / TARGETS.spansPerSecond, 2)}× ${mark(perCore >= TARGETS.spansPerSecond)}; ` +
          `${fmt(perCore / floor, 2)}× the JSON.parse floor`,
      );
      console.log(
        `  store RSS growth per stored span: ${fmt(((rssMb - idleRssMb) * 1024 * 1024) / opt.spans)} bytes ` +
          `(RSS ${fmt(idleRssMb)} MB idle → ${fmt(rssMb)} MB; includes garbage not yet collected)`,
      );
      if (name === 'OTLP/JSON') {
        collectGarbage(); // the request objects, dead since encoding, are not collected in the timed part
        const gcFrom = store.output().length;
        const benchGc = gcPauses();
        let ownGc;
        let gcTo = 0;
        const { all, byQuery, cpuMsPerSearch, bulk } = await searchLatencies(
          queryPort,
          store.pid,
          opt.searches,
          () => {
            ownGc = benchGc.stop();
            gcTo = store.output().length;
          },
        );
        if (opt.traceGc) {
          // The store's stderr arrives through a pipe: lines up to the end of the searches, give or take one.
          const lines = store.output().slice(gcFrom, gcTo).split('\n');
          for (const kind of ['Scavenge', 'Mark-Compact']) {
            const ms = lines
              .filter((l) => l.includes(`: ${kind} `))
              .map((l) => Number(/MB, ([\d.]+) \//.exec(l)?.[1] ?? 0));
            console.log(
              `  store GC during the searches: ${ms.length} × ${kind}, pauses total ${fmt(
                ms.reduce((a, b) => a + b, 0),
                1,
              )} ms, max ${fmt(Math.max(0, ...ms), 1)} ms`,
            );
          }
        }
        console.log(
          `  benchmark process's own GC during the searches: ${ownGc.count}, max pause ${fmt(ownGc.maxMs, 1)} ms`,
        );
        const p50 = percentile(all, 50);
        const p99 = percentile(all, 99);
        for (const [q, ms] of byQuery) {
          const sorted = ms.sort((a, b) => a - b);
          console.log(
            `  /api/traces?${decodeURIComponent(q).padEnd(92)} p50 ${fmt(percentile(sorted, 50), 1)} ms, ` +
              `p99 ${fmt(percentile(sorted, 99), 1)} ms, max ${fmt(sorted[sorted.length - 1] ?? 0, 1)} ms`,
          );
        }
        console.log(
          `search /api/traces with ${fmt(opt.spans)} spans stored: p50 ${fmt(p50, 1)} ms, p99 ${fmt(p99, 1)} ms ` +
            `(${all.length} requests) — target p99 ≤ ${TARGETS.searchP99Ms} ms: ${fmt(p99 / TARGETS.searchP99Ms, 2)}× ` +
            `${mark(p99 <= TARGETS.searchP99Ms)}`,
        );
        console.log(`  store CPU per search: ${fmt(cpuMsPerSearch, 2)} ms (mean)`);
        const bulkMs = bulk.map((b) => b.ms).sort((a, b) => a - b);
        console.log(
          `bulk /api/traces?service=details.default&limit=1500 (${fmt((bulk[0]?.bytes ?? 0) / 1e6, 1)} MB of JSON): ` +
            `median ${fmt(percentile(bulkMs, 50), 1)} ms (not in the target set)`,
        );
        results.searchP50Ms = p50;
        results.searchP99Ms = p99;
        const cpu = await searchCpuInProcess(bodies, maxTraces, opt.searches);
        const cpuP99 = percentile(cpu, 99);
        console.log(
          `search CPU time per request (store in this process, ${cpu.length} requests): p50 ${fmt(percentile(cpu, 50), 1)} ms, ` +
            `p99 ${fmt(cpuP99, 1)} ms — what p99 latency would be on an idle core: ` +
            `${fmt(cpuP99 / TARGETS.searchP99Ms, 2)}× of the target ${mark(cpuP99 <= TARGETS.searchP99Ms)}`,
        );
        results.searchCpuP99Ms = cpuP99;
      }
    } finally {
      await store.stop();
    }
  }
  return results;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await traceStoreBench(process.argv.slice(2));
}

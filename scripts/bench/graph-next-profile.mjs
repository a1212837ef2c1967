// A CPU profile of the running Next server on the graph's cold (1 m, 5 m, 2 m: the dense series averaged), polled and `latency=false` requests (a measurement,
// not a test): the built dashboard (`next start --cpu-prof`) reads the loopback Prometheus of `graph-assembly`
// (the same synthetic mesh, with the rules; the rates moving from request to request, `--moving F` as there, and
// each reporter's rates query answered with its own series: before, with both, so every series was walked twice),
// so the profile holds the route's whole path — the reads through
// undici, the build, the streamed JSON, Next's own wrapping — without Prometheus' variance. Prints each case's
// time, Next's CPU a request (profiled: ~10 % above unprofiled) and where that CPU went, by the source files of
// the stack (through `next build`'s source maps), and with `--top N` its N functions of most self time; the profile is
// kept for DevTools.
// A cold request reads its latency for a pinned second of its own (as the graph bench's cold cases: nothing kept).
// `--prometheus URL --end SEC`: a real Prometheus instead (e.g. one on the graph bench's kept `--data`, whose
// `end` file gives the time), for what the loopback one does not show: answers arriving as Prometheus
// evaluates them, on the same cores.
// `--data DIR`: a Prometheus started here on the graph bench's kept data directory (its `tsdb`, and `end` for the
// time; give it a copy: Prometheus compacts what it opens), once it has settled.
// `--interleave`: the cases' requests alternated (no profile), each case's Next CPU a request read request by request:
// run one after the other, the case run second pays more of V8's collections whichever it is.
// `--no-profile`: the server without `--cpu-prof` (Next's CPU a request as served, for an A/B or against
// `graph-assembly`'s CPU a build on the same answers).
// `--reads`: no CPU profile; instead the server logs every Prometheus read (`MESHLENS_PROMETHEUS_READ_TRACE`) and
// its garbage collections, and each case prints its requests' reads on the request's clock (sent, first and last
// byte, ms after the request arrived), then the same reads sent at once from here, as the graph bench's floor
// sends them (node:http, uncompressed), on the same clock.
// `--heap-snapshot`: after the cases, a heap snapshot of the server (`--heapsnapshot-signal`, kept in --out) and what
// holds its memory: the top of its dominator tree, and the objects no one object holds alone (a memo's entries, say)
// grouped by their properties and their holders' kinds (round 14: the kept request labels were V8 dictionaries).
//   node scripts/bench.mjs graph-next-profile [-- --workloads 5000 --edges 15000 --runs 8 --out DIR
//     --cases cold,cold5m,cold2m,polled,latency=false --prometheus URL --end SEC --data DIR --reads --moving F
//     --top N --no-profile --interleave --heap-snapshot]

import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { Agent, request } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { syntheticMesh } from './graph.mjs';
import { movingPrometheus } from './graph-assembly.mjs';
import { startDashboard } from './lib/dashboard.mjs';
import { loadGraphLib, loopbackPrometheus } from './lib/graph-fixture.mjs';
import { childrenOf, cpuSecondsOf, cpuSecondsOfAll, freePort, ROOT, startProcess } from './lib/processes.mjs';

function parseArgs(args) {
  const opt = {
    workloads: 5000,
    edges: 15000,
    runs: 8,
    out: undefined,
    cases: undefined,
    prometheus: undefined,
    end: undefined,
    data: undefined,
    reads: false,
    moving: 1,
    top: 0,
    profile: true,
    interleave: false,
    heapSnapshot: false,
  };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--workloads') opt.workloads = Number(args[++i]);
    else if (args[i] === '--edges') opt.edges = Number(args[++i]);
    else if (args[i] === '--runs') opt.runs = Number(args[++i]);
    else if (args[i] === '--out') opt.out = resolve(args[++i]);
    else if (args[i] === '--cases') opt.cases = args[++i].split(',');
    else if (args[i] === '--prometheus') opt.prometheus = args[++i];
    else if (args[i] === '--end') opt.end = Number(args[++i]);
    else if (args[i] === '--data') opt.data = resolve(args[++i]);
    else if (args[i] === '--reads') opt.reads = true;
    else if (args[i] === '--moving') opt.moving = Number(args[++i]);
    else if (args[i] === '--top') opt.top = Number(args[++i]);
    else if (args[i] === '--no-profile') opt.profile = false;
    else if (args[i] === '--interleave') opt.interleave = true;
    else if (args[i] === '--heap-snapshot') opt.heapSnapshot = true;
  }
  return opt;
}

/** A frame's source file (through `next build`'s source maps), and with `line` its line and function. */
function sourceMapper() {
  const { SourceMapConsumer } = createRequire(join(ROOT, 'package.json'))('source-map-js');
  const maps = new Map();
  return ({ url, lineNumber, columnNumber, functionName }, line = false) => {
    const file = url.replace('file://', '');
    const name = functionName || '(anonymous)';
    if (!file.includes('.next/') || !existsSync(`${file}.map`))
      return line
        ? `${name} ${file.replace(/.*node_modules\//, '')}:${lineNumber + 1}`
        : file || functionName;
    if (!maps.has(file))
      maps.set(file, new SourceMapConsumer(JSON.parse(readFileSync(`${file}.map`, 'utf8'))));
    const at = maps.get(file).originalPositionFor({ line: lineNumber + 1, column: columnNumber });
    if (!line) return at.source ?? file;
    return `${at.name ?? name} ${(at.source ?? file).replace(/.*node_modules\//, '').replace(/^.*\/(lib|app)\//, '$1/')}:${at.line}`;
  };
}

/** The `n` functions of most self time in a window of the profile (ms of samples a request). */
function topFunctions(profile, from, to, requests, n) {
  const source = sourceMapper();
  const byId = new Map(profile.nodes.map((x) => [x.id, x]));
  const sums = new Map();
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    if (t < from || t > to) continue;
    const key = source(byId.get(profile.samples[i]).callFrame, true);
    sums.set(key, (sums.get(key) ?? 0) + profile.timeDeltas[i]);
  }
  return [...sums]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([f, us]) => `${(us / 1000 / requests).toFixed(1).padStart(7)} ms  ${f}`)
    .join('\n');
}

// Where a window of the profile went, by category of the stack (ms of samples a request).
function breakdown(profile, from, to, requests) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const source = sourceMapper();
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

/** CPU ms (user, system) of every thread of `pids`, by thread name (`/proc/PID/task/TID`: main, V8's workers, libuv's). */
function threadCpu(pids) {
  const by = new Map();
  for (const pid of pids) {
    let tids = [];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const name = tid === String(pid) ? 'main' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const [u, sy] = by.get(name) ?? [0, 0];
        by.set(name, [u + Number(f[11]) * 10, sy + Number(f[12]) * 10]);
      } catch {
        // exited
      }
    }
  }
  return by;
}

/** The CPU of each thread name between two `threadCpu` readings, ms a request: `name user+system`. */
function threadLines(before, after, requests) {
  return [...after]
    .map(([name, [u, s]]) => {
      const [u0, s0] = before.get(name) ?? [0, 0];
      return [name, (u - u0) / requests, (s - s0) / requests];
    })
    .filter(([, u, s]) => u + s > 0)
    .sort((a, b) => b[1] + b[2] - a[1] - a[2])
    .map(([name, u, s]) => `${name} ${u.toFixed(0)}+${s.toFixed(0)}`)
    .join(', ');
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/**
 * Prometheus on a kept data directory (`DIR/tsdb`, `DIR/end`), resolved once it has been up 75 s and idle for 2 s
 * (a just-started Prometheus compacts the blocks it opened, on the cores the reads need), at most 4 minutes.
 */
async function prometheusOn(data, dir) {
  writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 15s\nscrape_configs: []\n');
  const port = await freePort();
  const prom = await startProcess(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(data, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=100y',
    ],
    { ready: /Server is ready to receive web requests/, timeoutMs: 120_000 },
  );
  const started = performance.now();
  for (;;) {
    const before = cpuSecondsOf(prom.pid);
    await sleep(2000);
    const busy = (cpuSecondsOf(prom.pid) - before) / 2;
    if ((performance.now() - started >= 75_000 && busy < 0.05) || performance.now() - started > 240_000)
      break;
  }
  console.log(`Prometheus on ${data} settled after ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return {
    url: `http://127.0.0.1:${port}`,
    pid: prom.pid,
    end: Number(readFileSync(join(data, 'end'), 'utf8')),
    close: () => prom.stop(),
  };
}

/** A read's short name, by the metric it reads. */
function readName(query) {
  const envoy = /envoy_cluster_(\w+)/.exec(query);
  if (envoy) return envoy[1].replace(/^upstream_rq_|^outlier_detection_/, '');
  if (query.includes('istio_tcp')) return 'tcp';
  if (query.includes('bucket')) return 'buckets';
  if (query.includes('istio_requests_total')) return 'rates';
  return query.slice(0, 24);
}

/** The server's trace lines (`MESHLENS_PROMETHEUS_READ_TRACE`) from byte `from`, split into its requests. */
function tracedRequests(file, from) {
  const requests = [];
  for (const line of readFileSync(file, 'utf8').slice(from).split('\n')) {
    if (line.trim() === '') continue;
    const e = JSON.parse(line);
    if (e.event === 'request') requests.push({ at: e.t, cpu: e.cpu, reads: [], gcs: [], marks: {} });
    const r = requests[requests.length - 1];
    if (!r || e.event === 'request') continue;
    if (e.event === 'read') r.reads.push(e);
    else if (e.event === 'gc') r.gcs.push(e);
    else r.marks[e.event] = e;
  }
  return requests;
}

/** One POST to Prometheus' instant query, uncompressed, timed as the server's trace times its reads. */
function timedRead(url, agent, query, time, t0) {
  const form = new URLSearchParams({ query, time }).toString();
  return new Promise((resolve, reject) => {
    const sent = performance.now() - t0;
    let first;
    let last;
    let bytes = 0;
    const req = request(
      `${url}/api/v1/query`,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(form),
          'accept-encoding': 'identity',
        },
      },
      (res) => {
        res.on('data', (chunk) => {
          last = performance.now() - t0;
          first ??= last;
          bytes += chunk.length;
        });
        res.on('end', () => resolve({ name: readName(query), sent, first, last, bytes }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(form);
  });
}

/** `sent/first/last` of each read by name, medians over runs, as `name sent→first–last (MB)`. */
function readLines(runs) {
  const names = [...new Set(runs.flatMap((r) => r.map((x) => x.name)))];
  return names
    .map((n) => {
      const of = (k) => median(runs.flatMap((r) => r.filter((x) => x.name === n).map((x) => x[k])));
      return `${n} ${of('sent').toFixed(0)}→${of('first').toFixed(0)}–${of('last').toFixed(0)} (${(of('bytes') / 1e6).toFixed(1)} MB)`;
    })
    .join('; ');
}

/**
 * Each traced request's reads on its own clock, and the same reads sent at once from here (`runs` times): with
 * the server idle for 2 s, and right after one of its requests (`again`) has answered.
 */
async function compareReads(name, requests, promUrl, promPid, runs, again) {
  const ofRequest = (r) =>
    r.reads.map((x) => ({
      name: readName(x.query),
      sent: x.sent - r.at,
      first: x.first - r.at,
      last: x.last - r.at,
      bytes: x.bytes,
      maxGap: x.maxGap,
    }));
  for (const [i, r] of requests.entries()) {
    const reads = ofRequest(r);
    const lastByte = Math.max(...reads.map((x) => x.last));
    const lastRead = r.reads.reduce((a, x) => (x.last > a.last ? x : a));
    const waitCpu = lastRead.cpu - r.cpu;
    const ports = new Set(r.reads.map((x) => x.port)).size;
    const reused = r.reads.filter((x) => x.reused).length;
    const m = r.marks;
    const gcs = r.gcs.filter((g) => g.start - r.at <= (m.built?.t ?? Infinity) - r.at);
    const gcMs = (kinds) => gcs.filter((g) => kinds.includes(g.kind)).reduce((a, g) => a + g.ms, 0);
    console.log(
      `  ${name} #${i}: reads sent ${Math.min(...reads.map((x) => x.sent)).toFixed(0)}–${Math.max(...reads.map((x) => x.sent)).toFixed(0)} ms, ` +
        `last byte ${lastByte.toFixed(0)} (Next's CPU until then ${waitCpu.toFixed(0)} ms; ${reused} of ${r.reads.length} on kept sockets, ${ports} ports), rates read ${(m['rates-read']?.t - r.at).toFixed(0)}, with tcp ${(m['rates-with-tcp']?.t - r.at).toFixed(0)}, ` +
        `built ${(m.built?.t - r.at).toFixed(0)} (prometheus ${m.built?.prometheus?.toFixed(0)}, config ${m.built?.config?.toFixed(0)}, assemble ${m.built?.assemble?.toFixed(0)}); ` +
        `GC until built: ${gcs.length} (scavenge ${gcMs([1]).toFixed(0)} ms, mark-sweep ${gcMs([4]).toFixed(0)} ms, other ${gcMs([2, 8, 16]).toFixed(0)} ms)`,
    );
    console.log(
      `    ${reads.map((x) => `${x.name} ${x.sent.toFixed(0)}→${x.first.toFixed(0)}–${x.last.toFixed(0)}${x.maxGap > 20 ? ` gap ${x.maxGap.toFixed(0)}` : ''}`).join('; ')}`,
    );
  }
  const served = requests.map(ofRequest);
  console.log(`  ${name} served, medians: ${readLines(served)}`);
  // The last request's reads, sent at once from here.
  const last = requests[requests.length - 1];
  const agent = new Agent({ keepAlive: true });
  const at = [];
  const all = async () => {
    const t0 = performance.now();
    const r = await Promise.all(last.reads.map((x) => timedRead(promUrl, agent, x.query, x.time, t0)));
    return r;
  };
  await all();
  let promMs = 0;
  for (let i = 0; i < runs; i++) {
    await sleep(2000);
    const cpu0 = promPid ? cpuSecondsOf(promPid) : 0;
    at.push(await all());
    promMs += promPid ? ((cpuSecondsOf(promPid) - cpu0) * 1000) / runs : 0;
  }
  const after = [];
  for (let i = 0; i < runs; i++) {
    await again();
    after.push(await all());
  }
  agent.destroy();
  const allIn = (rs) => median(rs.map((r) => Math.max(...r.map((x) => x.last)))).toFixed(0);
  console.log(
    `  ${name} at once, server idle, medians: ${readLines(at)}; all in ${allIn(at)} ms; Prometheus' CPU ${promMs.toFixed(0)} ms a time`,
  );
  console.log(
    `  ${name} at once, right after a request, medians: ${readLines(after)}; all in ${allIn(after)} ms`,
  );
}

/**
 * `graph-assembly`'s loopback Prometheus (the synthetic mesh with the rules), its rates moving from request to
 * request (`--moving F`) and each reporter's rates query answered with that reporter's series only, as in-process.
 */
async function movingLoopback(dir, opt) {
  const inner = await loopbackPrometheus(await loadGraphLib(dir), syntheticMesh(opt.workloads, opt.edges), {
    rules: true,
  });
  const front = await movingPrometheus(inner, opt.moving);
  console.log(`answers: ${inner.summary}; rates moving: ${opt.moving} of the series a read`);
  return {
    url: front.url,
    close: () => {
      front.close();
      inner.close();
    },
  };
}

/**
 * `--interleave`: the cases' requests alternated (A B A B …, after two warm-ups each), so that each case meets the
 * same state of the server's heap and its collections: run one after the other, the case run second paid ~100–190 ms
 * more of Next's CPU a request (V8's GC helpers), whichever it was. Each request's Next CPU (all threads, read when
 * it has answered and 300 ms later) is its case's; the request's time too.
 */
async function interleaved(cases, runs, get, cpuAll, threads) {
  for (const [, q] of cases) {
    await get(q(-1));
    await get(q(-2));
  }
  const by = new Map(cases.map(([name]) => [name, { ms: [], cpu: [], timing: '' }]));
  const t0 = threads();
  const pause = () => new Promise((r) => setTimeout(r, 300));
  for (let i = 0; i < runs; i++)
    for (const [name, q] of cases) {
      await pause();
      const cpu0 = cpuAll();
      const start = performance.now();
      const { timing } = await get(q(i));
      const ms = performance.now() - start;
      await pause();
      const b = by.get(name);
      b.ms.push(ms);
      b.cpu.push(cpuAll() - cpu0);
      b.timing = timing;
    }
  for (const [name, b] of by)
    console.log(
      `${name} (interleaved): ${median(b.ms).toFixed(0)} ms a request (median), Next's CPU ${median(b.cpu).toFixed(0)} ms ` +
        `(median; mean ${(b.cpu.reduce((a, x) => a + x, 0) / runs).toFixed(0)}; ${b.cpu.map((x) => x.toFixed(0)).join(' ')}); ${b.timing}`,
    );
  console.log(
    `  all cases: Next's CPU a request by thread, user+system ms: ${threadLines(t0, threads(), runs * cases.length)}`,
  );
}

/** A heap snapshot of the server (the last of `pids` with the graph: `next start` may fork it), then what holds it. */
async function heapSnapshot(out, pids) {
  const before = new Set(readdirSync(out));
  process.kill(pids[pids.length - 1], 'SIGUSR2');
  // Written when its size stops growing (bounded: 4 minutes).
  let file;
  let last = -1;
  for (let i = 0; i < 120; i++) {
    await new Promise((r) => setTimeout(r, 2000));
    file = readdirSync(out).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    const size = file ? statSync(join(out, file)).size : -1;
    if (size > 0 && size === last) break;
    last = size;
  }
  if (!file) return console.log('heap snapshot: none written');
  console.log(`heap snapshot ${join(out, file)}`);
  console.log(heapHolders(readFileSync(join(out, file))));
}

/**
 * What holds a heap snapshot's memory: retained sizes by its dominator tree (Cooper, Harvey and Kennedy's iteration
 * over a postorder; weak edges left out), printed from the top down to 1 MB, then the objects whose dominator is the
 * root (held by two or more holders, as a memo's entries are) grouped by their first properties and holders' kinds.
 */
export function heapHolders(buf) {
  const text = buf.toString('latin1');
  const at = (key) => text.indexOf(`"${key}":`);
  const meta = JSON.parse(
    text.slice(text.indexOf('{', at('snapshot') + 10), at('nodes')).replace(/,\s*$/, ''),
  );
  const numbers = (key) => {
    const from = text.indexOf('[', at(key));
    const end = text.indexOf(']', from);
    const list = [];
    let n = 0;
    let digits = false;
    for (let i = from + 1; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c >= 48 && c <= 57) {
        n = n * 10 + c - 48;
        digits = true;
      } else if (digits) {
        list.push(n);
        n = 0;
        digits = false;
      }
    }
    if (digits) list.push(n);
    return Uint32Array.from(list);
  };
  const nodes = numbers('nodes');
  const edges = numbers('edges');
  const from = text.indexOf('[', at('strings'));
  const strings = JSON.parse(
    Buffer.from(text.slice(from, text.lastIndexOf(']') + 1), 'latin1').toString('utf8'),
  );
  const { node_fields: nf, edge_fields: ef, node_types: nt, edge_types: et } = meta.meta;
  const [NF, EF] = [nf.length, ef.length];
  const [fType, fName, fSize, fEdges] = ['type', 'name', 'self_size', 'edge_count'].map((f) => nf.indexOf(f));
  const [eType, eName, eTo] = ['type', 'name_or_index', 'to_node'].map((f) => ef.indexOf(f));
  const N = nodes.length / NF;
  const first = new Uint32Array(N + 1);
  for (let v = 0; v < N; v++) first[v + 1] = first[v] + nodes[v * NF + fEdges];
  const skip = new Set([et[0].indexOf('weak'), et[0].indexOf('shortcut')]);
  const type = (v) => nt[0][nodes[v * NF + fType]];
  const name = (v) => strings[nodes[v * NF + fName]];
  // Postorder from the root (node 0), without recursion.
  const order = new Int32Array(N).fill(-1);
  const post = new Uint32Array(N);
  const stack = new Uint32Array(N);
  const next = new Uint32Array(N);
  const seen = new Uint8Array(N);
  let count = 0;
  let sp = 1;
  next[0] = first[0];
  seen[0] = 1;
  while (sp > 0) {
    const v = stack[sp - 1];
    if (next[sp - 1] < first[v + 1]) {
      const e = next[sp - 1]++;
      if (skip.has(edges[e * EF + eType])) continue;
      const w = edges[e * EF + eTo] / NF;
      if (!seen[w]) {
        seen[w] = 1;
        stack[sp] = w;
        next[sp++] = first[w];
      }
    } else {
      sp--;
      order[v] = count;
      post[count++] = v;
    }
  }
  const predAt = new Uint32Array(N + 1);
  const eachEdge = (f) => {
    for (let v = 0; v < N; v++)
      if (seen[v])
        for (let e = first[v]; e < first[v + 1]; e++)
          if (!skip.has(edges[e * EF + eType])) f(v, edges[e * EF + eTo] / NF);
  };
  eachEdge((_, w) => predAt[w + 1]++);
  for (let v = 0; v < N; v++) predAt[v + 1] += predAt[v];
  const preds = new Uint32Array(predAt[N]);
  const fill = predAt.slice(0, N);
  eachEdge((v, w) => {
    preds[fill[w]++] = v;
  });
  const idom = new Int32Array(N).fill(-1);
  idom[0] = 0;
  for (let changed = true; changed; ) {
    changed = false;
    for (let k = count - 2; k >= 0; k--) {
      const b = post[k];
      let d = -1;
      for (let p = predAt[b]; p < predAt[b + 1]; p++) {
        let x = preds[p];
        if (idom[x] < 0) continue;
        if (d < 0) {
          d = x;
          continue;
        }
        let y = d;
        while (x !== y) {
          while (order[x] < order[y]) x = idom[x];
          while (order[y] < order[x]) y = idom[y];
        }
        d = x;
      }
      if (d >= 0 && idom[b] !== d) {
        idom[b] = d;
        changed = true;
      }
    }
  }
  const retained = new Float64Array(N);
  for (let k = 0; k < count; k++) {
    const v = post[k];
    retained[v] += nodes[v * NF + fSize];
    if (v !== 0) retained[idom[v]] += retained[v];
  }
  const kids = new Map();
  for (let v = 1; v < N; v++) {
    if (!seen[v]) continue;
    const list = kids.get(idom[v]);
    if (list) list.push(v);
    else kids.set(idom[v], [v]);
  }
  const edgeName = (v, w) => {
    for (let e = first[v]; e < first[v + 1]; e++)
      if (edges[e * EF + eTo] / NF === w) {
        const t = et[0][edges[e * EF + eType]];
        return t === 'element' || t === 'hidden'
          ? `[${edges[e * EF + eName]}]`
          : strings[edges[e * EF + eName]];
      }
    return '…';
  };
  const mb = (b) => `${(b / 1e6).toFixed(1)} MB`;
  const lines = [`reachable: ${mb(retained[0])} (self sizes, ArrayBuffers' backing stores included)`];
  const walk = (v, depth) => {
    const big = (kids.get(v) ?? [])
      .filter((c) => retained[c] >= 1e6)
      .sort((a, b) => retained[b] - retained[a]);
    for (const c of big.slice(0, 10)) {
      lines.push(
        `${'  '.repeat(depth)}${mb(retained[c])}  ${edgeName(v, c)} -> ${type(c)} ${name(c).slice(0, 50)}`,
      );
      if (depth < 7) walk(c, depth + 1);
    }
  };
  walk(0, 0);
  lines.push("held by no one object alone (the root's), by first properties and holders:");
  const groups = new Map();
  for (const c of kids.get(0) ?? []) {
    if (type(c) !== 'object') continue;
    const props = [];
    for (let e = first[c]; e < first[c + 1] && props.length < 6; e++)
      if (et[0][edges[e * EF + eType]] === 'property') props.push(strings[edges[e * EF + eName]]);
    const holders = new Set();
    for (let p = predAt[c]; p < predAt[c + 1]; p++)
      holders.add(`${type(preds[p])} ${name(preds[p]).slice(0, 12)}`);
    const key = `{${props.join(',')}} <= ${[...holders].sort().slice(0, 4).join(' | ')}`;
    const g = groups.get(key) ?? [0, 0];
    g[0] += retained[c];
    g[1]++;
    groups.set(key, g);
  }
  for (const [key, [size, n]] of [...groups].sort((a, b) => b[1][0] - a[1][0]).slice(0, 12))
    lines.push(`  ${mb(size)} in ${n}: ${key}`);
  return lines.join('\n');
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
      : opt.data
        ? await prometheusOn(opt.data, dir)
        : await movingLoopback(dir, opt);
    const trace = join(out, 'reads.jsonl');
    if (opt.reads) writeFileSync(trace, '');
    const web = await startDashboard({
      env: {
        PROMETHEUS_URL: server.url,
        MESH_CONTROL_URL: 'http://127.0.0.1:1',
        ...(opt.reads ? { MESHLENS_PROMETHEUS_READ_TRACE: trace } : {}),
      },
      nodeArgs: [
        ...(opt.reads || !opt.profile ? [] : ['--cpu-prof', `--cpu-prof-dir=${out}`]),
        ...(opt.heapSnapshot ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${out}`] : []),
      ],
      stopSignal: 'SIGINT',
    });
    // CPU of the server and its children so far, ms.
    const cpuAll = () => cpuSecondsOfAll([web.pid, ...childrenOf(web.pid)]) * 1000;
    // Each case's answers' sha256 (a pinned view on `--data`/`--prometheus` answers the same bytes each time: the
    // sides of an A/B must agree).
    const hashes = new Map();
    const get = async (q) => {
      const res = await fetch(`${web.base}/api/graph?${q}`);
      const text = await res.text();
      const sha = createHash('sha256').update(text).digest('hex').slice(0, 16);
      const key = q.replace(/queryTime=\d+&?/, '');
      hashes.set(key, new Set([...(hashes.get(key) ?? []), sha]));
      return { bytes: text.length, timing: res.headers.get('server-timing') };
    };
    // The profile's clock is the monotonic one (µs), as `process.hrtime` here.
    const clock = () => Number(process.hrtime.bigint() / 1000n);
    const pause = () => new Promise((r) => setTimeout(r, 300));
    try {
      const end = opt.end ?? server.end ?? Math.floor(Date.now() / 1000) - 60;
      const cold = await get(`queryTime=${end}`); // reads the latency the polled graph keeps
      console.log(`cold: ${cold.bytes} bytes; ${cold.timing}`);
      // `q(i)`: the i-th request's query (a pinned second of its own for a cold case; negative: the warm-up).
      const cases = [
        ['cold', (i) => `queryTime=${end - 2 - i}`],
        ['cold5m', (i) => `queryTime=${end - 2 - i}&duration=5m`],
        ['cold2m', (i) => `queryTime=${end - 2 - i}&duration=2m`],
        ['polled', () => `queryTime=${end}`],
        ['latency=false', () => `queryTime=${end}&latency=false`],
      ]
        // In `--cases`' order (e.g. `latency=false,polled`: whether a case's cost follows its place in the run).
        .filter(([name]) => (opt.cases ?? ['polled', 'latency=false']).includes(name))
        .sort(([a], [b]) => (opt.cases ? opt.cases.indexOf(a) - opt.cases.indexOf(b) : 0));
      if (opt.interleave)
        await interleaved(cases, opt.runs, get, cpuAll, () => threadCpu([web.pid, ...childrenOf(web.pid)]));
      for (const [name, q] of opt.interleave ? [] : cases) {
        await get(q(-1));
        await get(q(-2));
        await pause();
        const from = clock();
        const traced = opt.reads ? readFileSync(trace).length : 0;
        const prom0 = server.pid ? cpuSecondsOf(server.pid) : 0;
        const cpu0 = cpuAll();
        const threads0 = threadCpu([web.pid, ...childrenOf(web.pid)]);
        const t0 = performance.now();
        let timing;
        for (let i = 0; i < opt.runs; i++) timing = (await get(q(i))).timing;
        const ms = (performance.now() - t0) / opt.runs;
        const cpu = (cpuAll() - cpu0) / opt.runs;
        const threads = threadLines(threads0, threadCpu([web.pid, ...childrenOf(web.pid)]), opt.runs);
        const promCpu = server.pid ? ((cpuSecondsOf(server.pid) - prom0) * 1000) / opt.runs : undefined;
        windows.push([name, from, clock()]);
        console.log(
          `${name}: ${ms.toFixed(0)} ms a request, Next's CPU ${cpu.toFixed(0)} ms a request` +
            `${promCpu === undefined ? '' : `, Prometheus' ${promCpu.toFixed(0)} ms`}; ${timing}`,
        );
        console.log(`  ${name}: Next's CPU a request by thread, user+system ms: ${threads}`);
        if (opt.reads) {
          await pause();
          // A fresh pinned second each time for a cold case (nothing kept), the same view for the others.
          let next = opt.runs;
          await compareReads(name, tracedRequests(trace, traced), server.url, server.pid, opt.runs, () =>
            get(q(next++)),
          );
        }
        await pause();
      }
      for (const [key, set] of hashes)
        console.log(`answers' sha256 (${key || 'polled'}): ${[...set].join(' ')}`);
      if (opt.heapSnapshot) await heapSnapshot(out, [web.pid, ...childrenOf(web.pid)]);
    } finally {
      await web.stop();
      server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // The server's profile (the one with the graph's requests: `next start` forks the server).
  if (opt.reads || !opt.profile || windows.length === 0) return;
  for (const file of readdirSync(out).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(out, file), 'utf8'));
    if (profile.endTime < windows[0][1]) continue;
    console.log(`profile ${join(out, file)}`);
    for (const [name, from, to] of windows) {
      console.log(`-- ${name}, CPU samples a request:\n${breakdown(profile, from, to, opt.runs)}`);
      if (opt.top > 0)
        console.log(
          `-- ${name}, self time by function:\n${topFunctions(profile, from, to, opt.runs, opt.top)}`,
        );
    }
  }
}

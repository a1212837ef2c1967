// The graph page alone (a measurement, not a test): the graph bench's synthetic mesh answered by a loopback
// server holding Prometheus' JSON ready (as `graph-assembly` does; no Prometheus, no backfill), `next start`
// on one or more built checkouts, and Debian's Chromium loading `/graph` with every node drawn. Builds given
// with `--roots a,b` are loaded in turn (a, b, a, b…) so an A/B compares within one run. Per load it prints
// when the first graph's answer began and ended, the preview's first frame (the page's own 2D painter, when
// it has one: `performance.mark('graph-preview-painted')`) and the interactive first frame (cytoscape's:
// `data-layout="ready"`, then two animation frames), and the browser's CPU over the load.
// Each build reads the rates through a front of its own (one reporter's query answered with that reporter's
// series, the reads it sent counted and printed); each load starts once the last one's full graph is in and
// its page idle.
//   node scripts/bench.mjs graph-page [-- --workloads 5000 --edges 15000 --loads 3 --roots /a,/b --view '&group=none' --prom-delay 700]
//   [--profile FILE] [--trace PREFIX] [--html] [--frames] [--screenshots PREFIX]
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstGraphTimeline, frameTimes, fullGraphSettled, syntheticMesh } from './graph.mjs';
import { loadGraphLib, loopbackPrometheus } from './lib/graph-fixture.mjs';
import { childrenOf, cpuSecondsOfAll, freePort, ROOT, startProcess } from './lib/processes.mjs';

function parseArgs(args) {
  const opt = {
    workloads: 5000,
    edges: 15000,
    loads: 3,
    roots: [ROOT],
    view: '&group=none',
    frames: false,
    promDelay: 0,
  };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--workloads') opt.workloads = Number(args[++i]);
    else if (args[i] === '--edges') opt.edges = Number(args[++i]);
    else if (args[i] === '--loads') opt.loads = Number(args[++i]);
    else if (args[i] === '--roots') opt.roots = String(args[++i]).split(',');
    else if (args[i] === '--view') opt.view = String(args[++i]);
    // Also the pan-and-zoom frame times after each build's last load.
    else if (args[i] === '--frames') opt.frames = true;
    // After each build's loads, one more load (not counted) with two screenshots (n: the build):
    // `<prefix>-<n>-interactive.png` once cytoscape has drawn, `<prefix>-<n>-preview.png` of the preview.
    else if (args[i] === '--screenshots') opt.screenshots = String(args[++i]);
    // The request rates answered after this many ms (Prometheus' own time for them at this size, ~700 ms in
    // the graph bench): with none, the page's build starts its CPU work at once and holds the server's
    // event loop before the page's head has been sent, which a real Prometheus does not do.
    else if (args[i] === '--prom-delay') opt.promDelay = Number(args[++i]);
    // A CPU profile of the page's last load of the last build (Chrome's .cpuprofile, for DevTools).
    else if (args[i] === '--profile') opt.profile = String(args[++i]);
    // After the loads, the page's HTML read once per build from Node: when each chunk came, and the one
    // holding the preload of the graph's request (`as="fetch"`) and the first script.
    else if (args[i] === '--html') opt.html = true;
    // A Chromium performance trace of each build's last load (`<prefix>-<n>.json`, for DevTools'
    // Performance panel): the HTML's parse, the network, the main thread's tasks and the page's marks. That
    // load's times from the bench's start include the trace's start (its timeline from navigation does not).
    else if (args[i] === '--trace') opt.trace = String(args[++i]);
  }
  return opt;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

function descendants(pid) {
  const out = [];
  for (const c of childrenOf(pid)) out.push(c, ...descendants(c));
  return out;
}

const RATES_QUERY = 'label_join(rate(istio_requests_total';
const REPORTERS = ['source', 'destination'];

/**
 * A proxy in front of the loopback Prometheus. A query for one reporter's request rates (since f7c14ba the
 * graph reads them as two queries at once, `reporter="source"` and `reporter="destination"`) is answered with
 * that reporter's series only (the joined labels start with the reporter), as Prometheus answers it: the
 * fixture answers any rates query with both, so a build of that code walked every series twice (and an A/B
 * against a build reading them as one query, `A or B`, answered with both, was unfair). The rates are answered `ms` later (Prometheus' own
 * time for them at this size), each reporter's query on its own. The other reads are passed on.
 */
async function frontPrometheus(target, ms, stops, reads) {
  const whole = await (
    await fetch(`${target}/api/v1/query`, {
      method: 'POST',
      body: `query=${encodeURIComponent(RATES_QUERY)}`,
    })
  ).json();
  const text = (result) => JSON.stringify({ ...whole, data: { ...whole.data, result } });
  const rates = Object.fromEntries(
    REPORTERS.map((r) => [
      r,
      text(whole.data.result.filter((s) => Object.values(s.metric)[0]?.startsWith(`${r};`))),
    ]),
  );
  const passed = new Map();
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    const query =
      new URLSearchParams(body.toString() || (req.url ?? '').split('?')[1] || '').get('query') ?? '';
    // Which reads this build's server sends (a query by its first 60 characters), printed after the loads.
    const head = query.replace(/\s+/g, ' ').slice(0, 60);
    reads.set(head, (reads.get(head) ?? 0) + 1);
    if (query.includes(RATES_QUERY) && ms > 0) await new Promise((r) => setTimeout(r, ms));
    // One reporter's query (not the one query of both, 'A or B', that builds before f7c14ba send).
    const selected = REPORTERS.filter((r) => query.includes(`reporter="${r}"`));
    const reporter = selected.length === 1 ? selected[0] : undefined;
    if (query.includes(RATES_QUERY) && reporter !== undefined) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(rates[reporter]);
      return;
    }
    // The fixture's answers do not change: each asked once (the latency buckets are tens of MB).
    const key = `${req.method} ${req.url} ${body.toString()}`;
    let answer = passed.get(key);
    if (!answer) {
      const got = await fetch(`${target}${req.url}`, {
        method: req.method,
        headers: { 'content-type': req.headers['content-type'] ?? 'application/x-www-form-urlencoded' },
        ...(req.method === 'POST' ? { body } : {}),
      });
      answer = { status: got.status, bytes: Buffer.from(await got.arrayBuffer()) };
      if (passed.size < 32) passed.set(key, answer);
    }
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.bytes);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  stops.push(async () => server.close());
  return `http://127.0.0.1:${server.address().port}`;
}

export default async function bench(args) {
  const opt = parseArgs(args);
  const dir = mkdtempSync(join(tmpdir(), 'meshlens-bench-graph-page-'));
  const stops = [];
  try {
    const lib = await loadGraphLib(dir);
    const mesh = syntheticMesh(opt.workloads, opt.edges);
    const prom = await loopbackPrometheus(lib, mesh);
    stops.push(async () => prom.close());

    const webs = [];
    for (const root of opt.roots) {
      const port = await freePort();
      // A front of its own per build: the reads each build sends are counted apart.
      const reads = new Map();
      const promUrl = await frontPrometheus(prom.url, opt.promDelay, stops, reads);
      const web = await startProcess(
        process.execPath,
        [
          join(root, 'node_modules/next/dist/bin/next'),
          'start',
          '--hostname',
          '127.0.0.1',
          '-p',
          String(port),
        ],
        {
          ready: /Ready in/,
          timeoutMs: 60_000,
          cwd: root,
          env: { PROMETHEUS_URL: promUrl, MESH_CONTROL_URL: 'http://127.0.0.1:1', MESHLENS_TEST_HOOKS: '1' },
        },
      );
      stops.push(async () => {
        for (const pid of childrenOf(web.pid)) {
          try {
            process.kill(pid, 'SIGTERM');
          } catch {
            // gone
          }
        }
        await web.stop();
      });
      webs.push({ root, base: `http://127.0.0.1:${port}`, rows: [], reads });
    }

    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-sync',
      ],
    });
    stops.push(() => browser.close());
    // The browser's processes: this bench's descendants that are Chromium (not the `next start`s).
    const chromiumPids = () =>
      descendants(process.pid).filter((p) => {
        try {
          return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('chromium');
        } catch {
          return false;
        }
      });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    // The page's full graph (with latency), which it asks once drawn: its answer's end.
    const fullGraph = () => fullGraphSettled(page);
    // A first load of each server, not counted: its first render compiles the page's server code. Its full
    // graph is waited for too, as every counted load's is: left running, its build (the latency buckets read
    // and merged) overlapped the first counted load's render's build (that load's answer waited 1.7-4.5 s for
    // it in round 12's runs, the others' 0-1.3 s).
    for (const w of webs) {
      const settled = fullGraph();
      await page.goto(`${w.base}/graph?at=1700000000&refresh=0${opt.view}`);
      await page.waitForSelector('[data-testid="graph-canvas"][data-layout="ready"]', { timeout: 120_000 });
      await settled;
    }
    console.log(`graph-page: ${opt.workloads} workloads, ${opt.edges} edges; load average ${load()}`);
    for (let i = 0; i < opt.loads; i++) {
      for (const w of webs) {
        const settled = fullGraph();
        let answerStart;
        let answerEnd;
        const t0 = Date.now();
        const onResponse = (r) => {
          if (
            answerStart === undefined &&
            r.url().includes('/api/graph?') &&
            r.url().includes('latency=false')
          ) {
            answerStart = Date.now() - t0;
            r.finished().then(() => {
              answerEnd = Date.now() - t0;
            });
          }
        };
        page.on('response', onResponse);
        const profiling = opt.profile && i === opt.loads - 1 && w === webs[webs.length - 1];
        const cdp = profiling ? await page.context().newCDPSession(page) : undefined;
        if (cdp) {
          await cdp.send('Profiler.enable');
          await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
          await cdp.send('Profiler.start');
        }
        const tracing = opt.trace && i === opt.loads - 1;
        if (tracing)
          await browser.startTracing(page, {
            path: `${opt.trace}-${webs.indexOf(w)}.json`,
            categories: [
              'devtools.timeline',
              'disabled-by-default-devtools.timeline',
              'blink.user_timing',
              'loading',
              'v8.execute',
            ],
          });
        const cpu0 = cpuSecondsOfAll(chromiumPids());
        await page.goto(`${w.base}/graph?at=1700000000&refresh=0${opt.view}`);
        await page.waitForSelector('[data-testid="graph-canvas"][data-layout="ready"]', { timeout: 120_000 });
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
        const interactive = Date.now() - t0;
        const cpu = cpuSecondsOfAll(chromiumPids()) - cpu0;
        const preview = await page.evaluate(() => {
          const m = performance.getEntriesByName('graph-preview-painted')[0];
          return m ? performance.timeOrigin + m.startTime : undefined;
        });
        const nodes = await page.evaluate(() => window.__meshlensCy?.nodes().length ?? 0);
        // The first graph's timeline from the browser's own entries (ms from the navigation's start).
        const timeline = await page.evaluate(firstGraphTimeline);
        if (cdp) {
          const { profile } = await cdp.send('Profiler.stop');
          writeFileSync(opt.profile, JSON.stringify(profile));
          await cdp.detach();
        }
        if (tracing) await browser.stopTracing();
        page.off('response', onResponse);
        const row = {
          answerStart,
          answerEnd,
          preview: preview === undefined ? undefined : preview - t0,
          interactive,
          cpu,
          nodes,
        };
        w.rows.push(row);
        const f = (v) => (v === undefined ? '—' : `${Math.round(v)} ms`);
        console.log(
          `  ${w.root}: answer ${f(row.answerStart)}–${f(row.answerEnd)}, preview ${f(row.preview)}, ` +
            `interactive ${f(row.interactive)} (${nodes} nodes), browser CPU ${cpu.toFixed(2)} s; load ${load()}`,
        );
        console.log(
          `    from navigation: page's first byte ${f(timeline.html)}; graph request sent ${f(timeline.sent)} ` +
            `(${timeline.by ?? '—'}), its first byte ${f(timeline.first)}, last ${f(timeline.last)}; ` +
            `Server-Timing: ${timeline.timing || '—'}`,
        );
        await settled;
      }
    }
    for (const w of opt.html ? webs : []) {
      const t0 = performance.now();
      const res = await fetch(`${w.base}/graph?at=1700000000&refresh=0${opt.view}`);
      const decoder = new TextDecoder();
      let text = '';
      const seen = new Set();
      for await (const chunk of res.body) {
        const at = Math.round(performance.now() - t0);
        const before = text.length;
        text += decoder.decode(chunk, { stream: true });
        const found = [];
        for (const [name, re] of [
          ['preload', /as="fetch"/],
          ['script', /<script/],
          ['body', /<body/],
        ])
          if (!seen.has(name) && re.test(text.slice(before))) found.push(name);
        for (const name of found) seen.add(name);
        console.log(
          `  html ${w.root}: ${at} ms, ${chunk.length} B${found.length ? ` (${found.join(', ')})` : ''}`,
        );
      }
      const at = (re) => text.search(re);
      console.log(
        `  html ${w.root}: ${text.length} B; preload at byte ${at(/as="fetch"/)}, first script at ${at(/<script/)}, ` +
          `</head> at ${at(/<\/head>/)}`,
      );
      await new Promise((r) => setTimeout(r, 3000));
    }
    for (const w of webs) {
      console.log(`  reads sent by ${w.root} (every load, the uncounted ones too):`);
      for (const [head, count] of w.reads) console.log(`    ${count} × ${head}`);
    }
    for (const w of webs) {
      const m = (k) => {
        const xs = w.rows.map((r) => r[k]).filter((v) => v !== undefined);
        return xs.length ? median(xs) : undefined;
      };
      const f = (v) => (v === undefined ? '—' : `${Math.round(v)} ms`);
      console.log(
        `median ${w.root}: answer ${f(m('answerStart'))}–${f(m('answerEnd'))}, first frame of the whole graph ` +
          `(preview) ${f(m('preview'))}, interactive (cytoscape drawn) ${f(m('interactive'))}, browser CPU ` +
          `${m('cpu').toFixed(2)} s — target ≤ 3000 ms`,
      );
      if (opt.screenshots) {
        // A screenshot waits for a frame, which the page's main thread gives only after cytoscape's work: the
        // preview is captured from its own canvas afterwards (hidden once cytoscape drew, its pixels kept).
        const n = webs.indexOf(w);
        await page.goto(`${w.base}/graph?at=1700000000&refresh=0${opt.view}`);
        await page.waitForSelector('[data-testid="graph-canvas"][data-layout="ready"]', { timeout: 120_000 });
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
        await page.screenshot({ path: `${opt.screenshots}-${n}-interactive.png` });
        const shown = await page.evaluate(() => {
          const preview = document.querySelector('[data-testid="graph-preview"]');
          if (!preview || performance.getEntriesByName('graph-preview-painted').length === 0) return false;
          preview.hidden = false;
          return true;
        });
        if (shown) {
          await page.screenshot({ path: `${opt.screenshots}-${n}-preview.png` });
          await page.evaluate(() => {
            document.querySelector('[data-testid="graph-preview"]').hidden = true;
          });
        }
        console.log(`  screenshots: ${opt.screenshots}-${n}-{${shown ? 'preview,' : ''}interactive}.png`);
      }
      if (opt.frames) {
        await page.goto(`${w.base}/graph?at=1700000000&refresh=0${opt.view}`);
        await page.waitForSelector('[data-testid="graph-canvas"][data-layout="ready"]', { timeout: 120_000 });
        const frames = await frameTimes(page);
        console.log(
          `  pan and zoom: median frame ${frames.median.toFixed(1)} ms (${(1000 / frames.median).toFixed(0)} frames/s), p95 ${frames.p95.toFixed(1)} ms`,
        );
      }
    }
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

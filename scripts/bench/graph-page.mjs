// The graph page alone (a measurement, not a test): the graph bench's synthetic mesh answered by a loopback
// server holding Prometheus' JSON ready (as `graph-assembly` does; no Prometheus, no backfill), `next start`
// on one or more built checkouts, and Debian's Chromium loading `/graph` with every node drawn. Builds given
// with `--roots a,b` are loaded in turn (a, b, a, b…) so an A/B compares within one run. Per load it prints
// when the first graph's answer began and ended, the preview's first frame (the page's own 2D painter, when
// it has one: `performance.mark('graph-preview-painted')`) and the interactive first frame (cytoscape's:
// `data-layout="ready"`, then two animation frames), and the browser's CPU over the load.
//   node scripts/bench.mjs graph-page [-- --workloads 5000 --edges 15000 --loads 3 --roots /a,/b --view '&group=none' --prom-delay 700]
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstGraphTimeline, frameTimes, syntheticMesh } from './graph.mjs';
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

/** A proxy in front of the loopback Prometheus answering the request-rate read `ms` later. */
async function delayedRates(target, ms, stops) {
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    const query =
      new URLSearchParams(body.toString() || (req.url ?? '').split('?')[1] || '').get('query') ?? '';
    if (query.includes('label_join(rate(istio_requests_total')) await new Promise((r) => setTimeout(r, ms));
    const answer = await fetch(`${target}${req.url}`, {
      method: req.method,
      headers: { 'content-type': req.headers['content-type'] ?? 'application/x-www-form-urlencoded' },
      ...(req.method === 'POST' ? { body } : {}),
    });
    res
      .writeHead(answer.status, { 'content-type': 'application/json' })
      .end(Buffer.from(await answer.arrayBuffer()));
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
    const promUrl = opt.promDelay > 0 ? await delayedRates(prom.url, opt.promDelay, stops) : prom.url;

    const webs = [];
    for (const root of opt.roots) {
      const port = await freePort();
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
      webs.push({ root, base: `http://127.0.0.1:${port}`, rows: [] });
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
    // A first load of each server, not counted: its first render compiles the page's server code.
    for (const w of webs) {
      await page.goto(`${w.base}/graph?at=1700000000&refresh=0${opt.view}`);
      await page.waitForSelector('[data-testid="graph-canvas"][data-layout="ready"]', { timeout: 120_000 });
    }
    console.log(`graph-page: ${opt.workloads} workloads, ${opt.edges} edges; load average ${load()}`);
    for (let i = 0; i < opt.loads; i++) {
      for (const w of webs) {
        const settled = page
          .waitForResponse((r) => r.url().includes('/api/graph?') && !r.url().includes('latency=false'), {
            timeout: 120_000,
          })
          .then((r) => r.finished())
          .catch(() => {});
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

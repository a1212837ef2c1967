// Trace page benchmark (a measurement, not a test): generated traces of 10,000 and 100,000 spans served by a
// tiny fake Jaeger query server (a bench may fake the backend), the dashboard on `next start`, and Debian's
// Chromium opening /traces/{id} — time until the first span row is drawn, and the tab's JS heap after a GC.
// Also the same trace opened from a file on the search page (no backend), two floors measured in the same
// run (so load on the machine shows in them too): the page with a 10-span trace (HTML, bundles, hydration)
// and the tab's own fetch + JSON.parse of the trace straight from Jaeger; the frame times while scrolling
// the fully expanded waterfall (requestAnimationFrame); optionally CPU profiles of the page (Chromium's
// profiler over CDP) and of the Next server (`node --cpu-prof`), summed up by function.
// Each measured open asks for a trace id the dashboard has not seen (its trace cache cold, as when a user
// opens a trace); `--warm` opens the same id each time instead (the cache hot, within its TTL).
// The first rows may be the server's preview of the trace (streamed with the page); the time the tab's own,
// interactive waterfall is drawn and the long tasks in the `--settle` ms after it are printed beside.
//   node scripts/bench.mjs trace-ui [-- --sizes 10000,100000 --runs 3 --scroll-frames 240 --warm
//                                      --settle 1500 --profile <dir> --server-profile <dir>]
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureDashboardBuild, startDashboard } from './lib/dashboard.mjs';
import { prng } from './lib/prng.mjs';
import { freePort, ROOT } from './lib/processes.mjs';

const run = promisify(execFile);
/** Open-time targets by span count (issue 19): today's 10k figure kept, 100k within 3 s. */
const TARGETS_MS = { 10000: 600, 50000: 1900, 100000: 3000 };
const SERVICES = ['frontend', 'productpage', 'reviews', 'ratings', 'details', 'cart', 'checkout', 'payments'];
const MAX_DEPTH = 12;
/** Frame-rate target while scrolling the expanded waterfall (issue 19 asks ≥ 30; it had 60 at 50,000). */
const SCROLL_FPS_TARGET = 30;
/** Spans of the trace that measures the page's fixed cost (HTML, bundles, hydration, a tiny fetch). */
const FLOOR_SPANS = 10;
/** Functions listed per CPU profile summary. */
const PROFILE_TOP = 18;

function parseArgs(args) {
  const opt = {
    sizes: [10_000, 100_000],
    runs: 3,
    scrollFrames: 240,
    profile: '',
    serverProfile: '',
    warm: false,
    settle: 1500,
  };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--sizes') opt.sizes = String(args[++i]).split(',').map(Number);
    else if (args[i] === '--runs') opt.runs = Number(args[++i]);
    else if (args[i] === '--scroll-frames') opt.scrollFrames = Number(args[++i]);
    else if (args[i] === '--profile') opt.profile = String(args[++i]);
    else if (args[i] === '--server-profile') opt.serverProfile = String(args[++i]);
    else if (args[i] === '--warm') opt.warm = true;
    else if (args[i] === '--settle') opt.settle = Number(args[++i]);
  }
  return opt;
}

/** A trace of `n` spans in Jaeger's JSON model: a random tree at most MAX_DEPTH deep, children inside parents. */
export function generateTrace(n, traceID) {
  const rand = prng(n);
  const hex = (i) => (i + 1).toString(16).padStart(16, '0');
  const t0 = 1_700_000_000_000_000;
  const spans = [];
  const depth = [];
  for (let i = 0; i < n; i++) {
    let parent = -1;
    if (i > 0) {
      // Prefer recent spans as parents (a deep-ish tree), never beyond MAX_DEPTH.
      do parent = Math.max(0, i - 1 - Math.floor(rand() * rand() * i));
      while (depth[parent] >= MAX_DEPTH);
    }
    depth.push(parent < 0 ? 0 : depth[parent] + 1);
    const p = parent < 0 ? undefined : spans[parent];
    const start = p ? p.startTime + Math.floor(rand() * p.duration * 0.5) : t0;
    const duration = p ? Math.max(1, Math.floor((p.startTime + p.duration - start) * rand())) : 10_000_000;
    const service = SERVICES[i % SERVICES.length];
    const error = rand() < 0.01;
    spans.push({
      traceID,
      spanID: hex(i),
      operationName: `GET /api/${service}/${i % 17}`,
      references: p ? [{ refType: 'CHILD_OF', traceID, spanID: p.spanID }] : [],
      startTime: start,
      duration,
      tags: [
        { key: 'span.kind', type: 'string', value: i % 2 ? 'client' : 'server' },
        { key: 'http.method', type: 'string', value: 'GET' },
        { key: 'http.status_code', type: 'int64', value: error ? 503 : 200 },
        ...(error ? [{ key: 'error', type: 'bool', value: true }] : []),
      ],
      logs: [],
      processID: `p${(i % SERVICES.length) + 1}`,
      warnings: null,
    });
  }
  const processes = Object.fromEntries(
    SERVICES.map((s, i) => [
      `p${i + 1}`,
      { serviceName: s, tags: [{ key: 'hostname', type: 'string', value: `${s}-0` }] },
    ]),
  );
  return { traceID, spans, processes, warnings: null };
}

/** The fake Jaeger: /api/traces/{id} from the generated traces (as their JSON text), services and an empty search. */
async function startFakeJaeger(bodies) {
  const port = await freePort();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const envelope = (data) => JSON.stringify({ data, total: 0, limit: 0, offset: 0, errors: null });
    const id = url.pathname.startsWith('/api/traces/')
      ? url.pathname.slice('/api/traces/'.length)
      : undefined;
    if (id !== undefined && bodies.has(id)) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(bodies.get(id));
    } else if (url.pathname === '/api/services') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(envelope(SERVICES));
    } else if (url.pathname === '/api/traces' || url.pathname === '/api/operations') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(envelope([]));
    } else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          data: null,
          total: 0,
          limit: 0,
          offset: 0,
          errors: [{ code: 404, msg: 'trace not found' }],
        }),
      );
    }
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const range = (xs) => `median ${median(xs)} ms (${Math.min(...xs)}–${Math.max(...xs)})`;
const mark = (ok) => (ok ? 'PASS' : 'MISS');
const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** The tab's JS heap in use after a full GC (what the page keeps, not what parsing left behind). */
async function heapAfterGc(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return usedSize;
}

/**
 * In the tab before any of its scripts: notes when the first span row enters the DOM — the server's preview
 * of a big trace or the tab's own waterfall — and when the frame after it is drawn (`window.__firstRowPainted`,
 * ms since navigation start); the same for the first row of the tab's own (interactive) waterfall
 * (`__liveRowPainted`); and every long task (> 50 ms on the main thread) in `__longTasks`.
 */
function watchFirstRow([anyRow, liveRow]) {
  window.__longTasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    // no long task timing in this browser
  }
  const note = (name) => {
    window[name] = performance.now();
    requestAnimationFrame(() => {
      window[`${name}Painted`] = performance.now();
    });
  };
  const observer = new MutationObserver(() => {
    if (window.__firstRow === undefined && document.querySelector(anyRow)) note('__firstRow');
    if (document.querySelector(liveRow)) {
      observer.disconnect();
      note('__liveRow');
    }
  });
  observer.observe(document, { childList: true, subtree: true });
}

/** Long tasks from `from` ms (since navigation start) on: how many, the longest, their sum. */
function longTasksInPage(from) {
  const after = (window.__longTasks ?? []).filter(([start]) => start >= from).map(([, d]) => d);
  return {
    count: after.length,
    max: Math.round(Math.max(0, ...after)),
    total: Math.round(after.reduce((a, b) => a + b, 0)),
  };
}

/** Where an open's time went, from the tab's own timings (ms since navigation start). */
function phasesInPage() {
  const nav = performance.getEntriesByType('navigation')[0];
  const fetched = performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/traces/'));
  const api = fetched.sort((a, b) => a.responseEnd - b.responseEnd)[0];
  return {
    // A preloaded answer the page's own fetch reused shows as one request, initiated by the link.
    requests: fetched.map((e) => e.initiatorType).join('+'),
    row: Math.round(window.__firstRow ?? 0),
    live: Math.round(window.__liveRowPainted ?? 0),
    htmlStart: Math.round(nav?.responseStart ?? 0),
    html: Math.round(nav?.responseEnd ?? 0),
    dcl: Math.round(nav?.domContentLoadedEventEnd ?? 0),
    json: api ? Math.round(api.responseEnd) : undefined,
    jsonStart: api ? Math.round(api.requestStart || api.startTime) : undefined,
  };
}

/** The floor: the tab fetching Jaeger's answer itself and JSON.parse-ing it (no dashboard in between). */
function fetchAndParseInPage(url) {
  return (async () => {
    const t0 = performance.now();
    const text = await (await fetch(url)).text();
    const t1 = performance.now();
    const body = JSON.parse(text);
    const t2 = performance.now();
    return { fetch: Math.round(t1 - t0), parse: Math.round(t2 - t1), spans: body.data[0].spans.length };
  })();
}

/**
 * Scrolls the waterfall by `step` px every animation frame for `frames` frames, and answers the frame
 * intervals (ms) that requestAnimationFrame saw — each includes React's render of the new window of rows.
 */
function scrollFramesInPage([frames, step]) {
  const el = document.querySelector('[data-testid="waterfall"]');
  if (!el) throw new Error('no waterfall');
  return new Promise((resolve) => {
    const times = [];
    let last = performance.now();
    let n = 0;
    const tick = (now) => {
      times.push(now - last);
      last = now;
      el.scrollTop = (el.scrollTop + step) % Math.max(1, el.scrollHeight - el.clientHeight);
      if (++n < frames) requestAnimationFrame(tick);
      else resolve({ times: times.slice(1), rows: el.querySelectorAll('[data-span-id]').length });
    };
    requestAnimationFrame((now) => {
      last = now;
      requestAnimationFrame(tick);
    });
  });
}

function frameStats(times) {
  const sorted = [...times].sort((a, b) => a - b);
  const total = times.reduce((a, b) => a + b, 0);
  return {
    fps: Math.round((times.length * 1000) / Math.max(1, total)),
    median: sorted[Math.floor(sorted.length / 2)] ?? 0,
    p95: sorted[Math.floor(sorted.length * 0.95)] ?? 0,
    long: times.filter((t) => t > 1000 / SCROLL_FPS_TARGET).length,
  };
}

/** Self time by function of a `.cpuprofile` (Chromium's or `node --cpu-prof`'s), largest first. */
export function summarizeProfile(profile, top = PROFILE_TOP) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < (profile.samples ?? []).length; i++) {
    const node = byId.get(profile.samples[i]);
    if (!node) continue;
    const f = node.callFrame;
    const file = f.url ? f.url.replace(/^.*\/(_next|\.next|node_modules)\//, '$1/') : '';
    const name = `${f.functionName || '(anonymous)'} ${file}${f.url ? `:${f.lineNumber + 1}` : ''}`;
    self.set(name, (self.get(name) ?? 0) + (deltas[i + 1] ?? 0) / 1000);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const lines = [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, ms]) => `    ${ms.toFixed(0).padStart(6)} ms  ${name}`);
  return [`  ${total.toFixed(0)} ms sampled; self time by function:`, ...lines].join('\n');
}

/** Opens `url` with Chromium's CPU profiler on; writes the profile to `file` and prints its summary. */
async function profileOpen(browser, url, selector, file) {
  const ctx = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForSelector(selector, { timeout: 60_000 });
  // Let the deferred work after the first rows (critical path, minimap) land in the profile too.
  await page.waitForTimeout(500);
  const { profile } = await cdp.send('Profiler.stop');
  writeFileSync(file, JSON.stringify(profile));
  console.log(`page CPU profile of ${url} → ${file}\n${summarizeProfile(profile)}`);
  await ctx.close();
}

export default async function traceUi(args) {
  const opt = parseArgs(args);
  const dir = mkdtempSync(join(tmpdir(), 'meshlens-trace-ui-'));
  const stops = [];
  try {
    const bodies = new Map();
    const files = new Map();
    const floorId = FLOOR_SPANS.toString(16).padStart(32, 'f');
    bodies.set(
      floorId,
      JSON.stringify({
        data: [generateTrace(FLOOR_SPANS, floorId)],
        total: 0,
        limit: 0,
        offset: 0,
        errors: null,
      }),
    );
    for (const n of opt.sizes) {
      const id = n.toString(16).padStart(32, 'a');
      const text = JSON.stringify({
        data: [generateTrace(n, id)],
        total: 0,
        limit: 0,
        offset: 0,
        errors: null,
      });
      bodies.set(id, text);
      const file = join(dir, `trace-${n}.json`);
      writeFileSync(file, text);
      files.set(n, { id, file, bytes: text.length });
      console.log(`trace of ${n} spans: ${mb(text.length)} of Jaeger JSON`);
    }
    const jaeger = await startFakeJaeger(bodies);
    stops.push(() => jaeger.close());

    await ensureDashboardBuild();
    const { stdout: commit } = await run('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT });
    const load = (await import('node:os')).loadavg();
    console.log(
      `commit ${commit.trim()}, load average ${load.map((l) => l.toFixed(2)).join(' ')}, trace cache ${opt.warm ? 'warm (same id)' : 'cold (a fresh id each open)'}`,
    );
    if (opt.serverProfile) mkdirSync(opt.serverProfile, { recursive: true });
    if (opt.profile) mkdirSync(opt.profile, { recursive: true });
    const web = await startDashboard({
      // Not in NODE_OPTIONS (refused there); a forked server process inherits these execArgv.
      nodeArgs: opt.serverProfile ? ['--cpu-prof', '--cpu-prof-dir', opt.serverProfile] : [],
      stopSignal: opt.serverProfile ? 'SIGINT' : 'SIGTERM',
      env: {
        JAEGER_URL: jaeger.url,
        PROMETHEUS_URL: 'http://127.0.0.1:1',
        MESH_CONTROL_URL: 'http://127.0.0.1:1',
      },
    });
    stops.push(async () => {
      await web.stop();
      if (opt.serverProfile) printServerProfile(opt.serverProfile);
    });
    const base = web.base;

    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    });
    stops.push(() => browser.close());

    const FIRST_ROW = '[data-testid="waterfall"] [data-span-id]';
    const ANY_ROW = `${FIRST_ROW}, [data-testid="waterfall-preview"] [data-span-id]`;
    const openPage = async (url) => {
      const ctx = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
      await ctx.addInitScript(watchFirstRow, [ANY_ROW, FIRST_ROW]);
      const page = await ctx.newPage();
      await page.goto(url, { waitUntil: 'commit' });
      await page.waitForSelector(FIRST_ROW, { timeout: 60_000 });
      // The tab's own clock (since navigation start), not Playwright's polling of the page.
      const ms = await page.waitForFunction(() => window.__firstRowPainted, null, { timeout: 60_000 });
      const live = await page.waitForFunction(() => window.__liveRowPainted, null, { timeout: 60_000 });
      return { ctx, page, ms: Math.round(await ms.jsonValue()), live: Math.round(await live.jsonValue()) };
    };
    // Warm-up, not counted: the server loads the page's route and the browser caches the bundles.
    await (await openPage(`${base}/traces/${floorId}`)).ctx.close();

    let served = 0;
    /** The trace of `n` spans under an id never served before (its text with the id replaced). */
    const freshId = (n) => {
      const { id } = files.get(n);
      if (opt.warm) return id;
      const next = `${(++served).toString(16).padStart(4, '0')}${id.slice(4)}`;
      bodies.set(next, bodies.get(id).replaceAll(id, next));
      return next;
    };
    const forget = (fresh, n) => {
      if (fresh !== files.get(n).id) bodies.delete(fresh);
    };
    for (const n of opt.sizes) {
      const { id, file } = files.get(n);
      await (await openPage(`${base}/traces/${id}`)).ctx.close();
      const viaBackend = [];
      const liveRows = [];
      const longTasks = [];
      const phases = [];
      const viaFile = [];
      const floorPage = [];
      const floorFetch = [];
      const floorParse = [];
      let heap = 0;
      let heapFile = 0;
      for (let r = 0; r < opt.runs; r++) {
        {
          const { ctx, page, ms } = await openPage(`${base}/traces/${floorId}`);
          floorPage.push(ms);
          // From a page of Jaeger's own origin: the dashboard's CSP rightly keeps its pages from fetching it.
          await page.goto(`${jaeger.url}/api/services`);
          const f = await page.evaluate(fetchAndParseInPage, `${jaeger.url}/api/traces/${id}`);
          floorFetch.push(f.fetch);
          floorParse.push(f.parse);
          await ctx.close();
        }
        const fresh = freshId(n);
        const { ctx, page, ms, live } = await openPage(`${base}/traces/${fresh}`);
        forget(fresh, n);
        viaBackend.push(ms);
        liveRows.push(live);
        phases.push(await page.evaluate(phasesInPage));
        // What runs after the waterfall is drawn (critical path, minimap) must leave the tab responsive.
        await page.waitForTimeout(opt.settle);
        longTasks.push(await page.evaluate(longTasksInPage, live));
        heap = Math.max(heap, await heapAfterGc(page));

        await page.goto(`${base}/traces`);
        const input = page.locator('input[type=file]');
        // Older builds (compared against) have no file opener.
        if ((await input.count()) > 0) {
          const t1 = Date.now();
          await input.setInputFiles(file);
          await page.waitForSelector(FIRST_ROW, { timeout: 60_000 });
          viaFile.push(Date.now() - t1);
          heapFile = Math.max(heapFile, await heapAfterGc(page));
        }
        await ctx.close();
      }
      const target = TARGETS_MS[n];
      const m = median(viaBackend);
      console.log(
        `open /traces/{id}, ${n} spans (fake Jaeger → dashboard → Chromium): ${range(viaBackend)}` +
          ` — JS heap after GC ${mb(heap)}${target ? ` — target ≤ ${target} ms: ${mark(m <= target)}` : ''}`,
      );
      console.log(
        `  the tab's own waterfall (interactive) drawn at ${range(liveRows)}; long tasks in the ${opt.settle} ms after it: ${longTasks
          .map((t) => `${t.count} (longest ${t.max} ms, ${t.total} ms in all)`)
          .join(', ')}`,
      );
      const p = phases[viaBackend.indexOf(m)] ?? phases[0];
      console.log(
        `  that run: page HTML from ${p.htmlStart} to ${p.html} ms, DOMContentLoaded ${p.dcl} ms, trace JSON ${
          p.json === undefined
            ? 'embedded in the page'
            : `requested at ${p.jsonStart} ms (${p.requests}), in by ${p.json} ms`
        }, first row in the DOM at ${p.row} ms, drawn at ${m} ms, the tab's own rows drawn at ${p.live} ms`,
      );
      console.log(
        `  floors, same runs: a ${FLOOR_SPANS}-span trace's page ${range(floorPage)}; the tab fetching Jaeger's answer itself ${range(floorFetch)} + JSON.parse ${range(floorParse)}`,
      );
      if (viaFile.length > 0) {
        console.log(
          `open from a file on /traces, ${n} spans (no backend): ${range(viaFile)} — JS heap after GC ${mb(heapFile)}`,
        );
      }

      if (opt.scrollFrames > 0) {
        const fresh = freshId(n);
        const { ctx, page } = await openPage(`${base}/traces/${fresh}`);
        forget(fresh, n);
        await page.getByRole('button', { name: 'Expand all' }).click();
        await page.waitForFunction(
          (count) =>
            document
              .querySelector('[data-testid="waterfall"]')
              ?.getAttribute('aria-label')
              ?.includes(`(${count} shown`),
          n,
          { timeout: 60_000 },
        );
        const rows = await page.evaluate(scrollFramesInPage, [opt.scrollFrames, 7 * 28]);
        const s = frameStats(rows.times);
        console.log(
          `scroll the expanded waterfall, ${n} rows, 7 rows a frame, ${rows.times.length} frames: ${s.fps} frames/s, frame median ${s.median.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms, ${s.long} over ${(1000 / SCROLL_FPS_TARGET).toFixed(0)} ms (${rows.rows} rows in the DOM) — target ≥ ${SCROLL_FPS_TARGET} frames/s: ${mark(s.fps >= SCROLL_FPS_TARGET)}`,
        );
        await ctx.close();
      }
      if (opt.profile) {
        const fresh = freshId(n);
        await profileOpen(
          browser,
          `${base}/traces/${fresh}`,
          FIRST_ROW,
          join(opt.profile, `page-${n}.cpuprofile`),
        );
        forget(fresh, n);
      }
    }
  } finally {
    for (const stop of stops.reverse()) await stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Sums up each `node --cpu-prof` profile the Next server processes wrote. */
function printServerProfile(dirName) {
  for (const name of readdirSync(dirName).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dirName, name), 'utf8'));
    console.log(`server CPU profile ${join(dirName, name)}\n${summarizeProfile(profile)}`);
  }
}

// Inventory benchmark (a measurement, not a test): the graph bench's synthetic Istio mesh spread over 100
// namespaces, backfilled into a real Prometheus with promtool, a real control plane holding a
// VirtualService and a DestinationRule per app of two apps a namespace, and `next start` reading both.
// Prints the Applications/Workloads/Services list (`/api/inventory`), an item's detail and the Overview,
// each first in a refresh period (cold: Prometheus read, inventory built) and again within it (kept),
// against the floor: the inventory's own PromQL straight to Prometheus, in the same run.
//   node scripts/bench.mjs inventory [-- --workloads 1000 --edges 3000 --namespaces 100 --runs 5]
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { syntheticMesh, writeOpenMetrics } from './graph.mjs';
import { ensureDashboardBuild, startDashboard } from './lib/dashboard.mjs';
import { childrenOf, freePort, ROOT, startProcess } from './lib/processes.mjs';

const run = promisify(execFile);
/** The dashboard's refresh period for this run (MESHLENS_INVENTORY_REFRESH_S). */
const REFRESH_S = 10;
/** The rate window: the backfilled scrapes end 10 minutes ago, so 5m would find none. */
const DURATION = '1h';
const TARGETS = { coldFloorRatio: 3, keptMs: 100 };

function parseArgs(args) {
  const opt = { workloads: 1000, edges: 3000, namespaces: 100, runs: 5 };
  for (let i = 0; i < args.length; i++) {
    const key = args[i]?.replace(/^--/, '');
    if (key && key in opt) opt[key] = Number(args[++i]);
  }
  return opt;
}

async function timed(fn) {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mark = (ok) => (ok ? 'PASS' : 'MISS');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const load = () => `load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`;

/** Waits until just after the next refresh period starts: the next inventory request is its first. */
async function nextPeriod() {
  const ms = REFRESH_S * 1000;
  await sleep(ms - (Date.now() % ms) + 50);
}

/** The app's service as the demo registers one: a mesh-internal ServiceEntry selecting its workloads. */
function serviceEntry(app, ns) {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'ServiceEntry',
    metadata: { name: app, namespace: ns },
    spec: {
      hosts: [`${app}.${ns}.svc.cluster.local`],
      ports: [{ number: 9080, name: 'http', protocol: 'HTTP' }],
      location: 'MESH_INTERNAL',
      resolution: 'STATIC',
      workloadSelector: { labels: { app } },
    },
  };
}

/** A VirtualService splitting an app's two versions and its DestinationRule, as a canary would. */
function canaryConfig(app, ns) {
  const meta = { name: app, namespace: ns };
  return [
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: meta,
      spec: {
        host: app,
        subsets: [
          { name: 'v1', labels: { version: 'v1' } },
          { name: 'v2', labels: { version: 'v2' } },
        ],
      },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: meta,
      spec: {
        hosts: [app],
        http: [
          {
            route: [
              { destination: { host: app, subset: 'v1' }, weight: 90 },
              { destination: { host: app, subset: 'v2' }, weight: 10 },
            ],
          },
        ],
      },
    },
  ];
}

export default async function bench(args) {
  const opt = parseArgs(args);
  const dir = mkdtempSync(join(tmpdir(), 'meshlens-bench-inventory-'));
  const stops = [];
  try {
    const mesh = syntheticMesh(opt.workloads, opt.edges);
    // Spread over `namespaces` namespaces: both versions of an app stay together.
    for (const w of mesh.workloads) w.ns = `ns-${Number(w.app.slice(4)) % opt.namespaces}`;
    const end = Math.floor(Date.now() / 1000 / 60) * 60 - 600;
    await writeOpenMetrics(join(dir, 'mesh.om'), mesh, end);
    await run(
      'promtool',
      ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'mesh.om'), join(dir, 'tsdb')],
      {
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    rmSync(join(dir, 'mesh.om'));
    console.log(
      `synthetic mesh: ${opt.workloads} workloads in ${opt.namespaces} namespaces, ${mesh.edges.length} edges, backfilled`,
    );

    writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 15s\nscrape_configs: []\n');
    const promPort = await freePort();
    const prom = await startProcess(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--storage.tsdb.retention.time=100y',
      ],
      { ready: /Server is ready to receive web requests/, timeoutMs: 120_000 },
    );
    stops.push(() => prom.stop());
    const promUrl = `http://127.0.0.1:${promPort}`;

    const cpPort = await freePort();
    const cp = await startProcess(
      process.execPath,
      [
        join(ROOT, 'bin/meshlens-agent.js'),
        'control-plane',
        '--data-dir',
        join(dir, 'cp'),
        '--port',
        String(cpPort),
        '--insecure-http',
      ],
      { ready: /control plane listening on/, timeoutMs: 60_000 },
    );
    stops.push(() => cp.stop());
    const cpUrl = `http://127.0.0.1:${cpPort}`;
    const apps = [...new Map(mesh.workloads.map((w) => [`${w.ns}/${w.app}`, w])).values()];
    const configured = [];
    for (let n = 0; n < opt.namespaces; n++)
      configured.push(...apps.filter((w) => w.ns === `ns-${n}`).slice(0, 2));
    const PLURAL = {
      ServiceEntry: 'serviceentries',
      DestinationRule: 'destinationrules',
      VirtualService: 'virtualservices',
    };
    const resources = [
      ...apps.map((w) => serviceEntry(w.app, w.ns)),
      ...configured.flatMap((w) => canaryConfig(w.app, w.ns)),
    ];
    for (const r of resources) {
      const url = `${cpUrl}/apis/networking.istio.io/v1/namespaces/${r.metadata.namespace}/${PLURAL[r.kind]}`;
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(r),
      });
      if (!res.ok) throw new Error(`control plane ${res.status}: ${(await res.text()).slice(0, 200)}`);
    }
    console.log(
      `control plane: ${resources.length} resources (a ServiceEntry per app; a DestinationRule and a VirtualService for ${configured.length} apps)`,
    );

    // The floor, from the dashboard's own PromQL module: what the list and a detail send to Prometheus.
    await build({
      entryPoints: [join(ROOT, 'lib/inventory/promql.ts')],
      bundle: true,
      format: 'esm',
      platform: 'node',
      outdir: dir,
      outExtension: { '.js': '.mjs' },
      logLevel: 'error',
    });
    const { inventoryQuery, peerLatencyQuery } = await import(pathToFileURL(join(dir, 'promql.mjs')).href);
    const promQuery = async (q) => {
      const res = await fetch(`${promUrl}/api/v1/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ query: q, time: String(Math.floor(Date.now() / 1000)) }),
      });
      const body = await res.text();
      if (!res.ok) throw new Error(`prometheus ${res.status}: ${body.slice(0, 200)}`);
      return JSON.parse(body).data.result.length;
    };
    const item = configured[0];
    const ref = { kind: 'workloads', namespace: item.ns, name: item.name };
    const floorOf = async (name, qs) => {
      await Promise.all(qs.map(promQuery));
      const runs = [];
      let series = 0;
      for (let i = 0; i < opt.runs; i++) {
        const r = await timed(() => Promise.all(qs.map(promQuery)));
        runs.push(r.ms);
        series = r.value[0];
      }
      console.log(`floor  ${name}: median ${median(runs).toFixed(0)} ms (${series} series)`);
      return median(runs);
    };
    const listFloor = await floorOf('inventory rates (one mesh-wide query)', [inventoryQuery(DURATION)]);
    const detailFloor = await floorOf('an item’s p95 by peer (inbound and outbound, in parallel)', [
      peerLatencyQuery(ref, 'inbound', DURATION),
      peerLatencyQuery(ref, 'outbound', DURATION),
    ]);

    await ensureDashboardBuild();
    const web = await startDashboard({
      env: {
        PROMETHEUS_URL: promUrl,
        MESH_CONTROL_URL: cpUrl,
        MESH_CONTROL_TOKEN: 'bench',
        MESHLENS_INVENTORY_REFRESH_S: String(REFRESH_S),
      },
    });
    stops.push(() => web.stop());
    const base = web.base;
    const get = async (path) => {
      const res = await fetch(`${base}${path}`);
      const text = await res.text();
      if (!res.ok) throw new Error(`${path} ${res.status}: ${text.slice(0, 200)}`);
      return text;
    };
    const list = `/api/inventory?duration=${DURATION}`;
    const detail = `/api/inventory/${item.ns}/workloads/${item.name}?duration=${DURATION}`;
    const overview = `/api/overview?duration=${DURATION}`;
    // Warm-up, not counted: a just-started server compiles its hot paths over its first requests.
    for (let i = 0; i < 3; i++) for (const p of [list, detail, overview]) await get(p);
    const inv = JSON.parse(await get(list));
    console.log(
      `inventory: ${inv.applications.length} applications, ${inv.workloads.length} workloads, ${inv.services.length} services in ${inv.namespaces.length} namespaces; ${load()}`,
    );
    const times = { listCold: [], listKept: [], detailCold: [], detailKept: [], overviewKept: [] };
    for (let i = 0; i < opt.runs; i++) {
      await nextPeriod();
      times.listCold.push((await timed(() => get(list))).ms);
      times.listKept.push((await timed(() => get(list))).ms);
      times.detailKept.push((await timed(() => get(detail))).ms);
      times.overviewKept.push((await timed(() => get(overview))).ms);
      await nextPeriod();
      times.detailCold.push((await timed(() => get(detail))).ms);
    }
    const line = (name, ms, floor, target) =>
      console.log(
        `api    ${name}: median ${median(ms).toFixed(0)} ms (${(median(ms) / floor).toFixed(2)}× its floor)${target ?? ''}`,
      );
    line(
      'list, first in a period (Prometheus read, inventory built)',
      times.listCold,
      listFloor,
      ` — ≤ ${TARGETS.coldFloorRatio}× the floor: ${mark(median(times.listCold) / listFloor <= TARGETS.coldFloorRatio)}`,
    );
    line(
      'list, again in the period (kept)',
      times.listKept,
      listFloor,
      ` — ≤ ${TARGETS.keptMs} ms: ${mark(median(times.listKept) <= TARGETS.keptMs)}`,
    );
    line(
      'detail, first in a period (reads the inventory, then its p95s)',
      times.detailCold,
      listFloor + detailFloor,
    );
    line(
      'detail, the inventory kept (only its p95s read)',
      times.detailKept,
      detailFloor,
      ` — ≤ ${TARGETS.coldFloorRatio}× its p95 floor: ${mark(median(times.detailKept) / detailFloor <= TARGETS.coldFloorRatio)}`,
    );
    line('overview, the inventory kept (sparklines first read)', times.overviewKept, listFloor);
    console.log(load());
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    // A process that never said it was ready has no stop: end what this section started and left.
    for (const pid of childrenOf(process.pid)) {
      try {
        // esbuild's service process serves the other sections' builds too.
        if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('esbuild')) continue;
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

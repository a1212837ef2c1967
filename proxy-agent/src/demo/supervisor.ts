// The whole demo in one process tree: control plane, trace store, real Prometheus, one app process
// and one sidecar process per Bookinfo instance, the ingress gateway, the traffic generator and the
// dashboard. Starts them in dependency order, waits until each is ready, and stops them all.
//
// The control plane and the trace store run inside this (the supervisor's) process, in a worker thread
// (services-worker.ts), serving the same REST APIs on the same ports as `meshlens-agent control-plane` /
// `trace-store` would: two Node processes fewer (~45 MB of baseline each) for the demo's memory budget.
// The price is isolation: if either fails the demo stops (its children notice through
// parent-watchdog.ts and stop too). Apps and sidecars stay one process each, as in a real mesh.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { readClientToken } from '../../../lib/auth/token-file';
import { recordingRulesYaml } from '../../../lib/graph/recording-rules';
import { MeshConfigClient } from '../../../lib/mesh-config/client';
import { freePort } from '../net/free-port';
import { httpSdScrapeConfig, startPrometheus } from '../prometheus';
import { applyScenario } from './apply-scenario';
import { startExternalService } from './apps';
import { ProcessGroup } from './process-group';
import type { ScenarioName } from './scenarios';
import type { ServicesConfig, ServicesMessage } from './services-worker';
import { DEMO_NAMESPACE, fqdn, GATEWAY, GATEWAY_NAMESPACE, INSTANCES, type Role } from './topology';
import { startTraffic, type TrafficGenerator } from './traffic-generator';

export interface DemoPorts {
  controlPlane: number;
  otlp: number;
  query: number;
  prometheus: number;
  dashboard: number;
}

export const DEFAULT_PORTS: DemoPorts = {
  controlPlane: 15010,
  otlp: 4318,
  query: 16686,
  prometheus: 9090,
  dashboard: 3000,
};

export interface DemoOptions {
  rps: number;
  scenario: ScenarioName;
  dashboard: boolean;
  /** Where state lives (`.meshlens/`): control-plane data, token, Prometheus data, logs. */
  dataDir: string;
  /** Fixed ports, or 'free' to pick free ones (tests). */
  ports: DemoPorts | 'free';
  /** An existing Prometheus to use instead of starting one. */
  prometheusUrl?: string;
  scrapeInterval?: string;
  /** Share of new traces the sidecars sample, 0–100 (default DEMO_SAMPLING_PERCENT). */
  samplingPercent?: number;
  /** Traces the trace store keeps (oldest evicted first); default DEMO_MAX_TRACES. */
  maxTraces?: number;
  log?: (line: string) => void;
}

export interface DemoUrls {
  controlPlane: string;
  otlp: string;
  jaegerQuery: string;
  prometheus: string;
  dashboard?: string;
  ingress: string;
}

export interface DemoHandle {
  urls: DemoUrls;
  token: string;
  traffic: TrafficGenerator;
  /** PIDs of every child process still running. */
  pids(): number[];
  stop(): Promise<void>;
}

const AGENT_BIN = fileURLToPath(new URL('../../bin/meshlens-agent.js', import.meta.url));
const WATCHDOG = new URL('./parent-watchdog.js', import.meta.url).href;
const SERVICES_WORKER = new URL('./services-worker.js', import.meta.url);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STARTUP_TIMEOUT_MS = 60_000;
/**
 * Share of requests traced. Istio samples 1 % by default; the demo keeps 10 %: at 20 req/s that is two
 * traces a second, plenty to browse, while creating, exporting and storing every span (~12 a request)
 * cost about 5 points of the demo's CPU (of ~35 % of one core; docs/benchmarks-demo.md).
 */
export const DEMO_SAMPLING_PERCENT = 10;
/**
 * The demo's trace retention: at 20 req/s and 10 % sampling, 1,000 traces are the last ~8 minutes
 * (~12 spans each, ~25 MB). The store's own default (50,000) would in the end hold over 1 GB: far
 * beyond the demo's memory budget.
 */
export const DEMO_MAX_TRACES = 1_000;
/**
 * V8 flags for the demo's many small Node processes: a small young generation keeps each one's RSS
 * down (the default lets it grow to ~48 MB) at the cost of more, cheaper scavenges.
 */
const NODE_FLAGS = [
  '--max-semi-space-size=2',
  '--max-old-space-size=256',
  '--v8-pool-size=1',
  '--single-threaded-gc',
];
/**
 * The apps are trivial: without V8's optimizing compiler (TurboFan) they never touch its code in the
 * node binary (~4–5 MB resident per process); Sparkplug's baseline code stays fast enough. `--jitless`
 * saved ~1 MB more per app but cost them ~8 % more CPU (docs/benchmarks-demo.md).
 */
const APP_FLAGS = ['--no-turbofan'];
/** Extra node flags for every child, for diagnosis (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`). */
const EXTRA_FLAGS = (process.env.MESHLENS_DEMO_NODE_FLAGS ?? '').split(' ').filter(Boolean);
/** Fewer glibc malloc arenas: Node's worker threads otherwise each grow their own. */
const CHILD_ENV = { MALLOC_ARENA_MAX: '2' };

async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = STARTUP_TIMEOUT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} was not ready after ${timeoutMs / 1000} s`);
}

const httpOk =
  (url: string, headers: Record<string, string> = {}) =>
  async () =>
    (await fetch(url, { headers, signal: AbortSignal.timeout(2_000) })).ok;

/**
 * Starts the control plane and trace store in a worker thread with a small young generation (see
 * services-worker.ts). `onExit` is called if the worker ends before `stop()` was asked for.
 */
async function startServices(
  config: ServicesConfig,
  onExit: (why: string) => void,
): Promise<{ urls: { controlPlane: string; otlp: string; jaegerQuery: string }; stop(): Promise<void> }> {
  const worker = new Worker(SERVICES_WORKER, {
    workerData: config,
    resourceLimits: { maxYoungGenerationSizeMb: 6, maxOldGenerationSizeMb: 256 },
  });
  let stopping = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  let why = 'exited';
  worker.on('error', (err) => {
    why = err.message;
  });
  const urls = await new Promise<{ controlPlane: string; otlp: string; jaegerQuery: string }>(
    (resolve, reject) => {
      worker.on('message', (m: ServicesMessage) => {
        if (m.type === 'ready') resolve(m);
        else if (m.type === 'failed') reject(new Error(m.message));
      });
      void exited.then(() => reject(new Error(`the control plane and trace store did not start: ${why}`)));
    },
  );
  void exited.then(() => {
    if (!stopping) onExit(why);
  });
  return {
    urls,
    async stop() {
      stopping = true;
      worker.postMessage('stop');
      const timer = setTimeout(() => void worker.terminate(), 5_000);
      await Promise.race([
        exited,
        new Promise<void>((resolve) =>
          worker.on('message', (m: ServicesMessage) => m.type === 'stopped' && resolve()),
        ),
      ]);
      clearTimeout(timer);
      await worker.terminate();
    },
  };
}

function readOrCreateToken(file: string): string {
  if (existsSync(file)) return readClientToken(file);
  const token = randomBytes(24).toString('hex');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

export async function startDemo(options: DemoOptions): Promise<DemoHandle> {
  const log = options.log ?? ((line: string) => console.log(line));
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  // In-process servers bind port 0 themselves (no race between picking and binding).
  const ports: DemoPorts =
    options.ports === 'free'
      ? {
          controlPlane: 0,
          otlp: 0,
          query: 0,
          prometheus: await freePort(),
          dashboard: await freePort(),
        }
      : options.ports;
  const tokenFile = join(dataDir, 'control-plane.token');
  const token = readOrCreateToken(tokenFile);
  const group = new ProcessGroup(join(dataDir, 'logs'), (name, code, signal) =>
    log(`! ${name} exited unexpectedly (${signal ?? `code ${code}`}); see ${group.logFile(name)}`),
  );
  const node = (name: string, args: string[], flags: string[] = []) =>
    group.start({
      name,
      command: process.execPath,
      args: [...NODE_FLAGS, ...flags, ...EXTRA_FLAGS, '--import', WATCHDOG, AGENT_BIN, ...args],
      env: CHILD_ENV,
      cwd: ROOT,
    });

  const cleanups: Array<() => Promise<void>> = [];
  /** In-process services (control plane, trace store): closed after the children, which still use them. */
  const services: Array<() => Promise<void>> = [];
  const stop = async () => {
    group.beginStop();
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
    await group.stopAll();
    for (const c of services.splice(0).reverse()) await c().catch(() => undefined);
  };

  try {
    const svc = await startServices(
      {
        controlPlanePort: ports.controlPlane,
        otlpPort: ports.otlp,
        queryPort: ports.query,
        controlPlaneDataDir: join(dataDir, 'control-plane'),
        tokenFile,
        maxTraces: options.maxTraces ?? DEMO_MAX_TRACES,
        controlPlaneLog: group.logFile('control-plane'),
        traceStoreLog: group.logFile('trace-store'),
      },
      (why) => {
        if (!group.isStopping())
          log(`! the control plane and trace store stopped (${why}); stopping the demo`);
        void stop().then(() => process.exit(1));
      },
    );
    services.push(() => svc.stop());
    const { controlPlane, otlp, jaegerQuery } = svc.urls;

    const external = await startExternalService(0);
    cleanups.push(() => external.close());
    const client = new MeshConfigClient({ baseUrl: controlPlane, token, user: 'meshlens-demo' });
    const errors = await applyScenario(client, options.scenario, external.port);
    if (errors.length > 0)
      throw new Error(`the control plane refused the demo config:\n  ${errors.join('\n  ')}`);

    const sidecarArgs = (s: { app: string; namespace: string; version: string; workload: string }) => [
      'sidecar',
      ...['--service', s.app, '--namespace', s.namespace, '--version', s.version, '--workload', s.workload],
      ...['--control-plane', controlPlane, '--control-plane-token-file', tokenFile, '--otlp-endpoint', otlp],
      ...['--sampling', String(options.samplingPercent ?? DEMO_SAMPLING_PERCENT)],
    ];
    // The OS can hand the same free port to two of the instances starting side by side: never twice here.
    const handedOut = new Set<number>();
    const unusedPort = async (): Promise<number> => {
      for (;;) {
        const port = await freePort();
        if (!handedOut.has(port)) {
          handedOut.add(port);
          return port;
        }
      }
    };
    // Each instance: its app (the gateway has none) and its sidecar, on free ports. A port can be taken
    // by another process between picking and binding; then the pair is restarted on new ports.
    const startInstance = async (
      inst: { name: string; app: string; version: string; workload: string; namespace: string },
      role?: Role,
    ) => {
      for (let attempt = 1; ; attempt++) {
        const [app, inbound, outbound, admin] = [
          await unusedPort(),
          await unusedPort(),
          await unusedPort(),
          await unusedPort(),
        ];
        const children: ChildProcess[] = [];
        if (role) {
          children.push(
            node(
              `${inst.name}-app`,
              [
                'demo-app',
                ...['--role', role, '--version', inst.version, '--instance', inst.name],
                ...['--port', String(app), '--outbound-port', String(outbound)],
                ...['--control-plane', controlPlane, '--token-file', tokenFile],
              ],
              APP_FLAGS,
            ),
          );
        }
        children.push(
          node(`${inst.name}-sidecar`, [
            ...sidecarArgs(inst),
            ...['--app-port', String(app), '--inbound-port', String(inbound)],
            ...['--outbound-port', String(outbound), '--admin-port', String(admin)],
          ]),
        );
        const exited = () => children.some((c) => c.exitCode !== null || c.signalCode !== null);
        await waitUntil(
          `${inst.name}`,
          async () => exited() || (await httpOk(`http://127.0.0.1:${admin}/ready`)()),
        );
        if (!exited()) return { outbound };
        for (const c of children) group.discard(c);
        if (attempt === 3)
          throw new Error(`${inst.name} did not start; see ${group.logFile(`${inst.name}-sidecar`)}`);
        log(`${inst.name}: restarting on other ports`);
      }
    };
    const [gateway] = await Promise.all([
      startInstance({ ...GATEWAY, namespace: GATEWAY_NAMESPACE }),
      ...INSTANCES.map((inst) => startInstance({ ...inst, namespace: DEMO_NAMESPACE }, inst.app)),
    ]);
    const gwOutbound = gateway.outbound;
    const expected = INSTANCES.length + 1;
    await waitUntil('registration of every instance', async () => {
      const list = await client.list('WorkloadEntry');
      const healthy = list.ok
        ? list.value.items.filter(
            (w) => !w.status?.conditions?.some((c) => c.type === 'Healthy' && c.status === 'False'),
          )
        : [];
      return healthy.length >= expected;
    });

    let prometheus = options.prometheusUrl;
    const sdUrl = `${controlPlane}/v1/prometheus/sd`;
    const scrapeInterval = options.scrapeInterval ?? '5s';
    const scrapeConfig = httpSdScrapeConfig('meshlens-sidecars', sdUrl, {
      credentialsFile: tokenFile,
      scrapeInterval,
    });
    if (prometheus) {
      log(
        `Using Prometheus at ${prometheus}. It needs this scrape config:\n${JSON.stringify(scrapeConfig, null, 2)}`,
      );
    } else {
      const prom = await startPrometheus({
        port: ports.prometheus,
        dataDir: join(dataDir, 'prometheus'),
        scrapeInterval,
        scrapeConfigs: [scrapeConfig],
        // Pre-aggregated latency by edge, as Istio advises for Prometheus at scale; the graph detects them.
        ruleFiles: { 'meshlens-graph.rules.yml': recordingRulesYaml() },
        log,
      });
      cleanups.push(() => prom.stop());
      prometheus = prom.url;
    }

    const traffic = startTraffic({ gatewayPort: gwOutbound, host: fqdn('productpage'), rps: options.rps });
    cleanups.push(() => traffic.stop());

    let dashboard: string | undefined;
    if (options.dashboard) {
      dashboard = await startDashboard(
        group,
        ports.dashboard,
        {
          PROMETHEUS_URL: prometheus,
          JAEGER_URL: jaegerQuery,
          MESH_CONTROL_URL: controlPlane,
          MESH_CONTROL_TOKEN: token,
        },
        log,
      );
    }
    return {
      urls: {
        controlPlane,
        otlp,
        jaegerQuery,
        prometheus,
        dashboard,
        ingress: `http://127.0.0.1:${gwOutbound}`,
      },
      token,
      traffic,
      pids: () => group.pids(),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Newest modification time under `path` (a file or a folder), 0 when it does not exist. */
function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** A `next build` exists and is newer than every source it was built from. */
function dashboardBuildIsCurrent(): boolean {
  const built = newestMtime(join(ROOT, '.next', 'BUILD_ID'));
  const sources = ['app', 'components', 'lib', 'public', 'next.config.ts', 'package-lock.json'];
  return built > 0 && sources.every((s) => newestMtime(join(ROOT, s)) < built);
}

async function startDashboard(
  group: ProcessGroup,
  port: number,
  env: Record<string, string>,
  log: (line: string) => void,
): Promise<string> {
  const next = join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next');
  if (!dashboardBuildIsCurrent()) {
    log('Building the dashboard once (next build)…');
    const build = group.start({
      name: 'next-build',
      command: process.execPath,
      args: [next, 'build'],
      cwd: ROOT,
    });
    const code = await new Promise<number | null>((done) => build.once('exit', (c) => done(c)));
    if (code !== 0) throw new Error(`next build failed; see ${group.logFile('next-build')}`);
  }
  group.start({
    name: 'dashboard',
    command: process.execPath,
    args: [next, 'start', '--port', String(port), '--hostname', '127.0.0.1'],
    env,
    cwd: ROOT,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntil('dashboard', httpOk(url), 120_000);
  return url;
}

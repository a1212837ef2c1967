// The whole demo in one process tree: control plane, trace store, real Prometheus, the Bookinfo apps,
// one sidecar process per Bookinfo instance, the ingress and egress gateways, the hosts outside the mesh,
// the traffic generator and the dashboard. Starts them in dependency order, waits until each is ready,
// and stops them all.
//
// The control plane and the trace store run inside this (the supervisor's) process, in a worker thread
// (services-worker.ts), serving the same REST APIs on the same ports as `meshlens-agent control-plane` /
// `trace-store` would: two Node processes fewer (~45 MB of baseline each) for the demo's memory budget.
// The price is isolation: if either fails the demo stops (its children notice through
// parent-watchdog.ts and stop too). Likewise the apps share one worker thread (apps-worker.ts), each on
// its own port behind its own sidecar process: eight Node processes fewer. Sidecars stay one process
// each, as in a real mesh.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readClientToken } from '../../../lib/auth/token-file';
import { recordingRulesYaml } from '../../../lib/graph/recording-rules';
import { MeshConfigClient } from '../../../lib/mesh-config/client';
import type { MeshResource } from '../../../lib/mesh-config/schema';
import { startLocalEtcd } from '../control-plane/etcd/local-member';
import { freePort } from '../net/free-port';
import { httpSdScrapeConfig, startPrometheus } from '../prometheus';
import { nodeTransport } from '../sidecar-config/http-request';
import { applyScenario } from './apply-scenario';
import { startApps } from './apps-thread';
import { startDashboard } from './dashboard-process';
import { startExternalHosts } from './external-host';
import { MeshInstances, type MeshLinks, type NodeChild } from './mesh-instances';
import { ProcessGroup } from './process-group';
import { waitUntil } from './readiness';
import type { ScenarioName } from './scenarios';
import { LEGACY_TARGET, securityPolicies } from './security-policy';
import { startServices } from './services-thread';
import {
  DEMO_NAMESPACE,
  EGRESS_GATEWAY,
  fqdn,
  GATEWAY,
  GATEWAY_NAMESPACE,
  INSTANCES,
  SERVICE_PORTS,
} from './topology';
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
  /** "etcd" (a local member in DIR/etcd) or etcd://host:port,…: the control plane's store; default the file. */
  store?: string;
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
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
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
/** The legacy client's request rate: enough for a steady plaintext edge on the graph. */
const LEGACY_CLIENT_RPS = 1;
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
/** Extra node flags for every child, for diagnosis (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`). */
const EXTRA_FLAGS = (process.env.MESHLENS_DEMO_NODE_FLAGS ?? '').split(' ').filter(Boolean);
/** Fewer glibc malloc arenas: Node's worker threads otherwise each grow their own. */
const CHILD_ENV = { MALLOC_ARENA_MAX: '2' };
/** The control plane's CA roots in the demo's data dir (the dashboard's default `.meshlens/control-plane-ca.pem`). */
export const CA_FILE = 'control-plane-ca.pem';

function readOrCreateToken(file: string): string {
  if (existsSync(file)) return readClientToken(file);
  const token = randomBytes(24).toString('hex');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

/**
 * Ports for `startDemo`: fixed ones, or free ones (in-process servers bind port 0 themselves; Prometheus, given
 * 0, picks its own and picks again if the port is taken before it binds).
 */
async function demoPorts(ports: DemoPorts | 'free'): Promise<DemoPorts> {
  if (ports !== 'free') return ports;
  return { controlPlane: 0, otlp: 0, query: 0, prometheus: 0, dashboard: await freePort() };
}

/** Waits until every instance has registered and none is marked unhealthy. */
async function waitForRegistration(client: MeshConfigClient, expected: number): Promise<void> {
  await waitUntil('registration of every instance', async () => {
    const list = await client.list('WorkloadEntry');
    const healthy = list.ok
      ? list.value.items.filter(
          (w) => !w.status?.conditions?.some((c) => c.type === 'Healthy' && c.status === 'False'),
        )
      : [];
    return healthy.length >= expected;
  });
}

/** The given Prometheus (its scrape config printed), or a real one started with the graph's rules. */
async function prometheusFor(
  options: DemoOptions,
  setup: { port: number; dataDir: string; sdUrl: string; tokenFile: string; caFile: string },
  cleanups: Array<() => Promise<void>>,
  log: (line: string) => void,
): Promise<string> {
  const scrapeInterval = options.scrapeInterval ?? '5s';
  const scrapeConfig = httpSdScrapeConfig('meshlens-sidecars', setup.sdUrl, {
    credentialsFile: setup.tokenFile,
    caFile: setup.caFile,
    scrapeInterval,
  });
  if (options.prometheusUrl) {
    log(
      `Using Prometheus at ${options.prometheusUrl}. It needs this scrape config:\n${JSON.stringify(scrapeConfig, null, 2)}`,
    );
    return options.prometheusUrl;
  }
  const prom = await startPrometheus({
    port: setup.port,
    dataDir: setup.dataDir,
    scrapeInterval,
    scrapeConfigs: [scrapeConfig],
    // Pre-aggregated latency by edge, as Istio advises for Prometheus at scale; the graph detects them.
    ruleFiles: { 'meshlens-graph.rules.yml': recordingRulesYaml() },
    log,
  });
  cleanups.push(() => prom.stop());
  return prom.url;
}

/**
 * The demo's config (scenario, hosts outside the mesh) applied, the apps' thread started, then every
 * instance and both gateways started and registered.
 */
async function startMesh(
  run: {
    group: ProcessGroup;
    nodeChild: NodeChild;
    cleanups: Array<() => Promise<void>>;
    services: Array<() => Promise<void>>;
    log: (line: string) => void;
    dataDir: string;
    onAppsExit: (why: string) => void;
  },
  links: MeshLinks & { token: string; ca: string },
  scenario: ScenarioName,
): Promise<{ gatewayOutbound: number; legacyTargetInbound: number }> {
  const external = await startExternalHosts(run.dataDir);
  run.cleanups.push(() => external.close());
  const client = new MeshConfigClient({
    baseUrl: links.controlPlane,
    token: links.token,
    user: 'meshlens-demo',
    transport: nodeTransport(links.ca),
  });
  const errors = [
    ...(await applyScenario(client, scenario, { port: external.httpsPort, caFile: external.caFile })),
    ...(await applyAll(client, securityPolicies())),
  ];
  if (errors.length > 0)
    throw new Error(`the control plane refused the demo config:\n  ${errors.join('\n  ')}`);
  const apps = await startApps(
    {
      knobs: { controlPlane: links.controlPlane, token: links.token, ca: links.ca },
      outsidePort: external.outsidePort,
    },
    run.onAppsExit,
  );
  // Stopped after the sidecars, with the in-process services: no sidecar sends to a closed app.
  run.services.push(() => apps.stop());
  const instances = new MeshInstances(run.group, run.nodeChild, links, apps, run.log);
  const [gateway, , ...workloads] = await Promise.all([
    instances.start({ ...GATEWAY, namespace: GATEWAY_NAMESPACE }),
    instances.start({ ...EGRESS_GATEWAY, namespace: GATEWAY_NAMESPACE, mode: 'gateway' }),
    ...INSTANCES.map((inst) =>
      instances.start(
        { ...inst, namespace: DEMO_NAMESPACE, portName: SERVICE_PORTS[inst.app].name },
        inst.app,
      ),
    ),
  ]);
  await waitForRegistration(client, INSTANCES.length + 2);
  const legacyTarget = workloads[INSTANCES.findIndex((inst) => inst.app === LEGACY_TARGET)];
  if (!gateway || !legacyTarget) throw new Error(`the demo topology has no gateway or ${LEGACY_TARGET}`);
  return { gatewayOutbound: gateway.outbound, legacyTargetInbound: legacyTarget.inbound };
}

/** Writes resources, answering what the control plane refused. */
async function applyAll(client: MeshConfigClient, resources: MeshResource[]): Promise<string[]> {
  const errors: string[] = [];
  for (const resource of resources) {
    const r = await client.apply(resource);
    if (!r.ok) errors.push(`${resource.kind} ${resource.metadata.name}: ${r.message}`);
  }
  return errors;
}

/**
 * `--store etcd`: a local etcd member (stopped after the control plane, the last service to close) and
 * the key sealing the CA in it, made once in the data dir.
 */
async function demoStore(
  store: string | undefined,
  dataDir: string,
  logFile: string,
  services: Array<() => Promise<void>>,
): Promise<{ store?: string; caEncryptionKeyFile?: string }> {
  if (store === undefined || store === 'file') return {};
  const caEncryptionKeyFile = join(dataDir, 'ca-encryption.key');
  if (!existsSync(caEncryptionKeyFile))
    writeFileSync(caEncryptionKeyFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  if (store !== 'etcd') return { store, caEncryptionKeyFile };
  const etcd = await startLocalEtcd(join(dataDir, 'etcd'), logFile);
  services.push(() => etcd.stop());
  return { store: etcd.store, caEncryptionKeyFile };
}

export async function startDemo(options: DemoOptions): Promise<DemoHandle> {
  const log = options.log ?? ((line: string) => console.log(line));
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const ports = await demoPorts(options.ports);
  const tokenFile = join(dataDir, 'control-plane.token');
  const token = readOrCreateToken(tokenFile);
  // The control plane's CA roots, written once it is up: every demo client verifies its HTTPS with them.
  const caFile = join(dataDir, CA_FILE);
  const group = new ProcessGroup(join(dataDir, 'logs'), (name, code, signal) =>
    log(`! ${name} exited unexpectedly (${signal ?? `code ${code}`}); see ${group.logFile(name)}`),
  );
  const nodeChild = (name: string, args: string[], flags: string[] = []) => ({
    name,
    command: process.execPath,
    args: [...NODE_FLAGS, ...flags, ...EXTRA_FLAGS, '--import', WATCHDOG, AGENT_BIN, ...args],
    env: { ...CHILD_ENV, MESH_CONTROL_CA_FILE: caFile },
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
    const store = await demoStore(options.store, dataDir, group.logFile('etcd'), services);
    const svc = await startServices(
      {
        controlPlanePort: ports.controlPlane,
        otlpPort: ports.otlp,
        queryPort: ports.query,
        controlPlaneDataDir: join(dataDir, 'control-plane'),
        ...store,
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
    const { controlPlane, otlp, jaegerQuery, controlPlaneCa } = svc.urls;
    writeFileSync(caFile, controlPlaneCa, { mode: 0o644 });

    const mesh = await startMesh(
      {
        group,
        nodeChild,
        cleanups,
        services,
        log,
        dataDir,
        onAppsExit: (why) => {
          if (!group.isStopping()) log(`! the demo apps stopped (${why}); stopping the demo`);
          void stop().then(() => process.exit(1));
        },
      },
      {
        controlPlane,
        tokenFile,
        token,
        ca: controlPlaneCa,
        otlp,
        samplingPercent: options.samplingPercent ?? DEMO_SAMPLING_PERCENT,
      },
      options.scenario,
    );

    const prometheus = await prometheusFor(
      options,
      {
        port: ports.prometheus,
        dataDir: join(dataDir, 'prometheus'),
        sdUrl: `${controlPlane}/v1/prometheus/sd`,
        tokenFile,
        caFile,
      },
      cleanups,
      log,
    );

    const traffic = startTraffic({
      gatewayPort: mesh.gatewayOutbound,
      host: fqdn('productpage'),
      rps: options.rps,
    });
    cleanups.push(() => traffic.stop());
    // A client outside the mesh (no sidecar, no certificate) calling one PERMISSIVE workload in plaintext.
    const legacy = startTraffic({
      gatewayPort: mesh.legacyTargetInbound,
      host: fqdn(LEGACY_TARGET),
      path: '/details/0',
      rps: LEGACY_CLIENT_RPS,
      jasonShare: 0,
      userAgent: 'meshlens-demo-legacy-client',
    });
    cleanups.push(() => legacy.stop());

    const dashboard = options.dashboard
      ? await startDashboard(
          group,
          {
            root: ROOT,
            port: ports.dashboard,
            env: {
              PROMETHEUS_URL: prometheus,
              JAEGER_URL: jaegerQuery,
              MESH_CONTROL_URL: controlPlane,
              MESH_CONTROL_TOKEN: token,
              MESH_CONTROL_CA_FILE: caFile,
            },
          },
          log,
        )
      : undefined;
    return {
      urls: {
        controlPlane,
        otlp,
        jaegerQuery,
        prometheus,
        dashboard,
        ingress: `http://127.0.0.1:${mesh.gatewayOutbound}`,
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

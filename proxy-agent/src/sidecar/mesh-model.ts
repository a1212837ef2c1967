// Compiles a mesh snapshot (Istio resources) into what the sidecar routes with: services and their
// host aliases, clusters (`outbound|<port>|<subset>|<fqdn>`) with their endpoints and traffic policy, and
// each service's route table. Pure and done in full before it is used, so a config swap is atomic.

import { durationMs } from '../../../lib/mesh-config/duration';
import {
  LABEL_APP,
  LABEL_CANONICAL_NAME,
  LABEL_CANONICAL_REVISION,
  LABEL_TLS_MODE,
  LABEL_VERSION,
  LABEL_WORKLOAD,
  TLS_MODE_ISTIO,
} from '../../../lib/mesh-config/labels';
import {
  gatewayKey,
  knownHosts,
  MESH_CONFIG_NAME,
  MESH_ROOT_NAMESPACE,
  qualifyHost,
  resolveHost,
} from '../../../lib/mesh-config/references';
import type {
  ClientTLSSettings,
  DestinationRule,
  Gateway,
  HTTPMatchRequest,
  HTTPRoute,
  MeshResource,
  OutboundTrafficMode,
  PeerAuthentication,
  ServiceEntry,
  Sidecar,
  TrafficPolicy,
  VirtualService,
  WorkloadEntry,
} from '../../../lib/mesh-config/schema';
import type { MeshSnapshot } from '../sidecar-config/config-source';
import { type ConnectionPoolPolicy, compileConnectionPool } from './circuit-breaker';
import { compileFault, type FaultPolicy } from './fault';
import type { LbPolicy } from './load-balancer';
import { compileOutlierPolicy, type OutlierPolicy } from './outlier-detection';
import { type EffectiveMtls, effectiveMtlsMode } from './peer-authentication';
import { type PortProtocol, portProtocol, upstreamHttp2 } from './port-protocol';
import { compileRetryPolicy, type RetryPolicy } from './retry';
import { compileMatch, cumulativeWeights, type MatchableRoute } from './route-table';
import type { ServiceIdentity, WorkloadIdentity } from './telemetry-types';

export const UNKNOWN = 'unknown';

export const UNKNOWN_WORKLOAD: WorkloadIdentity = {
  workload: UNKNOWN,
  namespace: UNKNOWN,
  app: UNKNOWN,
  version: UNKNOWN,
  canonicalService: UNKNOWN,
  canonicalRevision: 'latest',
  principal: UNKNOWN,
};

export interface EndpointConfig {
  /** `host:port`. */
  key: string;
  host: string;
  port: number;
  labels: Readonly<Record<string, string>>;
  identity: WorkloadIdentity;
  /** False when its WorkloadEntry reports the `Healthy` condition `False`. */
  healthy: boolean;
  /** Its namespace ('unknown' outside the mesh). */
  namespace: string;
  /** Runs a sidecar taking mTLS (`security.istio.io/tlsMode: istio`): auto-mTLS goes to it over Istio mTLS. */
  sidecar: boolean;
  /** What the endpoint's PeerAuthentication lets in (auto-mTLS stays plaintext toward DISABLE). */
  peerMode: EffectiveMtls;
  /** Its WorkloadEntry's service account: the SPIFFE id expected of it. */
  serviceAccount: string | undefined;
}

export interface ClusterConfig {
  name: string;
  serviceFqdn: string;
  port: number;
  subset: string;
  /** Istio's operation name for client spans to this cluster: `<fqdn>:<port>/*`. */
  spanName: string;
  endpoints: readonly EndpointConfig[];
  lb: LbPolicy;
  outlier: OutlierPolicy | undefined;
  pool: ConnectionPoolPolicy;
  /** The DestinationRule's (or subset's) `tls`; undefined: auto-mTLS. */
  tls: ClientTLSSettings | undefined;
  /** Istio's SNI for mesh mTLS to this cluster: `outbound_.<port>_.<subset>_.<fqdn>`. */
  istioSni: string;
  /** The service port's protocol (Istio's selection); TCP ports are proxied as byte streams. */
  protocol: PortProtocol;
  /** Requests go upstream over HTTP/2 (an HTTP2/GRPC port, or the DestinationRule's h2UpgradePolicy). */
  http2: boolean;
}

export interface ServicePortConfig {
  number: number;
  name: string;
  targetPort?: number;
  protocol: PortProtocol;
}

/** A VirtualService `tcp` route (or the default one): L4 match, weighted destinations. */
export interface TcpRouteConfig {
  /** Matches a connection to this service port only; undefined: any port. */
  port: number | undefined;
  /** Matches callers with these labels only; undefined: any caller. */
  sourceLabels: Readonly<Record<string, string>> | undefined;
  destinations: readonly RouteDestination[];
  cumulative: readonly number[];
}

export interface RouteDestination {
  service: ServiceConfig;
  subset: string;
  /** Cluster by service port; the request's port picks one unless the destination names a port. */
  clusters: ReadonlyMap<number, ClusterConfig>;
  fixed: ClusterConfig | undefined;
  defaultCluster: ClusterConfig;
}

export interface RouteConfig extends MatchableRoute {
  name: string;
  destinations: readonly RouteDestination[];
  cumulative: readonly number[];
  /** 0: no route timeout (Istio's default). */
  timeoutMs: number;
  retry: RetryPolicy;
  fault: FaultPolicy | undefined;
}

export interface ServiceConfig {
  fqdn: string;
  /** The namespace of the ServiceEntry that declares it (what Sidecar egress hosts import by). */
  configNamespace: string;
  identity: ServiceIdentity;
  external: boolean;
  ports: readonly ServicePortConfig[];
  routes: RouteConfig[];
  /** Its TCP routes (the VirtualService's `tcp`, else all of it to the service). */
  tcpRoutes: TcpRouteConfig[];
  /** Where the routes came from: `VirtualService ns/name`, or `default`. */
  routeSource: string;
}

export interface MeshModel {
  /** The namespace short host names resolve in (the sidecar's own). */
  namespace: string;
  services: ReadonlyMap<string, ServiceConfig>;
  /** Every name a service answers to: FQDN, `name.ns`, `name.ns.svc`, and `name` in the own namespace. */
  aliases: ReadonlyMap<string, ServiceConfig>;
  clusters: ReadonlyMap<string, ClusterConfig>;
  /** Workloads the config knows (WorkloadEntries), by `workloadKey(namespace, workload)`. */
  workloads: ReadonlyMap<string, WorkloadIdentity>;
  /** Their WorkloadEntries' labels and service account, by the same key (selectors match these). */
  workloadEntries: ReadonlyMap<string, { labels: Readonly<Record<string, string>>; serviceAccount?: string }>;
  peerAuthentications: readonly PeerAuthentication[];
  /** The mesh's outboundTrafficPolicy (MeshConfig istio-system/default; Istio's default ALLOW_ANY). */
  outboundMode: OutboundTrafficMode;
  /** Sidecar resources, in creation order (the oldest wins a tie, as in Istio). */
  sidecars: readonly Sidecar[];
  /** Gateway mode: the Gateways (`namespace/name`) this proxy serves; undefined for a sidecar. */
  gateways: ReadonlySet<string> | undefined;
  resourceVersion: string | undefined;
  resourceCount: number;
}

export class MeshCompileError extends Error {
  override name = 'MeshCompileError';
}

/** What kind of proxy the model is compiled for: a workload's sidecar, or a gateway with its labels. */
export type ProxyKind = { mode: 'sidecar' } | { mode: 'gateway'; labels: Readonly<Record<string, string>> };

const SIDECAR_PROXY: ProxyKind = { mode: 'sidecar' };
/** The name a VirtualService uses for the mesh's sidecars. */
const MESH_GATEWAY = 'mesh';

export function clusterName(port: number, subset: string, fqdn: string): string {
  return `outbound|${port}|${subset}|${fqdn}`;
}

function nsOf(r: MeshResource): string {
  return r.metadata.namespace ?? 'default';
}

function ref(r: MeshResource): string {
  return `${r.kind} ${nsOf(r)}/${r.metadata.name}`;
}

export function workloadIdentity(
  labels: Readonly<Record<string, string>>,
  fallbackName: string,
  namespace: string,
) {
  const app = labels[LABEL_APP];
  const version = labels[LABEL_VERSION];
  return {
    workload: labels[LABEL_WORKLOAD] ?? fallbackName,
    namespace,
    app: app ?? UNKNOWN,
    version: version ?? UNKNOWN,
    canonicalService: labels[LABEL_CANONICAL_NAME] ?? app ?? fallbackName,
    canonicalRevision: labels[LABEL_CANONICAL_REVISION] ?? version ?? 'latest',
    principal: UNKNOWN,
  } satisfies WorkloadIdentity;
}

function selects(
  selector: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>>,
): boolean {
  for (const [k, v] of Object.entries(selector)) if (labels[k] !== v) return false;
  return true;
}

function isHealthy(we: WorkloadEntry): boolean {
  return !we.status?.conditions?.some((c) => c.type === 'Healthy' && c.status === 'False');
}

function endpointPort(ports: Readonly<Record<string, number>> | undefined, sp: ServicePortConfig): number {
  return ports?.[sp.name] ?? sp.targetPort ?? sp.number;
}

/** Later fields of a subset's policy replace the DestinationRule's, field group by field group (as Istio). */
function mergePolicy(base: TrafficPolicy | undefined, over: TrafficPolicy | undefined): TrafficPolicy {
  return { ...(base ?? {}), ...(over ?? {}) };
}

interface RawEndpoint {
  host: string;
  ports: Readonly<Record<string, number>> | undefined;
  labels: Readonly<Record<string, string>>;
  identity: WorkloadIdentity;
  healthy: boolean;
  namespace: string;
  serviceAccount: string | undefined;
}

function serviceEndpoints(se: ServiceEntry, host: string, entries: readonly WorkloadEntry[]): RawEndpoint[] {
  const ns = nsOf(se);
  const external = se.spec.location === 'MESH_EXTERNAL';
  if (external) {
    const eps = se.spec.endpoints ?? [];
    // A DNS-resolved external service without endpoints is called at its host name.
    const list = eps.length > 0 ? eps : [{ address: host }];
    return list.map((e) => ({
      host: e.address,
      ports: 'ports' in e ? e.ports : undefined,
      labels: ('labels' in e ? e.labels : undefined) ?? {},
      identity: UNKNOWN_WORKLOAD,
      healthy: true,
      namespace: UNKNOWN,
      serviceAccount: undefined,
    }));
  }
  const out: RawEndpoint[] = (se.spec.endpoints ?? []).map((e) => {
    const labels = e.labels ?? {};
    return {
      host: e.address,
      ports: e.ports,
      labels,
      identity: workloadIdentity(labels, host, ns),
      healthy: true,
      namespace: ns,
      serviceAccount: e.serviceAccount,
    };
  });
  const selector = se.spec.workloadSelector?.labels;
  if (selector) {
    for (const we of entries) {
      const labels = we.spec.labels ?? {};
      if (nsOf(we) !== ns || !selects(selector, labels)) continue;
      out.push({
        host: we.spec.address,
        ports: we.spec.ports,
        labels,
        identity: workloadIdentity(labels, we.metadata.name, ns),
        healthy: isHealthy(we),
        namespace: ns,
        serviceAccount: we.spec.serviceAccount,
      });
    }
  }
  return out;
}

/** fqdn → subset → port → cluster */
type ClusterIndex = Map<string, Map<string, Map<number, ClusterConfig>>>;

/** The resources compileMesh works from, sorted by kind once. */
interface CompileInput {
  resources: readonly MeshResource[];
  known: ReturnType<typeof knownHosts>;
  entries: readonly WorkloadEntry[];
  rules: readonly DestinationRule[];
  peerAuthentications: readonly PeerAuthentication[];
  /** The gateway names this proxy answers to: `mesh`, or its Gateways' `namespace/name`. */
  contexts: ReadonlySet<string>;
}

/** Istio's service port when a ServiceEntry declares none. */
const DEFAULT_SERVICE_PORT: ServicePortConfig = { number: 80, name: 'http', protocol: 'http' };
/** The whole of a route's traffic (weights are percentages). */
const ALL_TRAFFIC = 100;

export function compileMesh(
  snapshot: MeshSnapshot,
  namespace: string,
  proxy: ProxyKind = SIDECAR_PROXY,
): MeshModel {
  const resources = snapshot.resources;
  const gateways = proxy.mode === 'gateway' ? selectedGateways(resources, proxy.labels) : undefined;
  const input: CompileInput = {
    resources,
    known: knownHosts(resources),
    entries: resources.filter((r): r is WorkloadEntry => r.kind === 'WorkloadEntry'),
    rules: resources.filter((r): r is DestinationRule => r.kind === 'DestinationRule'),
    peerAuthentications: resources.filter((r): r is PeerAuthentication => r.kind === 'PeerAuthentication'),
    contexts: gateways ?? new Set([MESH_GATEWAY]),
  };
  const services = new Map<string, ServiceConfig>();
  const clusters = new Map<string, ClusterConfig>();
  const clusterIndex: ClusterIndex = new Map();
  for (const se of resources) {
    if (se.kind === 'ServiceEntry') compileServiceEntry(input, se, services, clusters, clusterIndex);
  }
  for (const vs of resources) {
    if (vs.kind === 'VirtualService') applyVirtualService(input, vs, services, clusterIndex);
  }
  addDefaultRoutes(services, clusterIndex, gateways === undefined);
  return {
    namespace,
    services,
    aliases: serviceAliases(services, namespace),
    clusters,
    workloads: knownWorkloads(input.entries),
    workloadEntries: workloadEntryFacts(input.entries),
    peerAuthentications: input.peerAuthentications,
    outboundMode: meshOutboundMode(resources),
    sidecars: resources
      .filter((r): r is Sidecar => r.kind === 'Sidecar')
      .sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '')),
    gateways,
    resourceVersion: snapshot.resourceVersion,
    resourceCount: resources.length,
  };
}

/** Step 1: a ServiceEntry's services (one per host) and their clusters (per subset and port). */
function compileServiceEntry(
  input: CompileInput,
  se: ServiceEntry,
  services: Map<string, ServiceConfig>,
  clusters: Map<string, ClusterConfig>,
  clusterIndex: ClusterIndex,
): void {
  const ns = nsOf(se);
  const external = se.spec.location === 'MESH_EXTERNAL';
  const ports: ServicePortConfig[] = (se.spec.ports ?? [DEFAULT_SERVICE_PORT]).map((p) => ({
    number: p.number,
    name: p.name,
    targetPort: p.targetPort,
    protocol: portProtocol(p),
  }));
  for (const host of se.spec.hosts) {
    const fqdn = qualifyHost(host, ns);
    if (services.has(fqdn)) continue; // the first ServiceEntry for a host wins
    services.set(fqdn, {
      fqdn,
      configNamespace: ns,
      identity: external
        ? { service: host, serviceName: host, serviceNamespace: UNKNOWN }
        : { service: fqdn, serviceName: fqdn.split('.')[0] ?? fqdn, serviceNamespace: ns },
      external,
      ports,
      routes: [],
      tcpRoutes: [],
      routeSource: 'default',
    });
    const raw = serviceEndpoints(se, host, input.entries);
    const dr = input.rules.find((r) => resolveHost(r.spec.host, nsOf(r), input.known) === fqdn);
    const subsets = [
      { name: '', labels: {} as Record<string, string>, policy: dr?.spec.trafficPolicy },
      ...(dr?.spec.subsets ?? []).map((s) => ({
        name: s.name,
        labels: s.labels ?? {},
        policy: mergePolicy(dr?.spec.trafficPolicy, s.trafficPolicy),
      })),
    ];
    const bySubset = new Map<string, Map<number, ClusterConfig>>();
    for (const subset of subsets) {
      const byPort = new Map<number, ClusterConfig>();
      for (const sp of ports) {
        const cluster = subsetCluster(fqdn, sp, subset, raw, input.peerAuthentications);
        byPort.set(sp.number, cluster);
        clusters.set(cluster.name, cluster);
      }
      bySubset.set(subset.name, byPort);
    }
    clusterIndex.set(fqdn, bySubset);
  }
}

/** Step 1a: one cluster: the endpoints a subset selects, on one service port, with the subset's policy. */
function subsetCluster(
  fqdn: string,
  sp: ServicePortConfig,
  subset: { name: string; labels: Readonly<Record<string, string>>; policy: TrafficPolicy | undefined },
  raw: readonly RawEndpoint[],
  peerAuthentications: readonly PeerAuthentication[],
): ClusterConfig {
  const endpoints: EndpointConfig[] = [];
  const seen = new Set<string>();
  for (const e of raw) {
    if (!selects(subset.labels, e.labels)) continue;
    const port = endpointPort(e.ports, sp);
    const key = `${e.host}:${port}`;
    if (seen.has(key)) continue;
    seen.add(key);
    endpoints.push({
      key,
      host: e.host,
      port,
      labels: e.labels,
      identity: e.identity,
      healthy: e.healthy,
      namespace: e.namespace,
      sidecar: e.labels[LABEL_TLS_MODE] === TLS_MODE_ISTIO,
      peerMode: effectiveMtlsMode(peerAuthentications, {
        namespace: e.namespace,
        labels: e.labels,
        ports: [port],
      }),
      serviceAccount: e.serviceAccount,
    });
  }
  return {
    name: clusterName(sp.number, subset.name, fqdn),
    serviceFqdn: fqdn,
    port: sp.number,
    subset: subset.name,
    spanName: `${fqdn}:${sp.number}/*`,
    endpoints,
    lb: subset.policy?.loadBalancer?.simple ?? 'LEAST_REQUEST',
    outlier: compileOutlierPolicy(subset.policy?.outlierDetection),
    pool: compileConnectionPool(subset.policy?.connectionPool),
    tls: subset.policy?.tls,
    istioSni: `outbound_.${sp.number}_.${subset.name}_.${fqdn}`,
    protocol: sp.protocol,
    http2: upstreamHttp2(sp.protocol, subset.policy?.connectionPool?.http?.h2UpgradePolicy),
  };
}

/** Step 2: a VirtualService's routes on each of its hosts (the first VirtualService for a host wins). */
function applyVirtualService(
  input: CompileInput,
  vs: VirtualService,
  services: ReadonlyMap<string, ServiceConfig>,
  clusterIndex: ClusterIndex,
): void {
  const bound = vs.spec.gateways?.length ? vs.spec.gateways : [MESH_GATEWAY];
  const ns = nsOf(vs);
  const here = (names: readonly string[]) =>
    names.some((g) => input.contexts.has(g === MESH_GATEWAY ? g : gatewayKey(g, ns)));
  // Istio: a VirtualService applies to the proxies of the gateways it lists (`mesh`: the sidecars).
  if (!here(bound)) return;
  const httpRoutes = (vs.spec.http ?? []).flatMap((r, ri) => routeHere(r, ri, bound, here));
  vs.spec.hosts.forEach((h, hi) => {
    const fqdn = resolveHost(h, nsOf(vs), input.known);
    const service = fqdn === undefined ? undefined : services.get(fqdn);
    if (service === undefined)
      throw new MeshCompileError(`${ref(vs)}: spec.hosts[${hi}]: host ${h} is not a known service`);
    if (service.routeSource !== 'default') return;
    service.routeSource = `VirtualService ${nsOf(vs)}/${vs.metadata.name}`;
    service.routes = httpRoutes.map(({ route: r, index: ri }) => {
      const destinations = r.route.map((d, di) =>
        routeDestination(
          input,
          vs,
          `spec.http[${ri}].route[${di}].destination`,
          d.destination,
          services,
          clusterIndex,
        ),
      );
      return {
        name: r.name ?? `${vs.metadata.name}.${ri}`,
        matchers: (r.match ?? []).map((m, mi) => compileMatchAt(vs, `spec.http[${ri}].match[${mi}]`, m)),
        destinations,
        cumulative: cumulativeWeights(r.route.map((d) => d.weight)),
        timeoutMs: durationMs(r.timeout, 0),
        retry: compileRetryPolicy(r.retries),
        fault: compileFault(r.fault),
      };
    });
    service.tcpRoutes = (vs.spec.tcp ?? []).map((r, ri) => ({
      port: r.match?.find((m) => m.port !== undefined)?.port,
      sourceLabels: r.match?.find((m) => m.sourceLabels !== undefined)?.sourceLabels,
      destinations: r.route.map((d, di) =>
        routeDestination(
          input,
          vs,
          `spec.tcp[${ri}].route[${di}].destination`,
          d.destination,
          services,
          clusterIndex,
        ),
      ),
      cumulative: cumulativeWeights(r.route.map((d) => d.weight)),
    }));
  });
}

/**
 * The route as this proxy sees it: its matches that apply here (a match's `gateways`, else the
 * VirtualService's), or nothing when it had matches and none applies.
 */
function routeHere(
  r: HTTPRoute,
  index: number,
  bound: readonly string[],
  here: (names: readonly string[]) => boolean,
): { route: HTTPRoute; index: number }[] {
  if (r.match === undefined || r.match.length === 0) return [{ route: r, index }];
  const match = r.match.filter((m) => here(m.gateways?.length ? m.gateways : bound));
  return match.length === 0 ? [] : [{ route: { ...r, match }, index }];
}

/** The Gateways whose selector picks a gateway proxy with these labels, as `namespace/name`. */
function selectedGateways(
  resources: readonly MeshResource[],
  labels: Readonly<Record<string, string>>,
): ReadonlySet<string> {
  const out = new Set<string>();
  for (const r of resources) {
    if (r.kind !== 'Gateway') continue;
    const g: Gateway = r;
    if (selects(g.spec.selector ?? {}, labels)) out.add(`${nsOf(g)}/${g.metadata.name}`);
  }
  return out;
}

/** The mesh-wide outbound policy: MeshConfig istio-system/default, else Istio's default ALLOW_ANY. */
function meshOutboundMode(resources: readonly MeshResource[]): OutboundTrafficMode {
  const mc = resources.find(
    (r) => r.kind === 'MeshConfig' && r.metadata.name === MESH_CONFIG_NAME && nsOf(r) === MESH_ROOT_NAMESPACE,
  );
  return (mc?.kind === 'MeshConfig' ? mc.spec.outboundTrafficPolicy?.mode : undefined) ?? 'ALLOW_ANY';
}

/** A route's match, compiled; a regex RE2 does not accept names the resource and field. */
function compileMatchAt(vs: VirtualService, field: string, m: HTTPMatchRequest) {
  try {
    return compileMatch(m);
  } catch (err) {
    throw new MeshCompileError(`${ref(vs)}: ${field}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Step 2a: where a route destination goes: its service, subset and clusters by port. */
function routeDestination(
  input: CompileInput,
  vs: VirtualService,
  field: string,
  d: { host: string; subset?: string; port?: { number: number } },
  services: ReadonlyMap<string, ServiceConfig>,
  clusterIndex: ClusterIndex,
): RouteDestination {
  const fqdn = resolveHost(d.host, nsOf(vs), input.known);
  const service = fqdn === undefined ? undefined : services.get(fqdn);
  if (fqdn === undefined || service === undefined)
    throw new MeshCompileError(`${ref(vs)}: ${field}.host: host ${d.host} is not a known service`);
  const subset = d.subset ?? '';
  const byPort = clusterIndex.get(fqdn)?.get(subset);
  if (byPort === undefined)
    throw new MeshCompileError(`${ref(vs)}: ${field}.subset: subset ${subset} of ${fqdn} is not defined`);
  const defaultCluster = byPort.values().next().value as ClusterConfig;
  let fixed: ClusterConfig | undefined;
  if (d.port !== undefined) {
    fixed = byPort.get(d.port.number);
    if (fixed === undefined)
      throw new MeshCompileError(
        `${ref(vs)}: ${field}.port.number: ${d.port.number} is not a port of ${fqdn}`,
      );
  }
  return { service, subset, clusters: byPort, fixed, defaultCluster };
}

/** Step 3: a service without a VirtualService gets Istio's default route: all of it, default retries. */
function addDefaultRoutes(
  services: ReadonlyMap<string, ServiceConfig>,
  clusterIndex: ClusterIndex,
  sidecar: boolean,
): void {
  for (const service of services.values()) {
    const byPort = clusterIndex.get(service.fqdn)?.get('') as Map<number, ClusterConfig>;
    if (service.tcpRoutes.length === 0) {
      // Istio's default TCP route: the whole service (the connection's port picks the cluster).
      service.tcpRoutes = [
        {
          port: undefined,
          sourceLabels: undefined,
          destinations: [
            {
              service,
              subset: '',
              clusters: byPort,
              fixed: undefined,
              defaultCluster: byPort.values().next().value as ClusterConfig,
            },
          ],
          cumulative: [ALL_TRAFFIC],
        },
      ];
    }
    // A gateway has no default routes: only what VirtualServices bound to it route (else NR, as Envoy).
    if (service.routeSource !== 'default' || !sidecar) continue;
    service.routes = [
      {
        name: 'default',
        matchers: [],
        destinations: [
          {
            service,
            subset: '',
            clusters: byPort,
            fixed: undefined,
            defaultCluster: byPort.values().next().value as ClusterConfig,
          },
        ],
        cumulative: [ALL_TRAFFIC],
        timeoutMs: 0,
        retry: compileRetryPolicy(undefined),
        fault: undefined,
      },
    ];
  }
}

/** Step 4: every name a service answers to. */
function serviceAliases(services: ReadonlyMap<string, ServiceConfig>, namespace: string) {
  const aliases = new Map<string, ServiceConfig>();
  for (const s of services.values()) {
    aliases.set(s.fqdn, s);
    if (s.identity.service !== s.fqdn) aliases.set(s.identity.service, s);
    const m = /^([^.]+)\.([^.]+)\.svc\.cluster\.local$/.exec(s.fqdn);
    if (m) {
      const [, name, ns] = m as unknown as [string, string, string];
      aliases.set(`${name}.${ns}`, s);
      aliases.set(`${name}.${ns}.svc`, s);
      if (ns === namespace && !aliases.has(name)) aliases.set(name, s);
    }
  }
  return aliases;
}

/** Step 5: the workloads the config names (WorkloadEntries), by `namespace/workload`; the first one wins. */
function knownWorkloads(entries: readonly WorkloadEntry[]): ReadonlyMap<string, WorkloadIdentity> {
  const workloads = new Map<string, WorkloadIdentity>();
  for (const we of entries) {
    const identity = workloadIdentity(we.spec.labels ?? {}, we.metadata.name, nsOf(we));
    const key = workloadKey(identity.namespace, identity.workload);
    if (!workloads.has(key)) workloads.set(key, identity);
  }
  return workloads;
}

/** Labels and service account of each known workload (the first WorkloadEntry of a workload wins). */
function workloadEntryFacts(entries: readonly WorkloadEntry[]): MeshModel['workloadEntries'] {
  const out = new Map<string, { labels: Readonly<Record<string, string>>; serviceAccount?: string }>();
  for (const we of entries) {
    const labels = we.spec.labels ?? {};
    const key = workloadKey(nsOf(we), labels[LABEL_WORKLOAD] ?? we.metadata.name);
    if (!out.has(key))
      out.set(key, { labels, ...(we.spec.serviceAccount ? { serviceAccount: we.spec.serviceAccount } : {}) });
  }
  return out;
}

export function workloadKey(namespace: string, workload: string): string {
  return `${namespace}/${workload}`;
}

/** The service a Host header (without port, any case) names, or undefined. */
export function lookupService(model: MeshModel, hostname: string): ServiceConfig | undefined {
  return model.aliases.get(hostname) ?? model.aliases.get(hostname.toLowerCase());
}

/** The cluster a destination sends a request for `port` to (the service's first port when not declared). */
export function clusterFor(d: RouteDestination, port: number): ClusterConfig {
  return d.fixed ?? d.clusters.get(port) ?? d.defaultCluster;
}

/** The TCP route a connection to `port` from a caller with `labels` takes (Istio: the first that matches). */
export function selectTcpRoute(
  service: ServiceConfig,
  port: number,
  labels: Readonly<Record<string, string>>,
): TcpRouteConfig | undefined {
  return service.tcpRoutes.find(
    (r) =>
      (r.port === undefined || r.port === port) &&
      (r.sourceLabels === undefined || Object.entries(r.sourceLabels).every(([k, v]) => labels[k] === v)),
  );
}

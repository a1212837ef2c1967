// The inventory from one mesh-wide request-rate query and the control plane's config: every workload
// (its instances, whether its sidecar reports, its rates in and out), the apps they group into, the
// services they serve, each with Kiali's request health and the config that applies. Pure.
import { addRate, emptyRates, type HealthThresholds, healthOf } from '../graph/health';
import { chooseReporters, type RequestSeries, type Sample, toRequestSeries } from '../graph/series';
import {
  CLUSTER_DOMAIN,
  LABEL_APP,
  LABEL_CANONICAL_NAME,
  LABEL_CANONICAL_REVISION,
  LABEL_VERSION,
  LABEL_WORKLOAD,
} from '../mesh-config/labels';
import type { WorkloadEntry } from '../mesh-config/schema';
import {
  configForHost,
  configForWorkload,
  DEFAULT_ROOT_NAMESPACE,
  EMPTY_CONFIG,
  type MeshConfigInput,
  mergeConfig,
  selects,
  serviceEntryHosts,
} from './config-match';
import { worstHealth } from './health';
import type { Instance, InventoryItem, RateBreakdown, SidecarState } from './types';

export interface BuildInput {
  /** The answer of `inventoryQuery`: request rates by reporter, both ends, service and response. */
  samples: readonly Sample[];
  /** Undefined when the control plane could not be read: the inventory comes from metrics alone. */
  config?: MeshConfigInput;
  thresholds: HealthThresholds;
  rootNamespace?: string;
}

export interface BuiltInventory {
  namespaces: string[];
  applications: InventoryItem[];
  workloads: InventoryItem[];
  services: InventoryItem[];
  /** Requests per second into each namespace's workloads and services. */
  namespaceInbound: Record<string, RateBreakdown>;
}

interface WorkloadAcc {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  inbound: RateBreakdown;
  outbound: RateBreakdown;
  /** Its own proxy reported a request. */
  reports: boolean;
  /** A peer's proxy reported a request to or from it. */
  seen: boolean;
  services: Set<string>;
  instances: Instance[];
}

interface ServiceAcc {
  namespace: string;
  name: string;
  host: string;
  inbound: RateBreakdown;
  workloads: Set<string>;
  external: boolean;
}

const key = (ns: string, name: string) => `${ns}/${name}`;

/** `reviews` from `reviews.bookinfo.svc.cluster.local` in `bookinfo`; an external host stays whole. */
export function serviceName(host: string, namespace: string): string {
  const suffix = `.${namespace}.${CLUSTER_DOMAIN}`;
  return host.endsWith(suffix) ? host.slice(0, -suffix.length) : host;
}

function healthyOf(we: WorkloadEntry): boolean | undefined {
  const c = we.status?.conditions?.find((x) => x.type === 'Healthy');
  return c ? c.status === 'True' : undefined;
}

export function buildInventory(input: BuildInput): BuiltInventory {
  const config = input.config ?? EMPTY_CONFIG;
  const root = input.rootNamespace ?? DEFAULT_ROOT_NAMESPACE;
  const workloads = new Map<string, WorkloadAcc>();
  const services = new Map<string, ServiceAcc>();
  const namespaceInbound = new Map<string, RateBreakdown>();

  const workload = (namespace: string, name: string): WorkloadAcc => {
    const k = key(namespace, name);
    let w = workloads.get(k);
    if (!w) {
      w = {
        namespace,
        name,
        labels: {},
        inbound: emptyRates(),
        outbound: emptyRates(),
        reports: false,
        seen: false,
        services: new Set(),
        instances: [],
      };
      workloads.set(k, w);
    }
    return w;
  };
  const service = (namespace: string, host: string, external: boolean): ServiceAcc => {
    const name = serviceName(host, namespace);
    const k = key(namespace, name);
    let s = services.get(k);
    if (!s) {
      s = { namespace, name, host, inbound: emptyRates(), workloads: new Set(), external };
      services.set(k, s);
    }
    return s;
  };

  // Services the config declares (ServiceEntry hosts), so that external hosts find their namespace.
  const declared = new Map<string, { namespace: string; external: boolean }>();
  for (const se of config.serviceEntries)
    for (const host of serviceEntryHosts(se)) {
      if (host.includes('*')) continue;
      const namespace = se.metadata.namespace ?? 'default';
      const external = se.spec.location !== 'MESH_INTERNAL';
      declared.set(host, { namespace, external });
      service(namespace, host, external);
    }

  for (const we of config.workloadEntries) {
    const labels = { ...(we.metadata.labels ?? {}), ...(we.spec.labels ?? {}) };
    const w = workload(we.metadata.namespace ?? 'default', labels[LABEL_WORKLOAD] ?? we.metadata.name);
    const app = labels[LABEL_CANONICAL_NAME] ?? labels[LABEL_APP];
    const version = labels[LABEL_CANONICAL_REVISION] ?? labels[LABEL_VERSION];
    w.labels = {
      ...w.labels,
      ...labels,
      ...(app ? { [LABEL_APP]: app } : {}),
      ...(version ? { [LABEL_VERSION]: version } : {}),
    };
    w.instances.push({ name: we.metadata.name, address: we.spec.address, healthy: healthyOf(we) });
  }

  const series = input.samples.flatMap((s) => toRequestSeries(s) ?? []);
  const labelFrom = (w: WorkloadAcc, side: NonNullable<RequestSeries['source']>) => {
    if (side.app && !w.labels[LABEL_APP]) w.labels[LABEL_APP] = side.app;
    if (side.version && !w.labels[LABEL_VERSION]) w.labels[LABEL_VERSION] = side.version;
  };
  for (const s of series) {
    if (s.source) {
      const w = workload(s.source.namespace, s.source.workload);
      labelFrom(w, s.source);
      w.seen = true;
      if (s.reporter === 'source') w.reports = true;
    }
    const d = s.destination.workload;
    if (d) {
      const w = workload(d.namespace, d.workload);
      labelFrom(w, d);
      w.seen = true;
      if (s.reporter === 'destination') w.reports = true;
    }
  }

  for (const s of chooseReporters(series).chosen) {
    if (s.source)
      addRate(workload(s.source.namespace, s.source.workload).outbound, s.code, s.rps, s.grpcStatus);
    const d = s.destination.workload;
    const dw = d ? workload(d.namespace, d.workload) : undefined;
    if (dw) addRate(dw.inbound, s.code, s.rps, s.grpcStatus);
    const host = s.destination.service;
    const known = host ? declared.get(host) : undefined;
    const svcNamespace = s.destination.serviceNamespace ?? known?.namespace;
    const svc = host && svcNamespace ? service(svcNamespace, host, known?.external ?? false) : undefined;
    if (svc) {
      addRate(svc.inbound, s.code, s.rps, s.grpcStatus);
      if (dw && dw.namespace === svc.namespace) {
        svc.workloads.add(dw.name);
        dw.services.add(svc.name);
      }
    }
    const ns = dw?.namespace ?? svc?.namespace;
    if (ns) {
      const into = namespaceInbound.get(ns) ?? emptyRates();
      addRate(into, s.code, s.rps, s.grpcStatus);
      namespaceInbound.set(ns, into);
    }
  }

  // ServiceEntries that select workloads by label: those workloads are behind the service.
  for (const se of config.serviceEntries) {
    const sel = se.spec.workloadSelector?.labels;
    const ns = se.metadata.namespace ?? 'default';
    if (!sel) continue;
    for (const host of serviceEntryHosts(se)) {
      const svc = services.get(key(ns, serviceName(host, ns)));
      if (!svc) continue;
      for (const w of workloads.values())
        if (w.namespace === ns && selects(sel, w.labels)) {
          svc.workloads.add(w.name);
          w.services.add(svc.name);
        }
    }
  }

  const sidecarOf = (w: WorkloadAcc): SidecarState =>
    w.reports ? 'present' : w.seen ? 'missing' : 'unknown';
  const hostOf = (ns: string, name: string) => services.get(key(ns, name))?.host;

  const workloadItems: InventoryItem[] = [...workloads.values()].map((w) => ({
    kind: 'workloads',
    namespace: w.namespace,
    name: w.name,
    labels: w.labels,
    health: worstHealth([healthOf(w.inbound, input.thresholds), healthOf(w.outbound, input.thresholds)]),
    inbound: w.inbound,
    outbound: w.outbound,
    sidecar: sidecarOf(w),
    config: mergeConfig([
      ...configForWorkload(w.namespace, w.labels, config, root),
      ...[...w.services].flatMap((s) => {
        const h = hostOf(w.namespace, s);
        return h ? configForHost(h, config) : [];
      }),
    ]),
    workloads: [],
    services: [...w.services].sort(),
    instances: w.instances.sort((a, b) => a.name.localeCompare(b.name)),
  }));

  const byKey = new Map(workloadItems.map((w) => [key(w.namespace, w.name), w]));
  const serviceItems: InventoryItem[] = [...services.values()].map((s) => {
    const members = [...s.workloads].sort().flatMap((n) => byKey.get(key(s.namespace, n)) ?? []);
    return {
      kind: 'services',
      namespace: s.namespace,
      name: s.name,
      labels: groupLabels(members, s.external ? {} : { [LABEL_APP]: s.name }),
      health: healthOf(s.inbound, input.thresholds),
      inbound: s.inbound,
      outbound: emptyRates(),
      sidecar: s.external ? 'unknown' : groupSidecar(members),
      config: mergeConfig([
        ...configForHost(s.host, config),
        ...members.flatMap((m) =>
          m.config.filter((c) => c.kind === 'PeerAuthentication' || c.kind === 'Sidecar'),
        ),
      ]),
      workloads: members.map((m) => m.name),
      services: [],
      host: s.host,
      instances: [],
    };
  });

  const apps = new Map<string, InventoryItem[]>();
  for (const w of workloadItems) {
    const app = w.labels[LABEL_APP];
    if (!app) continue;
    const k = key(w.namespace, app);
    apps.set(k, [...(apps.get(k) ?? []), w]);
  }
  const applicationItems: InventoryItem[] = [...apps.values()].map((members) => {
    const first = members[0] as InventoryItem;
    const inbound = sumRates(members.map((m) => m.inbound));
    const outbound = sumRates(members.map((m) => m.outbound));
    return {
      kind: 'applications',
      namespace: first.namespace,
      name: first.labels[LABEL_APP] as string,
      labels: groupLabels(members, {}),
      health: worstHealth([healthOf(inbound, input.thresholds), healthOf(outbound, input.thresholds)]),
      inbound,
      outbound,
      sidecar: groupSidecar(members),
      config: mergeConfig(members.flatMap((m) => m.config)),
      workloads: members.map((m) => m.name).sort(),
      services: [...new Set(members.flatMap((m) => m.services))].sort(),
      instances: [],
    };
  });

  const byName = (a: InventoryItem, b: InventoryItem) =>
    a.namespace === b.namespace ? a.name.localeCompare(b.name) : a.namespace.localeCompare(b.namespace);
  const namespaces = new Set<string>([...workloads.values()].map((w) => w.namespace));
  for (const s of services.values()) namespaces.add(s.namespace);
  for (const r of [...config.virtualServices, ...config.destinationRules])
    namespaces.add(r.metadata.namespace ?? 'default');
  return {
    namespaces: [...namespaces].sort(),
    applications: applicationItems.sort(byName),
    workloads: workloadItems.sort(byName),
    services: serviceItems.sort(byName),
    namespaceInbound: Object.fromEntries(namespaceInbound),
  };
}

export function sumRates(rates: readonly RateBreakdown[]): RateBreakdown {
  const out = emptyRates();
  for (const r of rates) {
    out.total += r.total;
    out.http4xx += r.http4xx;
    out.http5xx += r.http5xx;
    out.noResponse += r.noResponse;
  }
  return out;
}

/** An app's or a service's labels: `app` and the versions of its workloads, comma-joined. */
function groupLabels(
  members: readonly InventoryItem[],
  base: Record<string, string>,
): Record<string, string> {
  const out = { ...base };
  const app = members.find((m) => m.labels[LABEL_APP])?.labels[LABEL_APP];
  if (app) out[LABEL_APP] = app;
  const versions = [...new Set(members.flatMap((m) => m.labels[LABEL_VERSION] ?? []))].sort();
  if (versions.length > 0) out[LABEL_VERSION] = versions.join(',');
  return out;
}

/** Missing when any member's sidecar is missing; present when one reports; else unknown. */
function groupSidecar(members: readonly InventoryItem[]): SidecarState {
  if (members.some((m) => m.sidecar === 'missing')) return 'missing';
  return members.some((m) => m.sidecar === 'present') ? 'present' : 'unknown';
}

// The canary panel's reads: the services, one service's state, its observed split and its history,
// from the control plane and Prometheus. I/O only; every decision is in the pure modules beside it.
import 'server-only';
import type { OutcomeKind } from '../http/answer';
import type { Failure, MeshConfigClient } from '../mesh-config/client';
import { CLUSTER_DOMAIN } from '../mesh-config/labels';
import type { DestinationRule, ServiceEntry, VirtualService, WorkloadEntry } from '../mesh-config/schema';
import { controlPlaneClient } from '../mesh-config/server';
import { outcomeOfFailure } from './apply-plan';
import { destinationRuleFor } from './destination-rule';
import { type AuditEntry, AuditListSchema, type HistoryItem, historyOf } from './history';
import {
  type ObservedSplit,
  type ObservedWindow,
  observedSplitFrom,
  observedSplitQuery,
  versionOfSample,
  versionsSeenQuery,
} from './observed';
import { instantQuery } from './prometheus';
import { type CanaryState, canaryState, virtualServiceFor } from './service-state';
import { findService, servicesFrom } from './services';
import type { ServiceRef } from './virtual-service';
import type { Split } from './weights';

export type Loaded<T> = { ok: true; value: T } | { ok: false; kind: ReadFailureKind; message: string };
type ReadFailureKind = Extract<
  OutcomeKind,
  'unavailable' | 'not-found' | 'unauthorized' | 'forbidden' | 'error'
>;

/** A failed read in words (a read cannot conflict, and what it could not parse is an error). */
function failed(failure: Failure): { ok: false; kind: ReadFailureKind; message: string } {
  const outcome = outcomeOfFailure(failure);
  const kind =
    outcome.ok || outcome.kind === 'conflict' || outcome.kind === 'invalid' ? 'error' : outcome.kind;
  return { ok: false, kind, message: outcome.message };
}

interface MeshConfig {
  serviceEntries: ServiceEntry[];
  virtualServices: VirtualService[];
  destinationRules: DestinationRule[];
  workloadEntries: WorkloadEntry[];
}

async function readConfig(client: MeshConfigClient, namespace?: string): Promise<Loaded<MeshConfig>> {
  const [se, vs, dr, we] = await Promise.all([
    client.list<ServiceEntry>('ServiceEntry', namespace),
    client.list<VirtualService>('VirtualService', namespace),
    client.list<DestinationRule>('DestinationRule', namespace),
    client.list<WorkloadEntry>('WorkloadEntry', namespace),
  ]);
  if (!se.ok) return failed(se);
  if (!vs.ok) return failed(vs);
  if (!dr.ok) return failed(dr);
  if (!we.ok) return failed(we);
  return {
    ok: true,
    value: {
      serviceEntries: se.value.items,
      virtualServices: vs.value.items,
      destinationRules: dr.value.items,
      workloadEntries: we.value.items,
    },
  };
}

/** Version label values seen in metrics per service host over the last 5 minutes (empty if Prometheus is down). */
async function versionsSeen(
  service?: ServiceRef,
): Promise<{ byHost: Map<string, string[]>; warning?: string }> {
  const res = await instantQuery(versionsSeenQuery(service));
  const byHost = new Map<string, string[]>();
  if (!res.ok) return { byHost, warning: `${res.message} — versions seen in metrics are not shown.` };
  for (const s of res.samples) {
    const { destination_service_name: n, destination_service_namespace: ns } = s.labels;
    const v = versionOfSample(s.labels);
    if (!n || !ns || !v) continue;
    const host = `${n}.${ns}.${CLUSTER_DOMAIN}`;
    byHost.set(host, [...(byHost.get(host) ?? []), v]);
  }
  return { byHost };
}

export interface ServiceSummary {
  service: ServiceRef;
  versions: string[];
  /** The default route's split, when a VirtualService routes the service. */
  split: Split | null;
}

export async function listServices(): Promise<Loaded<{ services: ServiceSummary[]; warnings: string[] }>> {
  const [config, seen] = await Promise.all([readConfig(controlPlaneClient()), versionsSeen()]);
  if (!config.ok) return config;
  const c = config.value;
  const services = servicesFrom(c.serviceEntries, c.destinationRules, c.workloadEntries).map((service) => {
    const state = canaryState({ service, ...c, observedVersions: seen.byHost.get(service.host) ?? [] });
    const route = state.virtualService?.routes.find((r) => r.index === state.defaultRouteIndex);
    return { service, versions: state.versions.map((v) => v.version), split: route ? state.split : null };
  });
  return { ok: true, value: { services, warnings: seen.warning ? [seen.warning] : [] } };
}

/** What a write starts from: the service state and the resources it may replace. */
export interface ServiceConfig {
  state: CanaryState;
  virtualService?: VirtualService;
  destinationRule?: DestinationRule;
  warnings: string[];
}

export async function serviceConfig(
  client: MeshConfigClient,
  name: string,
  namespace?: string,
): Promise<Loaded<ServiceConfig>> {
  const config = await readConfig(client, namespace);
  if (!config.ok) return config;
  const c = config.value;
  const service = findService(
    servicesFrom(c.serviceEntries, c.destinationRules, c.workloadEntries),
    name,
    namespace,
  );
  if (!service)
    return {
      ok: false,
      kind: 'not-found',
      message: `No service ${name}${namespace ? ` in ${namespace}` : ''}.`,
    };
  const seen = await versionsSeen(service);
  const state = canaryState({ service, ...c, observedVersions: seen.byHost.get(service.host) ?? [] });
  const virtualService = virtualServiceFor(c.virtualServices, service);
  const destinationRule = destinationRuleFor(c.destinationRules, service);
  return {
    ok: true,
    value: {
      state,
      ...(virtualService ? { virtualService } : {}),
      ...(destinationRule ? { destinationRule } : {}),
      warnings: seen.warning ? [seen.warning] : [],
    },
  };
}

export async function loadService(
  name: string,
  namespace?: string,
): Promise<Loaded<{ state: CanaryState; warnings: string[] }>> {
  const loaded = await serviceConfig(controlPlaneClient(), name, namespace);
  return loaded.ok
    ? { ok: true, value: { state: loaded.value.state, warnings: loaded.value.warnings } }
    : loaded;
}

/** The observed split by version label (the panel maps labels to subsets with `VersionInfo.label`). */
export async function loadObserved(
  service: { name: string; namespace: string },
  window: ObservedWindow,
): Promise<Loaded<ObservedSplit>> {
  const res = await instantQuery(observedSplitQuery(service.name, service.namespace, window));
  if (!res.ok) return { ok: false, kind: 'unavailable', message: res.message };
  return { ok: true, value: observedSplitFrom(res.samples) };
}

export async function auditEntries(
  client: MeshConfigClient,
  service: ServiceRef,
  vsName: string,
): Promise<Loaded<AuditEntry[]>> {
  const q = new URLSearchParams({
    kind: 'VirtualService',
    namespace: service.namespace,
    name: vsName,
    limit: '50',
  });
  const res = await client.send<unknown>('GET', `/v1/audit?${q}`);
  if (!res.ok) return failed(res);
  const parsed = AuditListSchema.safeParse(res.value);
  if (!parsed.success)
    return {
      ok: false,
      kind: 'error',
      message: 'The control plane answered an audit log this dashboard cannot read.',
    };
  return { ok: true, value: parsed.data.items };
}

export async function loadHistory(name: string, namespace?: string): Promise<Loaded<HistoryItem[]>> {
  const client = controlPlaneClient();
  const loaded = await serviceConfig(client, name, namespace);
  if (!loaded.ok) return loaded;
  const { state, virtualService } = loaded.value;
  const vsName = virtualService?.metadata.name ?? state.service.name;
  const entries = await auditEntries(client, state.service, vsName);
  if (!entries.ok) return entries;
  return {
    ok: true,
    value: historyOf(entries.value, state.service, vsName, virtualService?.metadata.resourceVersion ?? null),
  };
}

// The canary panel's backend: reads the mesh config and metrics, applies splits and rollbacks through
// the control plane. I/O only; every decision is in the pure modules beside it.
import 'server-only';
import type { Failure, MeshConfigClient } from '../mesh-config/client';
import { CLUSTER_DOMAIN } from '../mesh-config/labels';
import type { DestinationRule, ServiceEntry, VirtualService, WorkloadEntry } from '../mesh-config/schema';
import { controlPlaneClient } from '../mesh-config/server';
import {
  type ApplyOutcome,
  type ApplyRequest,
  appliedMessage,
  type ChangedBy,
  CONFLICT_MESSAGE,
  outcomeOfFailure,
  type Plan,
  planApply,
  planRollback,
  type RollbackRequest,
} from './apply-plan';
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
import { type CanaryState, canaryState, initialSplit, virtualServiceFor } from './service-state';
import { findService, servicesFrom } from './services';
import { defaultRoute, routesOf, type ServiceRef } from './virtual-service';
import { formatSplit, type Split } from './weights';

export type Loaded<T> = { ok: true; value: T } | { ok: false; kind: ApplyFailureKind; message: string };
type ApplyFailureKind = 'unavailable' | 'not-found' | 'unauthorized' | 'forbidden' | 'error';

/** A failed read in words (a read cannot conflict, and what it could not parse is an error). */
function failed(failure: Failure): { ok: false; kind: ApplyFailureKind; message: string } {
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

interface ServiceConfig {
  state: CanaryState;
  virtualService?: VirtualService;
  destinationRule?: DestinationRule;
  warnings: string[];
}

async function serviceConfig(
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

async function auditEntries(
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

/** The split of the route a request edits, over the form's versions, for conflict messages. */
function splitIn(state: CanaryState, scope: ApplyRequest['scope']) {
  return (vs: VirtualService): Split | null => {
    const routes = routesOf(vs, state.service);
    const route = typeof scope === 'number' ? routes.find((r) => r.index === scope) : defaultRoute(routes);
    return route ? initialSplit(state.versions, route) : null;
  };
}

async function lastChange(
  client: MeshConfigClient,
  service: ServiceRef,
  vsName: string,
): Promise<ChangedBy | undefined> {
  const entries = await auditEntries(client, service, vsName);
  const last = entries.ok ? entries.value[0] : undefined;
  return last ? { who: last.who, time: last.time } : undefined;
}

/** Carries out a write plan; a 409 on the way is reported as a conflict showing the current state. */
async function execute(
  client: MeshConfigClient,
  cfg: ServiceConfig,
  plan: Plan,
  currentSplit: (vs: VirtualService) => Split | null,
  yours: Split | null,
  success: string,
): Promise<ApplyOutcome> {
  const { service } = cfg.state;
  const vsName = cfg.virtualService?.metadata.name ?? service.name;
  const conflictNow = async (): Promise<ApplyOutcome> => {
    const now = await client.get<VirtualService>('VirtualService', service.namespace, vsName);
    const current = now.ok ? now.value : undefined;
    const changedBy = await lastChange(client, service, vsName);
    return {
      ok: false,
      kind: 'conflict',
      message: CONFLICT_MESSAGE,
      yours,
      current: current ? currentSplit(current) : null,
      currentResourceVersion: current?.metadata.resourceVersion ?? null,
      ...(changedBy ? { changedBy } : {}),
    };
  };
  if (plan.kind === 'invalid') return plan;
  if (plan.kind === 'conflict') {
    const changedBy = await lastChange(client, service, vsName);
    return { ...plan, yours, ...(changedBy ? { changedBy } : {}) };
  }
  if (plan.destinationRule) {
    const dr = plan.destinationRule;
    const written = cfg.destinationRule ? await client.replace(dr) : await client.create(dr);
    if (!written.ok) {
      const outcome = outcomeOfFailure(written);
      if (!outcome.ok && outcome.kind === 'conflict')
        return {
          ok: false,
          kind: 'error',
          message: 'The DestinationRule changed meanwhile; reload and apply again.',
        };
      return outcome;
    }
  }
  const written = plan.create
    ? await client.create(plan.virtualService)
    : await client.replace(plan.virtualService);
  if (!written.ok) {
    if (written.status === 409) return conflictNow();
    return outcomeOfFailure(written, plan);
  }
  return { ok: true, resourceVersion: written.value.metadata.resourceVersion ?? '', message: success };
}

export async function applySplit(
  name: string,
  namespace: string,
  request: ApplyRequest,
  user: string,
): Promise<ApplyOutcome> {
  const client = controlPlaneClient(user);
  const loaded = await serviceConfig(client, name, namespace);
  if (!loaded.ok) return { ok: false, kind: loaded.kind, message: loaded.message };
  const cfg = loaded.value;
  const currentSplit = splitIn(cfg.state, request.scope);
  const plan = planApply(
    cfg.state.service,
    {
      ...(cfg.virtualService ? { virtualService: cfg.virtualService } : {}),
      ...(cfg.destinationRule ? { destinationRule: cfg.destinationRule } : {}),
      versions: cfg.state.versions.map((v) => v.version),
    },
    request,
    currentSplit,
  );
  return execute(
    client,
    cfg,
    plan,
    currentSplit,
    request.split,
    appliedMessage(request.split, cfg.state.service),
  );
}

export async function rollbackTo(
  name: string,
  namespace: string,
  request: RollbackRequest,
  user: string,
): Promise<ApplyOutcome> {
  const client = controlPlaneClient(user);
  const loaded = await serviceConfig(client, name, namespace);
  if (!loaded.ok) return { ok: false, kind: loaded.kind, message: loaded.message };
  const cfg = loaded.value;
  const vsName = cfg.virtualService?.metadata.name ?? cfg.state.service.name;
  const entries = await auditEntries(client, cfg.state.service, vsName);
  if (!entries.ok) return { ok: false, kind: entries.kind, message: entries.message };
  const entry = entries.value.find((e) => e.resourceVersion === request.to);
  if (!entry)
    return { ok: false, kind: 'not-found', message: `No history entry ${request.to} for ${vsName}.` };
  const currentSplit = splitIn(cfg.state, undefined);
  const plan = planRollback(cfg.state.service, cfg.virtualService, entry.newSpec, request, currentSplit);
  const target = plan.kind === 'write' ? currentSplit(plan.virtualService) : null;
  const message = `Rolled back ${vsName} to the change ${entry.who} made at ${entry.time}${target ? ` (${formatSplit(target)})` : ''}.`;
  return execute(client, cfg, plan, currentSplit, target, message);
}

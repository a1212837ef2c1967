// The canary panel's writes: apply a split, roll back to a history entry, through the control plane as
// the signed-in user. A 409 on the way is reported as a conflict showing the current state.
import 'server-only';
import type { MeshConfigClient } from '../mesh-config/client';
import type { VirtualService } from '../mesh-config/schema';
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
import { auditEntries, type ServiceConfig, serviceConfig } from './read-state';
import { type CanaryState, initialSplit } from './service-state';
import { defaultRoute, routesOf, type ServiceRef } from './virtual-service';
import { formatSplit, type Split } from './weights';

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

/** Runs `write` as `user` on the service's config as it is now; a failed read is the outcome. */
async function writeAs(
  user: string,
  service: { name: string; namespace: string },
  write: (client: MeshConfigClient, cfg: ServiceConfig) => Promise<ApplyOutcome>,
): Promise<ApplyOutcome> {
  const client = controlPlaneClient(user);
  const loaded = await serviceConfig(client, service.name, service.namespace);
  if (!loaded.ok) return { ok: false, kind: loaded.kind, message: loaded.message };
  return write(client, loaded.value);
}

export function applySplit(name: string, namespace: string, request: ApplyRequest, user: string) {
  return writeAs(user, { name, namespace }, (client, cfg) => {
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
    const message = appliedMessage(request.split, cfg.state.service);
    return execute(client, cfg, plan, currentSplit, request.split, message);
  });
}

export function rollbackTo(name: string, namespace: string, request: RollbackRequest, user: string) {
  return writeAs(user, { name, namespace }, async (client, cfg): Promise<ApplyOutcome> => {
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
  });
}

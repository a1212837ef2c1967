// Deciding an Apply or a rollback: check the request, detect a concurrent change (the resourceVersion
// the form was read at is not the current one), build the resources to write, and turn the control
// plane's answers (409, 422 causes) into what the form shows. Pure; the route handler does the I/O.
import { z } from 'zod';
import type { Failure } from '../mesh-config/client';
import { type DestinationRule, type VirtualService, VirtualServiceSpecSchema } from '../mesh-config/schema';
import type { Cause } from '../mesh-config/validate';
import { withSubsets } from './destination-rule';
import { defaultRoute, newVirtualService, routesOf, type ServiceRef, withSplit } from './virtual-service';
import { formatSplit, isValidSplit, type Split } from './weights';

export const ApplyRequestSchema = z.strictObject({
  split: z
    .array(z.strictObject({ version: z.string().min(1).max(63), weight: z.number() }))
    .min(1)
    .max(50),
  /** The VirtualService's resourceVersion the form was read at; null when it had none. */
  resourceVersion: z.string().max(64).nullable(),
  /** A route index in `spec.http`, or every route of the service. Default: the default route. */
  scope: z.union([z.number().int().min(0).max(1000), z.literal('all')]).optional(),
});
export type ApplyRequest = z.infer<typeof ApplyRequestSchema>;

export const RollbackRequestSchema = z.strictObject({
  /** The audit entry to go back to, by the resourceVersion it wrote. */
  to: z.string().min(1).max(64),
  resourceVersion: z.string().max(64).nullable(),
});
export type RollbackRequest = z.infer<typeof RollbackRequestSchema>;

export interface ChangedBy {
  who: string;
  time: string;
}

/** What an Apply or rollback answers; every failure is a value the form shows in words. */
export type ApplyOutcome =
  | { ok: true; resourceVersion: string; message: string }
  | {
      ok: false;
      kind: 'conflict';
      message: string;
      yours: Split | null;
      current: Split | null;
      currentResourceVersion: string | null;
      changedBy?: ChangedBy;
    }
  | { ok: false; kind: 'invalid'; message: string; fieldErrors: Record<string, string>; causes: Cause[] }
  | {
      ok: false;
      kind: 'unavailable' | 'not-found' | 'forbidden' | 'unauthorized' | 'error';
      message: string;
    };

export type WritePlan = {
  kind: 'write';
  /** Written first when subsets are missing (created or replaced at its read resourceVersion). */
  destinationRule?: DestinationRule;
  virtualService: VirtualService;
  /** POST (no VirtualService yet) rather than PUT. */
  create: boolean;
  /** The indexes in `spec.http` that carry the split, to map field errors back to versions. */
  routeIndexes: number[];
};

export type Plan = WritePlan | Extract<ApplyOutcome, { kind: 'conflict' | 'invalid' }>;

export interface CurrentConfig {
  virtualService?: VirtualService;
  destinationRule?: DestinationRule;
  /** The versions the service has, in form order. */
  versions: readonly string[];
}

/** The split the request is about, checked against the service's versions. */
export function checkSplit(split: Split, versions: readonly string[]): Record<string, string> {
  const errors: Record<string, string> = {};
  const known = new Set(versions);
  for (const s of split) {
    if (!known.has(s.version)) errors[s.version] = `${s.version} is not a version of this service`;
    else if (!Number.isInteger(s.weight) || s.weight < 0 || s.weight > 100)
      errors[s.version] = 'must be a whole number from 0 to 100';
  }
  for (const v of versions)
    if (!split.some((s) => s.version === v)) errors[v] = `a weight for ${v} is missing`;
  return errors;
}

export const CONFLICT_MESSAGE =
  'Someone else changed this VirtualService after you loaded it. Nothing was applied: reload to see ' +
  'the current weights, or apply yours over them.';

function conflict(
  yours: Split | null,
  current: Split | null,
  currentResourceVersion: string | null,
): Extract<Plan, { kind: 'conflict' }> {
  return {
    ok: false,
    kind: 'conflict',
    message: CONFLICT_MESSAGE,
    yours,
    current,
    currentResourceVersion,
  };
}

export function planApply(
  service: ServiceRef,
  current: CurrentConfig,
  request: ApplyRequest,
  currentSplit: (vs: VirtualService) => Split | null,
): Plan {
  const fieldErrors = checkSplit(request.split, current.versions);
  if (Object.keys(fieldErrors).length > 0 || !isValidSplit(request.split)) {
    return {
      ok: false,
      kind: 'invalid',
      message:
        Object.keys(fieldErrors).length > 0 ? 'Some weights are not valid.' : 'The weights must sum to 100.',
      fieldErrors,
      causes: [],
    };
  }
  const vs = current.virtualService;
  const currentRv = vs?.metadata.resourceVersion ?? null;
  if (request.resourceVersion !== currentRv)
    return conflict(request.split, vs ? currentSplit(vs) : null, currentRv);
  const destinationRule = withSubsets(current.destinationRule, service, current.versions);
  if (!vs) {
    return {
      kind: 'write',
      ...(destinationRule ? { destinationRule } : {}),
      virtualService: newVirtualService(service, request.split),
      create: true,
      routeIndexes: [0],
    };
  }
  // No scope: the default route; a VirtualService with no route for the service gets one appended.
  const scope = request.scope ?? defaultRoute(routesOf(vs, service))?.index ?? -1;
  const built = withSplit(vs, service, request.split, scope);
  return { kind: 'write', ...(destinationRule ? { destinationRule } : {}), create: false, ...built };
}

/**
 * Turns the control plane's causes for a VirtualService write into errors on the versions' fields
 * (`spec.http[1].route[2].weight` → the version at route[2]); the rest stay general causes.
 */
export function fieldErrorsOf(
  causes: readonly Cause[],
  written: VirtualService,
  routeIndexes: readonly number[],
): { fieldErrors: Record<string, string>; general: Cause[] } {
  const fieldErrors: Record<string, string> = {};
  const general: Cause[] = [];
  for (const c of causes) {
    const m = /^spec\.http\[(\d+)\]\.route\[(\d+)\](?:\.(.+))?$/.exec(c.field);
    const ri = m ? Number(m[1]) : -1;
    const version = m ? written.spec.http?.[ri]?.route[Number(m[2])]?.destination.subset : undefined;
    if (version !== undefined && routeIndexes.includes(ri)) {
      fieldErrors[version] = fieldErrors[version] ? `${fieldErrors[version]}; ${c.message}` : c.message;
    } else general.push(c);
  }
  return { fieldErrors, general };
}

/** What a failed write means for the form. A 409 is a conflict; the caller fills in the current state. */
export function outcomeOfFailure(
  failure: Failure,
  written?: { virtualService: VirtualService; routeIndexes: readonly number[] },
): ApplyOutcome {
  const detail = failure.message;
  switch (failure.status) {
    case 0:
      return { ok: false, kind: 'unavailable', message: `The control plane cannot be reached (${detail}).` };
    case 401:
      return {
        ok: false,
        kind: 'unauthorized',
        message: 'The control plane refused the dashboard’s token; check MESH_CONTROL_TOKEN.',
      };
    case 403:
      return { ok: false, kind: 'forbidden', message: `The control plane refused the change: ${detail}` };
    case 404:
      return { ok: false, kind: 'not-found', message: `Not found on the control plane: ${detail}` };
    case 409:
      return conflict(null, null, null);
    case 400:
    case 422: {
      const mapped = written
        ? fieldErrorsOf(failure.causes, written.virtualService, written.routeIndexes)
        : { fieldErrors: {}, general: failure.causes };
      const general = mapped.general.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
      return {
        ok: false,
        kind: 'invalid',
        message: ['The control plane rejected the change.', ...general].join(' '),
        fieldErrors: mapped.fieldErrors,
        causes: failure.causes,
      };
    }
    default:
      return { ok: false, kind: 'error', message: `The control plane answered ${failure.status}: ${detail}` };
  }
}

/** The VirtualService a rollback writes: the spec an audit entry wrote, on the current metadata. */
export function planRollback(
  service: ServiceRef,
  current: VirtualService | undefined,
  targetSpec: unknown,
  request: RollbackRequest,
  currentSplit: (vs: VirtualService) => Split | null,
): Plan {
  const parsed = VirtualServiceSpecSchema.safeParse(targetSpec);
  if (!parsed.success) {
    return {
      ok: false,
      kind: 'invalid',
      message: 'That history entry holds no VirtualService to roll back to (it was a deletion).',
      fieldErrors: {},
      causes: [],
    };
  }
  const currentRv = current?.metadata.resourceVersion ?? null;
  if (request.resourceVersion !== currentRv)
    return conflict(null, current ? currentSplit(current) : null, currentRv);
  const metadata = current ? { ...current.metadata } : { name: service.name, namespace: service.namespace };
  return {
    kind: 'write',
    virtualService: {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata,
      spec: parsed.data,
    },
    create: current === undefined,
    routeIndexes: [],
  };
}

export function appliedMessage(split: Split, service: ServiceRef): string {
  return `Applied ${formatSplit(split)} to ${service.name}.`;
}

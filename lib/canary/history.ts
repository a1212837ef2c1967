// The change history of a service's routing, from the control plane's audit log (`GET /v1/audit`):
// who changed the VirtualService, when, and its splits before and after.
import { z } from 'zod';
import { API_VERSION, type VirtualService, VirtualServiceSpecSchema } from '../mesh-config/schema';
import { routesOf, type ServiceRef } from './virtual-service';
import { type Split, sameSplit } from './weights';

/** One audit entry as the control plane answers it (only the fields the history uses are required). */
export const AuditEntrySchema = z.object({
  time: z.string(),
  who: z.string(),
  identity: z.string().optional(),
  verb: z.string(),
  kind: z.string(),
  namespace: z.string(),
  name: z.string(),
  resourceVersion: z.string(),
  oldSpec: z.unknown().optional(),
  newSpec: z.unknown().optional(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export const AuditListSchema = z.object({ items: z.array(AuditEntrySchema) });

export interface RouteSplit {
  /** The route's name, or `route N` (1-based) when it has none. */
  route: string;
  split: Split;
}

export interface HistoryItem {
  time: string;
  who: string;
  /** The identity the control plane authenticated, when it differs from `who`. */
  via?: string;
  verb: string;
  /** The resourceVersion the change wrote: the id to roll back to. */
  resourceVersion: string;
  from: RouteSplit[] | null;
  to: RouteSplit[] | null;
  /** The weights changed (else only other parts of the VirtualService did). */
  weightsChanged: boolean;
  /** This entry wrote the VirtualService as it is now. */
  current: boolean;
  /** It left a VirtualService behind that can be restored. */
  canRollBack: boolean;
}

/** The service's route splits in a VirtualService spec, or null when the spec is absent or not one. */
export function routeSplits(spec: unknown, service: ServiceRef, vsName: string): RouteSplit[] | null {
  const parsed = VirtualServiceSpecSchema.safeParse(spec);
  if (!parsed.success) return null;
  const vs: VirtualService = {
    apiVersion: API_VERSION,
    kind: 'VirtualService',
    metadata: { name: vsName, namespace: service.namespace },
    spec: parsed.data,
  };
  return routesOf(vs, service).map((r) => ({ route: r.name ?? `route ${r.index + 1}`, split: r.split }));
}

function sameRouteSplits(a: RouteSplit[] | null, b: RouteSplit[] | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.length === b.length &&
    a.every((r, i) => r.route === b[i]?.route && sameSplit(r.split, b[i]?.split ?? []))
  );
}

/** History items, newest first, for the VirtualService `vsName` (entries of other resources are skipped). */
export function historyOf(
  entries: readonly AuditEntry[],
  service: ServiceRef,
  vsName: string,
  currentResourceVersion: string | null,
): HistoryItem[] {
  return entries
    .filter((e) => e.kind === 'VirtualService' && e.namespace === service.namespace && e.name === vsName)
    .map((e) => {
      const from = routeSplits(e.oldSpec, service, vsName);
      const to = routeSplits(e.newSpec, service, vsName);
      return {
        time: e.time,
        who: e.who,
        ...(e.identity && e.identity !== e.who ? { via: e.identity } : {}),
        verb: e.verb,
        resourceVersion: e.resourceVersion,
        from,
        to,
        weightsChanged: !sameRouteSplits(from, to),
        current: e.resourceVersion === currentResourceVersion,
        canRollBack: to !== null && e.resourceVersion !== currentResourceVersion,
      };
    });
}

// Reads the VirtualServices, DestinationRules, ServiceEntries, PeerAuthentications and Sidecars of some
// namespaces from the control plane (or a Kubernetes API server with Istio's CRDs), and the mesh-wide
// ones of the root namespace. Items that do not validate are skipped, not fatal.
import type { MeshConfigClient } from '../mesh-config/client';
import {
  DestinationRuleSchema,
  type MeshKind,
  PeerAuthenticationSchema,
  ServiceEntrySchema,
  SidecarSchema,
  VirtualServiceSchema,
  WorkloadEntrySchema,
} from '../mesh-config/schema';
import type { MeshConfigView } from './config-badges';

export type ConfigResult = { ok: true; value: MeshConfigView } | { ok: false; message: string };

/** Istio's default root namespace: its PeerAuthentications and Sidecars without a selector apply mesh-wide. */
export const MESH_ROOT_NAMESPACE = 'istio-system';

const KINDS = ['VirtualService', 'DestinationRule', 'ServiceEntry', 'PeerAuthentication', 'Sidecar'] as const;
/** The kinds whose root-namespace resources apply to every namespace. */
const MESH_WIDE: readonly MeshKind[] = ['PeerAuthentication', 'Sidecar'];
/** Gateway workloads, in every namespace: the ones Istio's install labels `istio: <gateway>`. */
const GATEWAY_WORKLOADS_SELECTOR = 'istio';

export async function fetchMeshConfig(
  client: MeshConfigClient,
  namespaces: readonly string[],
  rootNamespace: string = MESH_ROOT_NAMESPACE,
): Promise<ConfigResult> {
  const reads: { kind: MeshKind; ns: string }[] = namespaces.flatMap((ns) =>
    KINDS.map((kind) => ({ kind, ns })),
  );
  if (!namespaces.includes(rootNamespace))
    for (const kind of MESH_WIDE) reads.push({ kind, ns: rootNamespace });
  const [answers, gateways] = await Promise.all([
    Promise.all(reads.map(async ({ kind, ns }) => ({ kind, r: await client.list(kind, ns) }))),
    // Optional: a server that refuses a list across namespaces (RBAC) only loses the label check.
    client.list('WorkloadEntry', undefined, { labelSelector: GATEWAY_WORKLOADS_SELECTOR }),
  ]);
  const items: Record<(typeof KINDS)[number], unknown[]> = {
    VirtualService: [],
    DestinationRule: [],
    ServiceEntry: [],
    PeerAuthentication: [],
    Sidecar: [],
  };
  for (const { kind, r } of answers) {
    if (!r.ok) {
      // A namespace (or a kind) the server does not know is simply empty; anything else means no config.
      if (r.status === 404) continue;
      return { ok: false, message: `control plane: ${r.message}` };
    }
    items[kind as (typeof KINDS)[number]].push(...r.value.items);
  }
  return {
    ok: true,
    value: {
      virtualServices: items.VirtualService.flatMap((i) => parsed(VirtualServiceSchema.safeParse(i))),
      destinationRules: items.DestinationRule.flatMap((i) => parsed(DestinationRuleSchema.safeParse(i))),
      serviceEntries: items.ServiceEntry.flatMap((i) => parsed(ServiceEntrySchema.safeParse(i))),
      peerAuthentications: items.PeerAuthentication.flatMap((i) =>
        parsed(PeerAuthenticationSchema.safeParse(i)),
      ),
      sidecars: items.Sidecar.flatMap((i) => parsed(SidecarSchema.safeParse(i))),
      gatewayWorkloads: gateways.ok
        ? gateways.value.items.flatMap((i) => parsed(WorkloadEntrySchema.safeParse(i)))
        : [],
    },
  };
}

function parsed<T>(r: { success: true; data: T } | { success: false }): T[] {
  return r.success ? [r.data] : [];
}

/**
 * The config of `found` from a read of `last` started before `found` was known (a view's namespaces the time
 * before) and a read of only those `last` lacks: the same view as `read(found)` — each kind's items in its
 * order, by namespace, the root namespace's mesh-wide ones last — with a namespace of `last` not in `found` left
 * out. The early read's failure is this build's (one read of the control plane a build, as before); read afresh
 * only when one of its items does not say its namespace.
 */
export async function configOfFound(
  found: readonly string[],
  last: readonly string[],
  early: Promise<ConfigResult>,
  read: (namespaces: string[]) => Promise<ConfigResult>,
  rootNamespace: string = MESH_ROOT_NAMESPACE,
): Promise<ConfigResult> {
  const before = new Set(last);
  const missing = found.filter((ns) => !before.has(ns));
  // Sent before the early read is awaited: the two are answered together.
  const added = missing.length > 0 ? read(missing) : undefined;
  // Not awaited when the early read failed.
  added?.then(undefined, () => {});
  const e = await early;
  if (!e.ok) return e;
  const a = added ? await added : undefined;
  if (a && !a.ok) return a;
  const rank = new Map<string, number>();
  for (let i = 0; i < found.length; i++) if (!rank.has(found[i] as string)) rank.set(found[i] as string, i);
  const rootFound = rank.has(rootNamespace);
  const isMissing = new Set(missing);
  type Namespaced = { metadata: { namespace?: string } };
  // An item's place in a read of `found` (undefined: not in it).
  const placeOf = (ns: string | undefined, fromEarly: boolean, meshWide: boolean): number | undefined => {
    if (ns === undefined) return undefined;
    if (!fromEarly) return isMissing.has(ns) ? rank.get(ns) : undefined;
    if (before.has(ns) && rank.has(ns)) return rank.get(ns);
    return meshWide && ns === rootNamespace && !rootFound ? found.length : undefined;
  };
  let unplaced = false;
  const merge = <T extends Namespaced>(
    early: readonly T[] | undefined,
    added: readonly T[] | undefined,
    meshWide: boolean,
  ): T[] => {
    const placed: { item: T; at: number }[] = [];
    for (const [items, fromEarly] of [
      [early, true],
      [added, false],
    ] as const)
      for (const item of items ?? []) {
        const ns = item.metadata.namespace;
        if (ns === undefined) unplaced = true;
        const at = placeOf(ns, fromEarly, meshWide);
        if (at !== undefined) placed.push({ item, at });
      }
    // Stable: within a namespace, one list's order.
    return placed.sort((x, y) => x.at - y.at).map((p) => p.item);
  };
  const v = e.value;
  const w = a?.value;
  const value = {
    virtualServices: merge(v.virtualServices, w?.virtualServices, false),
    destinationRules: merge(v.destinationRules, w?.destinationRules, false),
    serviceEntries: merge(v.serviceEntries, w?.serviceEntries, false),
    peerAuthentications: merge(v.peerAuthentications, w?.peerAuthentications, true),
    sidecars: merge(v.sidecars, w?.sidecars, true),
    // Every namespace's, in both reads.
    gatewayWorkloads: v.gatewayWorkloads ?? [],
  };
  return unplaced ? read([...found]) : { ok: true, value };
}

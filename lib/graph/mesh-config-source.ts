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

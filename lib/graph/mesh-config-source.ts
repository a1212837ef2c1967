// Reads the VirtualServices, DestinationRules and ServiceEntries of some namespaces from the control plane
// (or a Kubernetes API server with Istio's CRDs). Items that do not validate are skipped, not fatal.
import type { MeshConfigClient } from '../mesh-config/client';
import {
  DestinationRuleSchema,
  type MeshKind,
  ServiceEntrySchema,
  VirtualServiceSchema,
} from '../mesh-config/schema';
import type { MeshConfigView } from './config-badges';

export type ConfigResult = { ok: true; value: MeshConfigView } | { ok: false; message: string };

export async function fetchMeshConfig(
  client: MeshConfigClient,
  namespaces: readonly string[],
): Promise<ConfigResult> {
  const kinds: MeshKind[] = ['VirtualService', 'DestinationRule', 'ServiceEntry'];
  const answers = await Promise.all(
    namespaces.flatMap((ns) => kinds.map(async (kind) => ({ kind, r: await client.list(kind, ns) }))),
  );
  const view: { virtualServices: unknown[]; destinationRules: unknown[]; serviceEntries: unknown[] } = {
    virtualServices: [],
    destinationRules: [],
    serviceEntries: [],
  };
  for (const { kind, r } of answers) {
    if (!r.ok) {
      // A namespace the server does not know is simply empty; anything else means no config at all.
      if (r.status === 404) continue;
      return { ok: false, message: `control plane: ${r.message}` };
    }
    const target =
      kind === 'VirtualService'
        ? view.virtualServices
        : kind === 'DestinationRule'
          ? view.destinationRules
          : view.serviceEntries;
    target.push(...r.value.items);
  }
  return {
    ok: true,
    value: {
      virtualServices: view.virtualServices.flatMap((i) => parsed(VirtualServiceSchema.safeParse(i))),
      destinationRules: view.destinationRules.flatMap((i) => parsed(DestinationRuleSchema.safeParse(i))),
      serviceEntries: view.serviceEntries.flatMap((i) => parsed(ServiceEntrySchema.safeParse(i))),
    },
  };
}

function parsed<T>(r: { success: true; data: T } | { success: false }): T[] {
  return r.success ? [r.data] : [];
}

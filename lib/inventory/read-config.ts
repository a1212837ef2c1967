// Reads the mesh config the inventory needs from the control plane (or a Kubernetes API server with
// Istio's CRDs), every namespace at once. Items that do not validate are skipped; a kind the server does
// not serve (404) is empty; anything else means the config is not available, said in words.
import type { MeshConfigClient } from '../mesh-config/client';
import {
  DestinationRuleSchema,
  type MeshResource,
  PeerAuthenticationSchema,
  ServiceEntrySchema,
  VirtualServiceSchema,
  WorkloadEntrySchema,
} from '../mesh-config/schema';
import type { MeshConfigInput, SelectorResource } from './config-match';

export type ConfigRead =
  | {
      ok: true;
      config: MeshConfigInput;
      resources: MeshResource[];
      /** The lists' resourceVersions, joined: equal revisions mean equal config; undefined when a list has none. */
      revision: string | undefined;
    }
  | { ok: false; message: string };

/** Istio's Sidecar, not yet a kind of the schema: read by its REST path, only its selector used. */
const SIDECARS_PATH = '/apis/networking.istio.io/v1/sidecars';

function parsed<T>(
  items: readonly unknown[],
  schema: { safeParse(i: unknown): { success: boolean; data?: T } },
): T[] {
  return items.flatMap((i) => {
    const r = schema.safeParse(i);
    return r.success ? [r.data as T] : [];
  });
}

function sidecarsOf(items: readonly unknown[]): SelectorResource[] {
  return items.flatMap((i) => {
    const r = i as {
      metadata?: { name?: unknown; namespace?: unknown };
      spec?: { workloadSelector?: { labels?: unknown } };
    };
    const name = r.metadata?.name;
    if (typeof name !== 'string') return [];
    const labels = r.spec?.workloadSelector?.labels;
    const selector =
      labels && typeof labels === 'object'
        ? Object.fromEntries(
            Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === 'string'),
          )
        : undefined;
    return [
      {
        namespace: typeof r.metadata?.namespace === 'string' ? r.metadata.namespace : 'default',
        name,
        ...(selector ? { selector } : {}),
      },
    ];
  });
}

/**
 * `previous`: the last read; when the lists' revision is still its revision, it is answered again as it
 * was (the items are not validated again: a thousand resources take tens of ms to parse).
 */
export async function readMeshConfig(client: MeshConfigClient, previous?: ConfigRead): Promise<ConfigRead> {
  const kinds = [
    'VirtualService',
    'DestinationRule',
    'ServiceEntry',
    'WorkloadEntry',
    'PeerAuthentication',
  ] as const;
  const [lists, sidecars] = await Promise.all([
    Promise.all(kinds.map((k) => client.list(k))),
    client.send<{ metadata?: { resourceVersion?: string }; items?: unknown[] }>('GET', SIDECARS_PATH),
  ]);
  const items: unknown[][] = [];
  const versions: (string | undefined)[] = [];
  for (const r of lists) {
    if (r.ok) {
      items.push(r.value.items);
      versions.push(r.value.resourceVersion || undefined);
    } else if (r.status === 404) {
      items.push([]);
      versions.push('-');
    } else return { ok: false, message: r.message };
  }
  versions.push(sidecars.ok ? sidecars.value.metadata?.resourceVersion || undefined : '-');
  const revision = versions.every((v) => v !== undefined) ? versions.join(',') : undefined;
  if (revision !== undefined && previous?.ok && previous.revision === revision) return previous;
  const [vs = [], dr = [], se = [], we = [], pa = []] = items;
  const config: MeshConfigInput = {
    virtualServices: parsed(vs, VirtualServiceSchema),
    destinationRules: parsed(dr, DestinationRuleSchema),
    serviceEntries: parsed(se, ServiceEntrySchema),
    workloadEntries: parsed(we, WorkloadEntrySchema),
    peerAuthentications: parsed(pa, PeerAuthenticationSchema).map((p) => ({
      namespace: p.metadata.namespace ?? 'default',
      name: p.metadata.name,
      ...(p.spec.selector?.matchLabels ? { selector: p.spec.selector.matchLabels } : {}),
    })),
    sidecars: sidecars.ok ? sidecarsOf(sidecars.value.items ?? []) : [],
  };
  const resources: MeshResource[] = [
    ...config.virtualServices,
    ...config.destinationRules,
    ...config.serviceEntries,
    ...config.workloadEntries,
    ...parsed<MeshResource>(pa, PeerAuthenticationSchema),
  ];
  return { ok: true, config, resources, revision };
}

/** Resources per namespace by kind, for the overview cards. */
export function configCounts(
  resources: readonly { kind: string; metadata: { namespace?: string } }[],
  sidecars: readonly SelectorResource[],
): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  const add = (ns: string, kind: string) => {
    const byKind = out[ns] ?? {};
    out[ns] = byKind;
    byKind[kind] = (byKind[kind] ?? 0) + 1;
  };
  for (const r of resources) if (r.kind !== 'WorkloadEntry') add(r.metadata.namespace ?? 'default', r.kind);
  for (const s of sidecars) add(s.namespace, 'Sidecar');
  return out;
}

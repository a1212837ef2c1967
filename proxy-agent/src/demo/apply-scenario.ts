// Writes a scenario's resources to the control plane. A scenario switches trouble on and off; it
// never undoes a canary split someone set: existing routes keep their destinations and weights.
import type { MeshConfigClient } from '../../../lib/mesh-config/client';
import type { DestinationRule, ServiceEntry, VirtualService } from '../../../lib/mesh-config/schema';
import { type ExternalSite, type ScenarioName, scenarioResources } from './scenarios';
import { DEMO_NAMESPACE, EXTERNAL_PORT_NAME } from './topology';

/** Keeps the `route` (destinations and weights) of each named HTTP route that already exists. */
export function keepWeights(desired: VirtualService, existing: VirtualService): VirtualService {
  const current = new Map(
    (existing.spec.http ?? []).flatMap((r) => (r.name ? [[r.name, r.route] as const] : [])),
  );
  return {
    ...desired,
    spec: {
      ...desired.spec,
      http: desired.spec.http?.map((r) => {
        const route = r.name ? current.get(r.name) : undefined;
        return route ? { ...r, route } : r;
      }),
    },
  };
}

/**
 * Where the running demo's external database is, read back from the control plane (a scenario switched
 * from another process does not know it): the endpoint port of its ServiceEntry, its DestinationRule's CA.
 */
async function currentSite(client: MeshConfigClient): Promise<ExternalSite | undefined> {
  const [se, dr] = await Promise.all([
    client.get<ServiceEntry>('ServiceEntry', DEMO_NAMESPACE, 'ratings-db'),
    client.get<DestinationRule>('DestinationRule', DEMO_NAMESPACE, 'ratings-db'),
  ]);
  const port = se.ok ? se.value.spec.endpoints?.[0]?.ports?.[EXTERNAL_PORT_NAME] : undefined;
  const caFile = dr.ok ? dr.value.spec.trafficPolicy?.tls?.caCertificates : undefined;
  return port !== undefined && caFile !== undefined ? { port, caFile } : undefined;
}

/** Applies the scenario; `site` when the demo starts, else the running demo's (read back). */
export async function applyScenario(
  client: MeshConfigClient,
  name: ScenarioName,
  site?: ExternalSite,
): Promise<string[]> {
  const errors: string[] = [];
  for (const resource of scenarioResources(name, site ?? (await currentSite(client)))) {
    const r =
      resource.kind === 'VirtualService'
        ? await client.apply(resource, (existing) => keepWeights(resource as VirtualService, existing))
        : await client.apply(resource);
    if (!r.ok) {
      const causes = r.causes.map((c) => ` ${c.field}: ${c.message}`).join(';');
      errors.push(`${resource.kind} ${resource.metadata.name}: ${r.message}${causes}`);
    }
  }
  return errors;
}

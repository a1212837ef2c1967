// Writes a scenario's resources to the control plane. A scenario switches trouble on and off; it
// never undoes a canary split someone set: existing routes keep their destinations and weights.
import type { MeshConfigClient } from '../../../lib/mesh-config/client';
import type { MeshResource, ServiceEntry, VirtualService } from '../../../lib/mesh-config/schema';
import { type ScenarioName, scenarioResources } from './scenarios';
import { EXTERNAL_PORT } from './topology';

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

/** The external ServiceEntry pointed at the simulated service's real address. */
export function withExternalEndpoint(resource: MeshResource, port: number): MeshResource {
  if (resource.kind !== 'ServiceEntry' || resource.spec.location !== 'MESH_EXTERNAL') return resource;
  const se: ServiceEntry = resource;
  return { ...se, spec: { ...se.spec, endpoints: [{ address: '127.0.0.1', ports: { http: port } }] } };
}

export async function applyScenario(
  client: MeshConfigClient,
  name: ScenarioName,
  externalPort?: number,
): Promise<string[]> {
  const errors: string[] = [];
  for (const desired of scenarioResources(name)) {
    let resource = desired;
    if (resource.kind === 'ServiceEntry' && resource.spec.location === 'MESH_EXTERNAL') {
      if (externalPort === undefined) {
        // A runtime switch: keep the endpoint the running demo registered.
        const existing = await client.get<ServiceEntry>(
          'ServiceEntry',
          resource.metadata.namespace ?? 'default',
          resource.metadata.name,
        );
        const port = existing.ok ? existing.value.spec.endpoints?.[0]?.ports?.http : undefined;
        resource = withExternalEndpoint(resource, port ?? EXTERNAL_PORT);
      } else {
        resource = withExternalEndpoint(resource, externalPort);
      }
    }
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

// References between mesh resources: hosts as Istio resolves them, and the checks that the hosts and
// subsets a VirtualService or DestinationRule names exist. Free of the schema library (zod), so that
// processes that only read config a control plane already validated (sidecars) need not load it;
// validate.ts re-exports all of it next to the structural validation.
import { CLUSTER_DOMAIN } from './labels';
import type { MeshResource } from './schema';

/** Istio's root namespace: mesh-wide config lives here. */
export const MESH_ROOT_NAMESPACE = 'istio-system';
/** The one MeshConfig object in force: `istio-system/default`. */
export const MESH_CONFIG_NAME = 'default';
/** The reserved gateway name meaning the mesh's sidecars (as in schema.ts, without zod). */
const MESH = 'mesh';

/** `namespace/name` of a gateway a VirtualService in `namespace` names (`name` alone: its own namespace). */
export function gatewayKey(gateway: string, namespace: string): string {
  return gateway.includes('/') ? gateway : `${namespace}/${gateway}`;
}

export interface Cause {
  field: string;
  message: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; causes: Cause[] };

/** The fully qualified host Istio means by a short name (no dot), seen from `namespace`. */
export function qualifyHost(host: string, namespace: string): string {
  if (host.includes('.') || host.includes('*')) return host;
  return `${host}.${namespace}.${CLUSTER_DOMAIN}`;
}

/**
 * The known host a name refers to: exact, short (`reviews`), or `name.namespace`, as a Kubernetes
 * resolver would expand it. Undefined when it names no known host.
 */
export function resolveHost(host: string, namespace: string, known: ReadonlySet<string>): string | undefined {
  const h = host.toLowerCase();
  for (const candidate of [h, qualifyHost(h, namespace), `${h}.${CLUSTER_DOMAIN}`]) {
    if (known.has(candidate)) return candidate;
  }
  return undefined;
}

/** Every host the mesh knows: ServiceEntry hosts, fully qualified. */
export function knownHosts(resources: readonly MeshResource[]): Set<string> {
  const hosts = new Set<string>();
  for (const r of resources) {
    if (r.kind !== 'ServiceEntry') continue;
    for (const h of r.spec.hosts) hosts.add(qualifyHost(h, r.metadata.namespace ?? 'default'));
  }
  return hosts;
}

/**
 * Checks a resource against the rest of the mesh: hosts a VirtualService or DestinationRule names are
 * known services, and every subset a route names exists in its host's DestinationRule.
 */
export function crossValidate(resource: MeshResource, others: readonly MeshResource[]): Cause[] {
  const ns = resource.metadata.namespace ?? 'default';
  const hosts = knownHosts(resource.kind === 'ServiceEntry' ? [...others, resource] : others);
  const causes: Cause[] = [];
  const checkHost = (host: string, field: string) => {
    if (resolveHost(host, ns, hosts) === undefined)
      causes.push({ field, message: `host ${host} is not a known service` });
  };
  if (resource.kind === 'VirtualService') {
    resource.spec.hosts.forEach((h, i) => {
      checkHost(h, `spec.hosts[${i}]`);
    });
    for (const [ri, route] of (resource.spec.http ?? []).entries()) {
      for (const [di, d] of route.route.entries()) {
        const field = `spec.http[${ri}].route[${di}].destination`;
        checkHost(d.destination.host, `${field}.host`);
        const subset = d.destination.subset;
        if (subset === undefined) continue;
        const fqdn = resolveHost(d.destination.host, ns, hosts);
        const dr = others.find(
          (o) =>
            o.kind === 'DestinationRule' &&
            resolveHost(o.spec.host, o.metadata.namespace ?? 'default', hosts) === fqdn,
        );
        const subsets = dr?.kind === 'DestinationRule' ? (dr.spec.subsets ?? []) : [];
        if (!subsets.some((s) => s.name === subset)) {
          causes.push({
            field: `${field}.subset`,
            message: dr
              ? `subset ${subset} is not defined in DestinationRule ${dr.metadata.name}`
              : `subset ${subset} needs a DestinationRule for ${d.destination.host} defining it`,
          });
        }
      }
    }
  }
  if (resource.kind === 'VirtualService') causes.push(...gatewayCauses(resource, others));
  if (resource.kind === 'DestinationRule') checkHost(resource.spec.host, 'spec.host');
  if (resource.kind === 'MeshConfig') {
    // One mesh config, where istiod keeps it: another object would be silently ignored.
    if (resource.metadata.name !== MESH_CONFIG_NAME)
      causes.push({
        field: 'metadata.name',
        message: `must be ${MESH_CONFIG_NAME}: there is one mesh config`,
      });
    if (ns !== MESH_ROOT_NAMESPACE)
      causes.push({
        field: 'metadata.namespace',
        message: `must be ${MESH_ROOT_NAMESPACE} (the mesh's root namespace)`,
      });
  }
  return causes;
}

/** Every gateway a VirtualService binds to (top level and in matches) names a Gateway that exists. */
function gatewayCauses(
  vs: Extract<MeshResource, { kind: 'VirtualService' }>,
  others: readonly MeshResource[],
): Cause[] {
  const ns = vs.metadata.namespace ?? 'default';
  const gateways = new Set(
    others
      .filter((o) => o.kind === 'Gateway')
      .map((g) => `${g.metadata.namespace ?? 'default'}/${g.metadata.name}`),
  );
  const causes: Cause[] = [];
  const check = (g: string, field: string) => {
    if (g !== MESH && !gateways.has(gatewayKey(g, ns)))
      causes.push({ field, message: `gateway ${gatewayKey(g, ns)} is not a known Gateway` });
  };
  vs.spec.gateways?.forEach((g, i) => {
    check(g, `spec.gateways[${i}]`);
  });
  // Names in matches are checked only when the VirtualService lists none (else the schema ties them to the list).
  if (vs.spec.gateways === undefined || vs.spec.gateways.length === 0) {
    for (const [route, list] of [
      ['http', vs.spec.http ?? []],
      ['tcp', vs.spec.tcp ?? []],
    ] as const) {
      list.forEach((r, ri) => {
        r.match?.forEach((m, mi) => {
          m.gateways?.forEach((g, gi) => {
            check(g, `spec.${route}[${ri}].match[${mi}].gateways[${gi}]`);
          });
        });
      });
    }
  }
  return causes;
}

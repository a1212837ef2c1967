// The demo mesh: a Bookinfo-like application. Which workload instances exist and who calls whom.
// Pure data; the supervisor turns it into processes, scenarios.ts into Istio resources.

export const DEMO_NAMESPACE = 'bookinfo';
export const GATEWAY_NAMESPACE = 'istio-system';
/** Every Bookinfo service listens on 9080, as in Istio's sample. */
export const SERVICE_PORT = 9080;
/** The external service `ratings` calls, declared by a MESH_EXTERNAL ServiceEntry. */
export const EXTERNAL_HOST = 'ratings-db.example.com';
export const EXTERNAL_PORT = 80;

export type Role = 'productpage' | 'details' | 'reviews' | 'ratings';

export interface Instance {
  /** Instance name: the WorkloadEntry's name (`reviews-v2-2`). */
  name: string;
  /** Service (app) name. */
  app: Role;
  version: string;
  /** Workload (Deployment-like group): `reviews-v2`. */
  workload: string;
}

function instance(app: Role, version: string, replica = 1): Instance {
  const workload = `${app}-${version}`;
  return { name: `${workload}-${replica}`, app, version, workload };
}

export const INSTANCES: readonly Instance[] = [
  instance('productpage', 'v1'),
  instance('details', 'v1'),
  instance('reviews', 'v1'),
  instance('reviews', 'v2', 1),
  instance('reviews', 'v2', 2),
  instance('reviews', 'v3'),
  instance('ratings', 'v1'),
];

/** The ingress gateway: a standalone sidecar with no app, the mesh's front door. */
export const GATEWAY = {
  name: 'istio-ingressgateway-1',
  app: 'istio-ingressgateway',
  version: 'v1',
  workload: 'istio-ingressgateway',
} as const;

/** Internal services and their versions (subsets). */
export const SERVICES: Record<Role, readonly string[]> = {
  productpage: ['v1'],
  details: ['v1'],
  reviews: ['v1', 'v2', 'v3'],
  ratings: ['v1'],
};

/** The calls each app makes per request (by version), as in Bookinfo. */
export function callsOf(app: Role, version: string): Array<{ host: string; path: string }> {
  switch (app) {
    case 'productpage':
      return [
        { host: 'details', path: '/details/0' },
        { host: 'reviews', path: '/reviews/0' },
      ];
    case 'reviews':
      return version === 'v1' ? [] : [{ host: 'ratings', path: '/ratings/0' }];
    case 'ratings':
      return [{ host: EXTERNAL_HOST, path: '/v1/ratings/0' }];
    default:
      return [];
  }
}

export function fqdn(service: string, namespace = DEMO_NAMESPACE): string {
  return `${service}.${namespace}.svc.cluster.local`;
}

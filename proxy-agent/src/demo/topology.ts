// The demo mesh: a Bookinfo-like application. Which workload instances exist and who calls whom.
// Pure data; the supervisor turns it into processes, scenarios.ts into Istio resources.

export const DEMO_NAMESPACE = 'bookinfo';
export const GATEWAY_NAMESPACE = 'istio-system';
/** Every Bookinfo service listens on 9080, as in Istio's sample. */
export const SERVICE_PORT = 9080;
/**
 * The external database `ratings` calls, outside the mesh: declared by a MESH_EXTERNAL ServiceEntry,
 * reached through the egress gateway, which originates TLS to it (a local HTTPS server, external-host.ts).
 */
export const EXTERNAL_HOST = 'ratings-db.external.example';
/** The external host's TLS port (what the egress gateway connects to). */
export const EXTERNAL_PORT = 443;
/** The ServiceEntry's name for that port: HTTP, with TLS originated by the DestinationRule. */
export const EXTERNAL_PORT_NAME = 'http-tls';
/**
 * A host no ServiceEntry declares (`details` fetches book covers from it, best effort): forwarded as-is
 * under ALLOW_ANY (PassthroughCluster), refused under REGISTRY_ONLY (502 NR, BlackHoleCluster).
 * `localhost` so it resolves everywhere; its port is the local server's (external-host.ts).
 */
export const UNREGISTERED_HOST = 'localhost';

export type Role = 'productpage' | 'details' | 'reviews' | 'ratings' | 'mongodb';
/** The store ratings reads, as Bookinfo's MongoDB: a TCP port (a small line protocol, store.ts). */
export const STORE_PORT = 27017;

/** How a service's port is declared: Istio's port naming tells the sidecars its protocol. */
export interface ServicePort {
  number: number;
  name: string;
  protocol: 'HTTP' | 'GRPC' | 'TCP';
}

/** Every service's one port: ratings speaks gRPC (real @grpc/grpc-js), the store opaque TCP. */
export const SERVICE_PORTS: Record<Role, ServicePort> = {
  productpage: { number: SERVICE_PORT, name: 'http', protocol: 'HTTP' },
  details: { number: SERVICE_PORT, name: 'http', protocol: 'HTTP' },
  reviews: { number: SERVICE_PORT, name: 'http', protocol: 'HTTP' },
  ratings: { number: SERVICE_PORT, name: 'grpc', protocol: 'GRPC' },
  mongodb: { number: STORE_PORT, name: 'tcp-mongo', protocol: 'TCP' },
};

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
  instance('mongodb', 'v1'),
];

/** The ingress gateway: a standalone sidecar with no app, the mesh's front door. */
export const GATEWAY = {
  name: 'istio-ingressgateway-1',
  app: 'istio-ingressgateway',
  version: 'v1',
  workload: 'istio-ingressgateway',
} as const;

/**
 * The egress gateway: a sidecar in gateway mode (no app), the mesh's one exit toward the external
 * database. Its registered labels include Istio's `istio: egressgateway`, which its Gateway selects.
 */
export const EGRESS_GATEWAY = {
  name: 'istio-egressgateway-1',
  app: 'istio-egressgateway',
  version: 'v1',
  workload: 'istio-egressgateway',
} as const;
/** The egress gateway's Service port (HTTP from the sidecars, over mTLS). */
export const EGRESS_GATEWAY_PORT = 80;
/** Istio's install labels the egress gateway's pods so; its Gateway's selector. */
export const EGRESS_GATEWAY_SELECTOR = { istio: 'egressgateway' } as const;

/** Internal services and their versions (subsets). */
export const SERVICES: Record<Role, readonly string[]> = {
  productpage: ['v1'],
  details: ['v1'],
  reviews: ['v1', 'v2', 'v3'],
  ratings: ['v1'],
  mongodb: ['v1'],
};

/** One call an app makes: to a service's HTTP path, a gRPC method, or a line to a TCP store. */
export interface Call {
  host: string;
  protocol: 'http' | 'grpc' | 'tcp';
  /** HTTP path, gRPC method path (`/package.Service/Method`) or the store's key. */
  path: string;
  port?: number;
  /** Best effort: its failure does not fail the caller's request (it shows on the graph only). */
  optional?: boolean;
}

/** The calls each app makes per request (by version), as in Bookinfo. */
export function callsOf(app: Role, version: string): Call[] {
  switch (app) {
    case 'productpage':
      return [
        { host: 'details', protocol: 'http', path: '/details/0' },
        { host: 'reviews', protocol: 'http', path: '/reviews/0' },
      ];
    case 'details':
      return [{ host: UNREGISTERED_HOST, protocol: 'http', path: '/covers/0', optional: true }];
    case 'reviews':
      return version === 'v1' ? [] : [{ host: 'ratings', protocol: 'grpc', path: '/bookinfo.Ratings/Get' }];
    case 'ratings':
      return [
        { host: EXTERNAL_HOST, protocol: 'http', path: '/v1/ratings/0' },
        { host: fqdn('mongodb'), protocol: 'tcp', path: 'ratings/0', port: STORE_PORT },
      ];
    default:
      return [];
  }
}

export function fqdn(service: string, namespace = DEMO_NAMESPACE): string {
  return `${service}.${namespace}.svc.cluster.local`;
}

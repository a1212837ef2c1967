// Demo scenarios: each is the complete set of Istio resources for the demo mesh. Switching a
// scenario writes them to the control plane (no restart): the trouble turns on and off live.

import { LABEL_APP } from '../../../lib/mesh-config/labels';
import { MESH_CONFIG_NAME, MESH_ROOT_NAMESPACE } from '../../../lib/mesh-config/references';
import type {
  DestinationRule,
  Gateway,
  MeshConfig,
  MeshResource,
  OutboundTrafficMode,
  ServiceEntry,
  TrafficPolicy,
  VirtualService,
} from '../../../lib/mesh-config/schema';
import { BEHAVIOUR_ANNOTATION, type Behaviour } from './app-behaviour';
import {
  DEMO_NAMESPACE,
  EGRESS_GATEWAY,
  EGRESS_GATEWAY_PORT,
  EGRESS_GATEWAY_SELECTOR,
  EXTERNAL_HOST,
  EXTERNAL_PORT,
  EXTERNAL_PORT_NAME,
  fqdn,
  GATEWAY_NAMESPACE,
  type Role,
  SERVICE_PORTS,
  SERVICES,
  STORE_PORT,
} from './topology';

export const SCENARIOS = {
  default:
    'all the built-in trouble: a flaky reviews-v2 replica (ejected and readmitted), injected aborts on ratings, a latency tail on reviews-v3, retries that hide some failures and exhaust on others',
  healthy: 'no faults, no flaky replica, no latency tail',
  'no-retries': 'the default trouble without retries on reviews: every failure reaches the user',
  'ratings-outage':
    'ratings answers half its gRPC calls UNAVAILABLE: gRPC retries exhaust (URX) and reviews v2/v3 fail',
  'allow-any':
    'the default trouble, outbound traffic policy ALLOW_ANY (as every scenario but registry-only): details reaches the unregistered host localhost through PassthroughCluster',
  'registry-only':
    "the default trouble, outbound traffic policy REGISTRY_ONLY: details' calls to the unregistered host localhost are refused (502 NR, BlackHoleCluster); the registered external database still works through the egress gateway",
} as const;

export type ScenarioName = keyof typeof SCENARIOS;

export function isScenario(name: string): name is ScenarioName {
  return Object.hasOwn(SCENARIOS, name);
}

interface Knobs {
  behaviour: Partial<Record<Role, Behaviour>>;
  reviewsRetries: boolean;
  ratingsAbortPercent: number;
  outboundTrafficPolicy: OutboundTrafficMode;
}

function knobsOf(name: ScenarioName): Knobs {
  const trouble: Knobs = {
    behaviour: {
      reviews: {
        errorBursts: { instances: ['reviews-v2-2'], periodMs: 40_000, burstMs: 15_000, failPercent: 80 },
        latencyTail: { versions: ['v3'], percent: 8, delayMs: 600 },
      },
      // Short bursts of gRPC UNAVAILABLE from the ratings server: mostly hidden by the gRPC retries.
      ratings: {
        errorBursts: { instances: ['ratings-v1-1'], periodMs: 30_000, burstMs: 5_000, failPercent: 30 },
      },
    },
    reviewsRetries: true,
    ratingsAbortPercent: 4,
    outboundTrafficPolicy: 'ALLOW_ANY',
  };
  switch (name) {
    case 'default':
    case 'allow-any':
      return trouble;
    case 'registry-only':
      return { ...trouble, outboundTrafficPolicy: 'REGISTRY_ONLY' };
    case 'healthy':
      return {
        behaviour: {},
        reviewsRetries: true,
        ratingsAbortPercent: 0,
        outboundTrafficPolicy: 'ALLOW_ANY',
      };
    case 'no-retries':
      return { ...trouble, reviewsRetries: false };
    case 'ratings-outage':
      // The gRPC server itself answers UNAVAILABLE (a real gRPC status), half the time, all the time.
      return {
        ...trouble,
        behaviour: {
          ...trouble.behaviour,
          ratings: {
            errorBursts: { instances: ['ratings-v1-1'], periodMs: 1_000, burstMs: 1_000, failPercent: 50 },
          },
        },
      };
  }
}

const meta = (name: string, namespace = DEMO_NAMESPACE, annotations?: Record<string, string>) => ({
  name,
  namespace,
  ...(annotations ? { annotations } : {}),
});

function serviceEntry(app: Role, behaviour: Behaviour | undefined): ServiceEntry {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'ServiceEntry',
    metadata: meta(app, DEMO_NAMESPACE, { [BEHAVIOUR_ANNOTATION]: JSON.stringify(behaviour ?? {}) }),
    spec: {
      hosts: [fqdn(app)],
      ports: [SERVICE_PORTS[app]],
      location: 'MESH_INTERNAL',
      resolution: 'STATIC',
      workloadSelector: { labels: { [LABEL_APP]: app } },
    },
  };
}

const RESILIENT: TrafficPolicy = {
  connectionPool: { tcp: { maxConnections: 64 }, http: { http1MaxPendingRequests: 32 } },
  outlierDetection: {
    consecutive5xxErrors: 3,
    interval: '5s',
    baseEjectionTime: '15s',
    maxEjectionPercent: 50,
  },
};

function destinationRule(app: Role, trafficPolicy?: TrafficPolicy): DestinationRule {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: meta(app),
    spec: {
      host: fqdn(app),
      subsets: SERVICES[app].map((v) => ({ name: v, labels: { version: v } })),
      ...(trafficPolicy ? { trafficPolicy } : {}),
    },
  };
}

function virtualService(
  name: string,
  spec: VirtualService['spec'],
  namespace = DEMO_NAMESPACE,
): VirtualService {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: meta(name, namespace),
    spec,
  };
}

/** Initial canary split of reviews; the dashboard's slider changes it afterwards. */
export const REVIEWS_WEIGHTS = { v1: 50, v2: 30, v3: 20 } as const;

/** Where the demo's external database really is: filled in by the supervisor (external-host.ts). */
export interface ExternalSite {
  /** Its HTTPS port on 127.0.0.1. */
  port: number;
  /** The CA root file its certificate chains to. */
  caFile: string;
}

/** Before the supervisor knows the site: the ServiceEntry's own port, and the data dir's CA file name. */
const PLACEHOLDER_SITE: ExternalSite = { port: EXTERNAL_PORT, caFile: 'external-ca.pem' };

const EGRESS_GATEWAY_HOST = fqdn(EGRESS_GATEWAY.app, GATEWAY_NAMESPACE);
/** The egress Gateway as VirtualServices name it (`namespace/name`). */
export const EGRESS_GATEWAY_REF = `${GATEWAY_NAMESPACE}/${EGRESS_GATEWAY.app}`;

/**
 * Istio's egress gateway pattern for the external database: the gateway's Service, a Gateway selecting
 * its proxy by label, a VirtualService bound to both the mesh and that Gateway (first hop to the
 * gateway, then out), and a DestinationRule originating TLS at the gateway, verified with the site's CA.
 */
export function egressResources(site: ExternalSite = PLACEHOLDER_SITE): MeshResource[] {
  const gatewayService: ServiceEntry = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'ServiceEntry',
    metadata: meta(EGRESS_GATEWAY.app, GATEWAY_NAMESPACE),
    spec: {
      hosts: [EGRESS_GATEWAY_HOST],
      ports: [{ number: EGRESS_GATEWAY_PORT, name: 'http', protocol: 'HTTP' }],
      location: 'MESH_INTERNAL',
      resolution: 'STATIC',
      workloadSelector: { labels: { ...EGRESS_GATEWAY_SELECTOR } },
    },
  };
  const external: ServiceEntry = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'ServiceEntry',
    metadata: meta('ratings-db'),
    spec: {
      hosts: [EXTERNAL_HOST],
      ports: [{ number: EXTERNAL_PORT, name: EXTERNAL_PORT_NAME, protocol: 'HTTP' }],
      location: 'MESH_EXTERNAL',
      resolution: 'STATIC',
      endpoints: [{ address: '127.0.0.1', ports: { [EXTERNAL_PORT_NAME]: site.port } }],
    },
  };
  const gateway: Gateway = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'Gateway',
    metadata: meta(EGRESS_GATEWAY.app, GATEWAY_NAMESPACE),
    spec: {
      selector: { ...EGRESS_GATEWAY_SELECTOR },
      servers: [
        { port: { number: EGRESS_GATEWAY_PORT, name: 'http', protocol: 'HTTP' }, hosts: [EXTERNAL_HOST] },
      ],
    },
  };
  const route = virtualService('ratings-db', {
    hosts: [EXTERNAL_HOST],
    gateways: ['mesh', EGRESS_GATEWAY_REF],
    http: [
      {
        name: 'to-egress-gateway',
        match: [{ gateways: ['mesh'] }],
        route: [{ destination: { host: EGRESS_GATEWAY_HOST, port: { number: EGRESS_GATEWAY_PORT } } }],
      },
      {
        name: 'out',
        match: [{ gateways: [EGRESS_GATEWAY_REF] }],
        route: [{ destination: { host: EXTERNAL_HOST, port: { number: EXTERNAL_PORT } } }],
      },
    ],
  });
  const tls: DestinationRule = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: meta('ratings-db'),
    spec: {
      host: EXTERNAL_HOST,
      trafficPolicy: { tls: { mode: 'SIMPLE', caCertificates: site.caFile, sni: EXTERNAL_HOST } },
    },
  };
  return [gatewayService, external, gateway, route, tls];
}

function meshConfig(mode: OutboundTrafficMode): MeshConfig {
  return {
    apiVersion: 'mesh.meshlens.io/v1alpha1',
    kind: 'MeshConfig',
    metadata: { name: MESH_CONFIG_NAME, namespace: MESH_ROOT_NAMESPACE },
    spec: { outboundTrafficPolicy: { mode } },
  };
}

/** Every resource of the scenario, in an order the control plane accepts (hosts before routes). */
export function scenarioResources(name: ScenarioName, site?: ExternalSite): MeshResource[] {
  const k = knobsOf(name);
  const reviewsHost = fqdn('reviews');
  const ratingsHost = fqdn('ratings');
  return [
    meshConfig(k.outboundTrafficPolicy),
    ...(Object.keys(SERVICES) as Role[]).map((app) => serviceEntry(app, k.behaviour[app])),
    ...egressResources(site),
    destinationRule('productpage'),
    destinationRule('details'),
    destinationRule('reviews', RESILIENT),
    destinationRule('ratings', RESILIENT),
    // The store takes a bounded number of connections, as a database's pool does (UO past it).
    destinationRule('mongodb', { connectionPool: { tcp: { maxConnections: 32 } } }),
    virtualService('productpage', {
      hosts: [fqdn('productpage')],
      http: [{ route: [{ destination: { host: fqdn('productpage'), subset: 'v1' } }], timeout: '10s' }],
    }),
    virtualService('reviews', {
      hosts: [reviewsHost],
      http: [
        {
          name: 'jason',
          match: [{ headers: { 'end-user': { exact: 'jason' } } }],
          route: [{ destination: { host: reviewsHost, subset: 'v2' } }],
        },
        {
          name: 'canary',
          route: Object.entries(REVIEWS_WEIGHTS).map(([subset, weight]) => ({
            destination: { host: reviewsHost, subset },
            weight,
          })),
          timeout: '5s',
          ...(k.reviewsRetries
            ? { retries: { attempts: 2, perTryTimeout: '2s', retryOn: '5xx,connect-failure,reset' } }
            : {}),
        },
      ],
    }),
    virtualService('ratings', {
      hosts: [ratingsHost],
      http: [
        {
          route: [{ destination: { host: ratingsHost, subset: 'v1' } }],
          // Istio's gRPC retry conditions: an UNAVAILABLE from the server is tried again.
          retries: { attempts: 2, perTryTimeout: '2s', retryOn: 'unavailable,cancelled,connect-failure' },
          // An abort on a gRPC call reaches the caller as a gRPC status (503 → 14 UNAVAILABLE).
          ...(k.ratingsAbortPercent > 0
            ? { fault: { abort: { percentage: { value: k.ratingsAbortPercent }, httpStatus: 503 } } }
            : {}),
        },
      ],
    }),
    virtualService('mongodb', {
      hosts: [fqdn('mongodb')],
      tcp: [
        {
          match: [{ port: STORE_PORT }],
          route: [{ destination: { host: fqdn('mongodb'), subset: 'v1', port: { number: STORE_PORT } } }],
        },
      ],
    }),
  ];
}

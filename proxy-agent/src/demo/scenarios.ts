// Demo scenarios: each is the complete set of Istio resources for the demo mesh. Switching a
// scenario writes them to the control plane (no restart): the trouble turns on and off live.

import { LABEL_APP } from '../../../lib/mesh-config/labels';
import type {
  DestinationRule,
  MeshResource,
  ServiceEntry,
  TrafficPolicy,
  VirtualService,
} from '../../../lib/mesh-config/schema';
import { BEHAVIOUR_ANNOTATION, type Behaviour } from './app-behaviour';
import {
  DEMO_NAMESPACE,
  EXTERNAL_HOST,
  EXTERNAL_PORT,
  fqdn,
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
} as const;

export type ScenarioName = keyof typeof SCENARIOS;

export function isScenario(name: string): name is ScenarioName {
  return Object.hasOwn(SCENARIOS, name);
}

interface Knobs {
  behaviour: Partial<Record<Role, Behaviour>>;
  reviewsRetries: boolean;
  ratingsAbortPercent: number;
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
  };
  switch (name) {
    case 'default':
      return trouble;
    case 'healthy':
      return { behaviour: {}, reviewsRetries: true, ratingsAbortPercent: 0 };
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

/** Every resource of the scenario, in an order the control plane accepts (hosts before routes). */
export function scenarioResources(name: ScenarioName): MeshResource[] {
  const k = knobsOf(name);
  const reviewsHost = fqdn('reviews');
  const ratingsHost = fqdn('ratings');
  return [
    ...(Object.keys(SERVICES) as Role[]).map((app) => serviceEntry(app, k.behaviour[app])),
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: meta('ratings-db'),
      spec: {
        hosts: [EXTERNAL_HOST],
        ports: [{ number: EXTERNAL_PORT, name: 'http', protocol: 'HTTP' }],
        location: 'MESH_EXTERNAL',
        resolution: 'STATIC',
        // The endpoint's address and port are filled in by the supervisor (the simulated service).
        endpoints: [],
      },
    },
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

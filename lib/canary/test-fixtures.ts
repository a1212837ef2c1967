// Resources shaped like the demo's reviews service (bookinfo), for the canary unit tests.
import type { DestinationRule, VirtualService, WorkloadEntry } from '../mesh-config/schema';
import type { ServiceRef } from './virtual-service';

export const REVIEWS: ServiceRef = {
  name: 'reviews',
  namespace: 'bookinfo',
  host: 'reviews.bookinfo.svc.cluster.local',
};

const host = REVIEWS.host;

export function reviewsVirtualService(resourceVersion = '7'): VirtualService {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'reviews', namespace: 'bookinfo', resourceVersion },
    spec: {
      hosts: [host],
      http: [
        {
          name: 'jason',
          match: [{ headers: { 'end-user': { exact: 'jason' } } }],
          route: [{ destination: { host, subset: 'v2' } }],
        },
        {
          name: 'canary',
          route: [
            { destination: { host, subset: 'v1' }, weight: 50 },
            { destination: { host, subset: 'v2' }, weight: 30 },
            { destination: { host, subset: 'v3' }, weight: 20 },
          ],
          timeout: '5s',
          retries: { attempts: 2, perTryTimeout: '2s', retryOn: '5xx,connect-failure,reset' },
        },
      ],
    },
  };
}

export function reviewsDestinationRule(subsets = ['v1', 'v2', 'v3']): DestinationRule {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'reviews', namespace: 'bookinfo', resourceVersion: '3' },
    spec: {
      host,
      subsets: subsets.map((v) => ({ name: v, labels: { version: v } })),
      trafficPolicy: { outlierDetection: { consecutive5xxErrors: 3 } },
    },
  };
}

export function workloadEntry(
  app: string,
  version: string,
  replica = 1,
  namespace = 'bookinfo',
): WorkloadEntry {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'WorkloadEntry',
    metadata: { name: `${app}-${version}-${replica}`, namespace },
    spec: { address: '127.0.0.1', labels: { app, version } },
  };
}

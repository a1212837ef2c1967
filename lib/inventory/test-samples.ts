// Request-rate samples shaped as `inventoryQuery` answers them, for the inventory's unit tests.
import type { Sample } from '../graph/series';
import type { MeshConfigInput } from './config-match';

export interface Call {
  reporter: 'source' | 'destination';
  from?: { ns: string; wl: string; app?: string; version?: string };
  to?: { ns: string; wl: string; app?: string; version?: string };
  /** The service's FQDN or external host. */
  service?: string;
  serviceNs?: string;
  code?: string;
  rps: number;
}

export function sample(c: Call): Sample {
  const svcName = c.service?.split('.')[0];
  return {
    labels: {
      reporter: c.reporter,
      source_workload_namespace: c.from?.ns ?? 'unknown',
      source_workload: c.from?.wl ?? 'unknown',
      source_canonical_service: c.from?.app ?? 'unknown',
      source_canonical_revision: c.from?.version ?? 'latest',
      destination_workload_namespace: c.to?.ns ?? 'unknown',
      destination_workload: c.to?.wl ?? 'unknown',
      destination_canonical_service: c.to?.app ?? 'unknown',
      destination_canonical_revision: c.to?.version ?? 'latest',
      destination_service: c.service ?? 'unknown',
      destination_service_name: c.serviceNs ? (svcName ?? 'unknown') : (c.service ?? 'unknown'),
      destination_service_namespace: c.serviceNs ?? 'unknown',
      request_protocol: 'http',
      response_code: c.code ?? '200',
      grpc_response_status: '',
    },
    value: c.rps,
  };
}

export const PP = { ns: 'bookinfo', wl: 'productpage-v1', app: 'productpage', version: 'v1' };
export const RV1 = { ns: 'bookinfo', wl: 'reviews-v1', app: 'reviews', version: 'v1' };
export const RV2 = { ns: 'bookinfo', wl: 'reviews-v2', app: 'reviews', version: 'v2' };
export const RT = { ns: 'bookinfo', wl: 'ratings-v1', app: 'ratings', version: 'v1' };
export const REVIEWS = 'reviews.bookinfo.svc.cluster.local';
export const RATINGS = 'ratings.bookinfo.svc.cluster.local';
export const EXTERNAL = 'ratings-db.example.com';

const meta = (name: string, namespace = 'bookinfo') => ({ name, namespace });
export function demoConfig(): MeshConfigInput {
  return {
    virtualServices: [
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: meta('reviews'),
        spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' } }] }] },
      },
    ],
    destinationRules: [
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'DestinationRule',
        metadata: meta('reviews'),
        spec: { host: REVIEWS, subsets: [{ name: 'v1', labels: { version: 'v1' } }] },
      },
    ],
    serviceEntries: [
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'ServiceEntry',
        metadata: meta('ratings-db'),
        spec: { hosts: [EXTERNAL], location: 'MESH_EXTERNAL' },
      },
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'ServiceEntry',
        metadata: meta('details'),
        spec: {
          hosts: ['details.bookinfo.svc.cluster.local'],
          location: 'MESH_INTERNAL',
          workloadSelector: { labels: { app: 'details' } },
        },
      },
    ],
    workloadEntries: [
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'WorkloadEntry',
        metadata: { ...meta('details-v1-1'), labels: { 'meshlens.io/workload': 'details-v1' } },
        spec: { address: '127.0.0.1', labels: { app: 'details', version: 'v1' } },
        status: { conditions: [{ type: 'Healthy', status: 'True' }] },
      },
    ],
    peerAuthentications: [
      { namespace: 'istio-system', name: 'default' },
      { namespace: 'bookinfo', name: 'reviews-strict', selector: { app: 'reviews' } },
    ],
    sidecars: [{ namespace: 'bookinfo', name: 'default' }],
  };
}

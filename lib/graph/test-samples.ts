// Builders of Istio-labelled samples for the graph's unit tests (the label set Istio writes).
import {
  type Assembled,
  assembleGraph,
  type GraphReads,
  type TrafficOptions,
  trafficGraph,
} from './assemble';
import { groupBuckets } from './latency-cache';
import type { Sample } from './series';
import { type TrafficInput, type TrafficMap, trafficMap } from './traffic-map';

export interface Side {
  ns: string;
  wl: string;
  app?: string;
  version?: string;
}

export interface EdgeSpec {
  reporter: 'source' | 'destination';
  /** Undefined: a caller outside the mesh. */
  from?: Side;
  /** Undefined: no workload reached. */
  to?: Side;
  /** FQDN or external host; undefined for none. */
  service?: string;
  code?: string;
  flags?: string;
  rps: number;
  mtls?: boolean;
  /** Write both sides' SPIFFE ids (service account = workload name), as Istio does under mTLS. */
  principals?: boolean;
  protocol?: string;
  grpcStatus?: string;
  /** `destination_service_name` when it is not the host's (PassthroughCluster, BlackHoleCluster). */
  serviceName?: string;
}

const spiffe = (s: Side | undefined) => (s ? `spiffe://cluster.local/ns/${s.ns}/sa/${s.wl}` : 'unknown');

export function requestSample(e: EdgeSpec): Sample {
  const svcNs = e.service?.endsWith('.svc.cluster.local') ? e.service.split('.')[1] : 'unknown';
  const svcName = e.service?.endsWith('.svc.cluster.local')
    ? e.service.split('.')[0]
    : (e.service ?? 'unknown');
  return {
    labels: {
      reporter: e.reporter,
      source_workload_namespace: e.from?.ns ?? 'unknown',
      source_workload: e.from?.wl ?? 'unknown',
      source_canonical_service: e.from?.app ?? 'unknown',
      source_canonical_revision: e.from?.version ?? 'latest',
      source_app: e.from?.app ?? 'unknown',
      source_version: e.from?.version ?? '',
      destination_service_namespace: svcNs ?? 'unknown',
      destination_service: e.service ?? 'unknown',
      destination_service_name: e.serviceName ?? svcName ?? 'unknown',
      destination_workload_namespace: e.to?.ns ?? 'unknown',
      destination_workload: e.to?.wl ?? 'unknown',
      destination_canonical_service: e.to?.app ?? 'unknown',
      destination_canonical_revision: e.to?.version ?? 'latest',
      destination_app: e.to?.app ?? 'unknown',
      destination_version: e.to?.version ?? 'unknown',
      request_protocol: e.protocol ?? 'http',
      response_code: e.code ?? '200',
      grpc_response_status: e.grpcStatus ?? '',
      response_flags: e.flags ?? '-',
      connection_security_policy:
        e.reporter === 'source' ? 'unknown' : e.mtls === false ? 'none' : 'mutual_tls',
      ...(e.principals ? { source_principal: spiffe(e.from), destination_principal: spiffe(e.to) } : {}),
    },
    value: e.rps,
  };
}

/** Bucket-rate samples for one edge's 2xx responses: `counts[i]` per second ≤ `les[i]` (cumulative). */
export function bucketSamples(e: EdgeSpec, les: number[], counts: number[]): Sample[] {
  const labels = requestSample({ ...e, code: '200' }).labels;
  return les.map((le, i) => ({
    labels: { ...labels, le: le === Number.POSITIVE_INFINITY ? '+Inf' : String(le) },
    value: counts[i] as number,
  }));
}

/** The whole assembly from samples, as the graph runs it: traffic map, appenders, elements. */
export function assembleSamples(
  input: Omit<TrafficOptions, 'keepHops'> & GraphReads & { latencyBuckets?: readonly Sample[] },
): Assembled {
  const latencyGroups = input.latencyGroups ?? groupBuckets(input.latencyBuckets ?? []);
  return assembleGraph(trafficGraph({ ...input, keepHops: latencyGroups.length > 0 }), {
    ...input,
    latencyGroups,
  });
}

/** Bookinfo's workloads and hosts, for the appenders' tests. */
export const BOOKINFO = {
  productpage: { ns: 'bookinfo', wl: 'productpage-v1', app: 'productpage', version: 'v1' },
  reviewsV1: { ns: 'bookinfo', wl: 'reviews-v1', app: 'reviews', version: 'v1' },
  reviewsV2: { ns: 'bookinfo', wl: 'reviews-v2', app: 'reviews', version: 'v2' },
  ratings: { ns: 'bookinfo', wl: 'ratings-v1', app: 'ratings', version: 'v1' },
  REVIEWS: 'reviews.bookinfo.svc.cluster.local',
  RATINGS: 'ratings.bookinfo.svc.cluster.local',
  PRODUCTPAGE: 'productpage.bookinfo.svc.cluster.local',
} as const satisfies Record<string, Side | string>;

/** The traffic map of some edges (versioned apps with service nodes unless told otherwise), no appender run. */
export function mapOf(edges: readonly EdgeSpec[], over: Partial<TrafficInput> = {}): TrafficMap {
  return trafficMap({
    graphType: 'versionedApp',
    injectServiceNodes: true,
    requests: edges.map(requestSample),
    keepHops: false,
    ...over,
  });
}

/** A seeded PRNG (mulberry32, `lib/random/prng.mjs`, as the benches use): a generated mesh is the same every run. */
export { prng } from '../random/prng.mjs';

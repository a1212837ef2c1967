// PromQL for the drilldown of one node or one edge: request rates by code, flags and gRPC status, TCP
// bytes and connections, latency
// percentiles (2xx), outbound rate, and the Envoy stats of the service host (retries, ejections,
// per-endpoint state where the sidecars export `meshlens_endpoint_*`).
import { hostClusterMatcher } from './envoy-stats';
import type { NodeRef } from './node-id';
import { eq, type Matcher, selector } from './promql';

/** Who the caller is, for the reporter choice: one known workload, outside the mesh, or any. */
export type Callers = 'known' | 'unknown' | 'any';

export interface Selection {
  matchers: Matcher[];
  callers: Callers;
}

/** Matchers naming a node as the caller. */
export function callerMatchers(n: NodeRef): Matcher[] {
  switch (n.kind) {
    case 'unknown':
      return [eq('source_workload', 'unknown')];
    case 'workload':
      return [eq('source_workload_namespace', n.namespace), eq('source_workload', n.workload)];
    case 'app':
      return [
        eq('source_workload_namespace', n.namespace),
        eq('source_canonical_service', n.app),
        ...(n.version ? [eq('source_canonical_revision', n.version)] : []),
      ];
    case 'service':
      // A caller drawn as its service (service graph): the workloads of that app.
      return [eq('source_workload_namespace', n.namespace), eq('source_canonical_service', n.name)];
  }
}

/** Matchers naming a node as the destination. */
export function destinationMatchers(n: NodeRef): Matcher[] {
  switch (n.kind) {
    case 'unknown':
      return [eq('destination_service', 'unknown')];
    case 'workload':
      return [eq('destination_workload_namespace', n.namespace), eq('destination_workload', n.workload)];
    case 'app':
      return [
        eq('destination_workload_namespace', n.namespace),
        eq('destination_canonical_service', n.app),
        ...(n.version ? [eq('destination_canonical_revision', n.version)] : []),
      ];
    case 'service':
      return [eq('destination_service', n.host)];
  }
}

export function nodeInbound(n: NodeRef): Selection {
  return { matchers: destinationMatchers(n), callers: 'any' };
}

export function edgeSelection(source: NodeRef, target: NodeRef): Selection {
  // A service node as the source is the middle of caller → service → workload: any caller, through it.
  if (source.kind === 'service' && target.kind !== 'service') {
    return { matchers: [...destinationMatchers(source), ...destinationMatchers(target)], callers: 'any' };
  }
  return {
    matchers: [...callerMatchers(source), ...destinationMatchers(target)],
    callers: source.kind === 'unknown' ? 'unknown' : 'known',
  };
}

/**
 * `sum by (g) (rate(metric{…}[w]))` with the reporter semantics: one known caller — source-reported,
 * else destination-reported (`or` of the two sums); outside callers — destination-reported; any caller —
 * source-reported plus destination-reported from outside the mesh.
 */
export function reporterSum(
  metric: string,
  s: Selection,
  by: readonly string[],
  range: string,
  extra: Matcher[] = [],
): string {
  const m = [...s.matchers, ...extra];
  const src = `${metric}${selector([eq('reporter', 'source'), ...m])}`;
  const dst = `${metric}${selector([eq('reporter', 'destination'), ...m])}`;
  const dstOutside = `${metric}${selector([eq('reporter', 'destination'), ...m.filter((x) => x.label !== 'source_workload'), eq('source_workload', 'unknown')])}`;
  const sum = (inner: string) => `sum by (${by.join(',')}) (${inner})`;
  switch (s.callers) {
    case 'known':
      return `${sum(`rate(${src}[${range}])`)} or ${sum(`rate(${dst}[${range}])`)}`;
    case 'unknown':
      return sum(`rate(${dstOutside}[${range}])`);
    case 'any':
      return sum(`rate(${src}[${range}]) or rate(${dstOutside}[${range}])`);
  }
}

/** Request rates by outcome; gRPC calls by their status too (a gRPC error rides on HTTP 200). */
export function requestsByCodeQuery(s: Selection, range: string): string {
  return reporterSum(
    'istio_requests_total',
    s,
    ['response_code', 'response_flags', 'request_protocol', 'grpc_response_status'],
    range,
  );
}

/** Istio's TCP series for a drilldown: bytes each way, connections opened and closed (per second). */
export function tcpQueries(s: Selection, range: string) {
  const sum = (metric: string) => reporterSum(metric, s, [], range);
  return {
    sent: sum('istio_tcp_sent_bytes_total'),
    received: sum('istio_tcp_received_bytes_total'),
    opened: sum('istio_tcp_connections_opened_total'),
    closed: sum('istio_tcp_connections_closed_total'),
  };
}

export function latencyQuery(q: number, s: Selection, range: string): string {
  const buckets = reporterSum('istio_request_duration_milliseconds_bucket', s, ['le'], range, [
    { label: 'response_code', op: '=~', value: '2..' },
  ]);
  return `histogram_quantile(${q}, ${buckets})`;
}

export function outboundQuery(n: NodeRef, range: string): string {
  return `sum(rate(istio_requests_total${selector([eq('reporter', 'source'), ...callerMatchers(n)])}[${range}]))`;
}

/** Envoy cluster stats of `host`, optionally only as seen by one calling workload (scrape labels). */
export function envoyQueries(host: string, range: string, caller?: { namespace: string; workload: string }) {
  const sel = selector([
    hostClusterMatcher(host),
    ...(caller ? [eq('namespace', caller.namespace), eq('workload', caller.workload)] : []),
  ]);
  const rate = (metric: string) => `sum(rate(${metric}${sel}[${range}]))`;
  return {
    retryAttempted: rate('envoy_cluster_upstream_rq_retry'),
    retrySucceeded: rate('envoy_cluster_upstream_rq_retry_success'),
    retryOverflow: rate('envoy_cluster_upstream_rq_retry_overflow'),
    retryExhausted: rate('envoy_cluster_upstream_rq_retry_limit_exceeded'),
    ejectionsActive: `sum(envoy_cluster_outlier_detection_ejections_active${sel})`,
    ejectionsEnforced: rate('envoy_cluster_outlier_detection_ejections_enforced_total'),
    /** Per endpoint: ejected by any caller (max over the calling sidecars). */
    endpointEjected: `max by (endpoint, cluster_name) (meshlens_endpoint_ejected${sel})`,
    endpointHealthy: `min by (endpoint, cluster_name) (meshlens_endpoint_healthy${sel})`,
    endpointTimesEjected: `sum by (endpoint, cluster_name) (meshlens_endpoint_times_ejected${sel})`,
    endpointActive: `sum by (endpoint, cluster_name) (meshlens_endpoint_active_requests${sel})`,
  };
}

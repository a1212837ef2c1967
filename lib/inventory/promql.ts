// The inventory's PromQL: one mesh-wide request-rate query (every list and the overview come from it),
// the namespaces' inbound rate over time (one range query grouped by namespace, for the sparklines),
// and the queries of one item's detail (peer latency, metrics charts). Every value is escaped.
import { eq, type Matcher, selector } from '../graph/promql';
import type { ItemKind } from './types';

/** The labels the inventory groups request rates by: who called whom, through which service, with what answer. */
export const INVENTORY_LABELS = [
  'reporter',
  'source_workload_namespace',
  'source_workload',
  'source_canonical_service',
  'source_canonical_revision',
  'destination_workload_namespace',
  'destination_workload',
  'destination_canonical_service',
  'destination_canonical_revision',
  'destination_service',
  'destination_service_name',
  'destination_service_namespace',
  'request_protocol',
  'response_code',
  'grpc_response_status',
] as const;

const PROM_DURATION = /^[1-9][0-9]{0,4}[smhd]$/;

function checkedDuration(d: string): string {
  if (!PROM_DURATION.test(d)) throw new Error(`invalid duration ${d}`);
  return d;
}

export function inventoryQuery(duration: string): string {
  return `sum by (${INVENTORY_LABELS.join(',')}) (rate(istio_requests_total[${checkedDuration(duration)}]))`;
}

/** Requests per second into each namespace's workloads (their proxies report them), over time. */
export function namespaceInboundRangeQuery(rateWindow: string): string {
  return `sum by (destination_workload_namespace) (rate(istio_requests_total{reporter="destination"}[${checkedDuration(rateWindow)}]))`;
}

export type Direction = 'inbound' | 'outbound';

export interface ItemRef {
  kind: ItemKind;
  namespace: string;
  name: string;
  /** A service's host; required for services. */
  host?: string;
}

/** The series of requests into (or out of) an item. Services have inbound traffic only. */
export function itemMatchers(item: ItemRef, direction: Direction): Matcher[] {
  const side = direction === 'inbound' ? 'destination' : 'source';
  switch (item.kind) {
    case 'workloads':
      return [eq(`${side}_workload_namespace`, item.namespace), eq(`${side}_workload`, item.name)];
    case 'applications':
      return [eq(`${side}_workload_namespace`, item.namespace), eq(`${side}_canonical_service`, item.name)];
    case 'services':
      if (direction === 'outbound') throw new Error('a service has no outbound traffic of its own');
      return [eq('destination_service', item.host ?? item.name)];
  }
}

/** The labels naming the peer on the other end of an item's traffic. */
export function peerLabels(item: ItemRef, direction: Direction): string[] {
  if (direction === 'inbound') return ['source_workload_namespace', 'source_workload'];
  return item.kind === 'services'
    ? ['destination_workload_namespace', 'destination_workload']
    : ['destination_service'];
}

/** p95 over 2xx responses per peer and reporter (the caller picks one reporter per peer). */
export function peerLatencyQuery(
  item: ItemRef,
  direction: Direction,
  duration: string,
  quantile = 0.95,
): string {
  // A service's outbound peers are its own workloads: the requests into it, grouped by who answered.
  const m = itemMatchers(item, item.kind === 'services' ? 'inbound' : direction);
  const by = ['le', 'reporter', ...peerLabels(item, direction)].join(',');
  return `histogram_quantile(${quantile}, sum by (${by}) (rate(istio_request_duration_milliseconds_bucket${selector(
    [...m, { label: 'response_code', op: '=~', value: '2..' }],
  )}[${checkedDuration(duration)}])))`;
}

export const METRIC_GROUPS = ['none', 'version', 'response_code', 'peer'] as const;
export type MetricGroup = (typeof METRIC_GROUPS)[number];

export function groupLabel(item: ItemRef, direction: Direction, group: MetricGroup): string | undefined {
  switch (group) {
    case 'none':
      return undefined;
    case 'version':
      return direction === 'inbound' ? 'destination_canonical_revision' : 'source_canonical_revision';
    case 'response_code':
      return 'response_code';
    case 'peer':
      return direction === 'inbound'
        ? 'source_workload'
        : item.kind === 'services'
          ? 'destination_workload'
          : 'destination_service_name';
  }
}

export interface MetricQueries {
  requests: string;
  p50: string;
  p95: string;
  p99: string;
  requestSize: string;
  responseSize: string;
}

/** The detail's charts: request rate, duration quantiles, mean request and response size. */
export function metricQueries(
  item: ItemRef,
  direction: Direction,
  reporter: 'source' | 'destination',
  group: MetricGroup,
  rateWindow: string,
): MetricQueries {
  const sel = selector([eq('reporter', reporter), ...itemMatchers(item, direction)]);
  const g = groupLabel(item, direction, group);
  const by = g ? `sum by (${g})` : 'sum';
  const byLe = `sum by (${['le', ...(g ? [g] : [])].join(',')})`;
  const w = checkedDuration(rateWindow);
  const q = (p: number) =>
    `histogram_quantile(${p}, ${byLe} (rate(istio_request_duration_milliseconds_bucket${sel}[${w}])))`;
  const mean = (m: string) => `${by} (rate(${m}_sum${sel}[${w}])) / ${by} (rate(${m}_count${sel}[${w}]))`;
  return {
    requests: `${by} (rate(istio_requests_total${sel}[${w}]))`,
    p50: q(0.5),
    p95: q(0.95),
    p99: q(0.99),
    requestSize: mean('istio_request_bytes'),
    responseSize: mean('istio_response_bytes'),
  };
}

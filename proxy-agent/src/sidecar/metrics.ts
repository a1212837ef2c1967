// The sidecar's metrics: Istio's standard metrics, Envoy's cluster stats and meshlens_ per-endpoint gauges,
// exposed as Prometheus text, or as OpenMetrics with trace exemplars, written in chunks (exposition.ts).
//
// Why not prom-client's Counter/Histogram: each observe() validates and hashes all 25 Istio labels, and
// its exemplars exist only in an OpenMetrics registry. Here a request costs one short string key and one Map
// lookup. The number of series is capped (as Envoy caps its stats): past the cap, new label sets are
// counted in one overflow series whose labels are `unknown`, and meshlens_metric_series_overflow_total
// says how many requests went there.
import {
  type Exemplar,
  expose,
  type FamilyType,
  type Format,
  formatLabels,
  type MetricFamily,
  OPENMETRICS_CONTENT_TYPE,
  PROMETHEUS_CONTENT_TYPE,
  type Sample,
} from './exposition';
import type {
  ClusterStats,
  EndpointState,
  Exposition,
  RequestRecord,
  ServiceIdentity,
  SidecarMetricsApi,
  TcpCounters,
  TcpRecord,
  WorkloadIdentity,
} from './telemetry-types';

export { OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE };

/** Request series (label sets of the Istio metrics) a sidecar keeps; more fold into the overflow series. */
export const MAX_METRIC_SERIES = 10_000;

/** Istio's default buckets, shared by the duration (ms) and the size (bytes) histograms. */
export const ISTIO_BUCKETS: readonly number[] = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000,
  3600000,
];

/** The Istio label names, in the order Istio's own label list gives them. */
const ISTIO_LABELS = [
  'reporter',
  'source_workload',
  'source_workload_namespace',
  'source_principal',
  'source_app',
  'source_version',
  'source_canonical_service',
  'source_canonical_revision',
  'source_cluster',
  'destination_workload',
  'destination_workload_namespace',
  'destination_principal',
  'destination_app',
  'destination_version',
  'destination_service',
  'destination_service_name',
  'destination_service_namespace',
  'destination_canonical_service',
  'destination_canonical_revision',
  'destination_cluster',
  'request_protocol',
  'response_code',
  'grpc_response_status',
  'response_flags',
  'connection_security_policy',
] as const;

/** Istio's TCP label set: the request labels without response_code and grpc_response_status. */
const TCP_LABELS = ISTIO_LABELS.filter((l) => l !== 'response_code' && l !== 'grpc_response_status');

/** Istio's cluster id when none is configured (what `source_cluster` / `destination_cluster` say). */
export const DEFAULT_CLUSTER_ID = 'Kubernetes';

export interface SidecarMetricsOptions {
  /** Istio cluster id for `source_cluster` / `destination_cluster` (default `Kubernetes`). */
  clusterId?: string;
  /** Cap on request series (default MAX_METRIC_SERIES). */
  maxSeries?: number;
}

type Labels = Record<string, string>;

interface HistogramState {
  /** Per-bucket (not cumulative) counts; the last slot is +Inf. */
  counts: number[];
  sum: number;
  count: number;
  /** Latest exemplar per bucket (duration histogram only). */
  exemplars?: (Exemplar | undefined)[];
}

interface RequestSeries {
  /** The label set, rendered once (`reporter="source",...`). */
  labels: string;
  requests: number;
  duration: HistogramState;
  requestBytes: HistogramState;
  responseBytes: HistogramState;
  /** gRPC series only: messages each way (istio_request_messages_total / istio_response_messages_total). */
  grpc: boolean;
  requestMessages: number;
  responseMessages: number;
}

interface TcpSeries extends TcpCounters {
  labels: string;
}

interface ClusterCounters {
  /** Rendered `cluster_name="..."`. */
  labels: string;
  retry: number;
  retrySuccess: number;
  retryOverflow: number;
  retryLimitExceeded: number;
  pendingOverflow: number;
  ejectionsEnforced: number;
  ejectionsActive: number;
  membershipHealthy: number;
  membershipTotal: number;
}

/** What chose a reporter's last series: the next record alike (the common case) skips the key and lookup. */
class LastSeries {
  constructor(
    readonly source: WorkloadIdentity,
    readonly destination: WorkloadIdentity,
    readonly service: ServiceIdentity,
    readonly protocol: string,
    readonly code: number,
    readonly grpcStatus: number | undefined,
    readonly flags: string,
    readonly mtls: boolean,
    readonly series: RequestSeries,
  ) {}

  matches(r: RequestRecord, mtls: boolean): boolean {
    return (
      this.source === r.source &&
      this.destination === r.destination &&
      this.service === r.destinationService &&
      this.code === r.responseCode &&
      this.flags === r.responseFlags &&
      this.protocol === r.requestProtocol &&
      this.grpcStatus === r.grpcStatus &&
      this.mtls === mtls
    );
  }
}

export class SidecarMetrics implements SidecarMetricsApi {
  private readonly clusterId: string;
  private readonly series = new Map<string, RequestSeries>();
  private readonly clusters = new Map<string, { counters: ClusterCounters; api: ClusterStats }>();
  private endpoints: readonly EndpointState[] = [];
  /** Identity objects → short interned ids, so a record's key is a few short strings. */
  private readonly identityIds = new WeakMap<object, string>();
  private readonly identityIdsByValue = new Map<string, string>();
  private readonly maxSeries: number;
  /** Per reporter: where label sets past the cap are counted. */
  private readonly overflow = new Map<string, RequestSeries>();
  /** TCP label sets: counted against the same cap as the request series. */
  private readonly tcpSeries = new Map<string, TcpSeries>();
  private readonly tcpOverflow = new Map<string, TcpSeries>();
  private overflowed = 0;
  private lastSource: LastSeries | undefined;
  private lastDestination: LastSeries | undefined;
  private readonly families: Record<Format, MetricFamily[]>;

  constructor(options: SidecarMetricsOptions = {}) {
    this.clusterId = options.clusterId ?? DEFAULT_CLUSTER_ID;
    this.maxSeries = options.maxSeries ?? MAX_METRIC_SERIES;
    this.families = {
      prometheus: this.buildFamilies('prometheus'),
      openmetrics: this.buildFamilies('openmetrics'),
    };
  }

  recordRequest(record: RequestRecord): void {
    const series = this.seriesFor(record);
    if (series === undefined) return;
    const durationMs = sanitize(record.durationMs);
    series.requests += 1;
    if (series.grpc) {
      series.requestMessages += record.requestMessages ?? 0;
      series.responseMessages += record.responseMessages ?? 0;
    }
    observe(series.duration, durationMs);
    observe(series.requestBytes, record.requestBytes);
    observe(series.responseBytes, record.responseBytes);
    if (record.traceId !== undefined && series.duration.exemplars !== undefined) {
      const labelSet: Labels =
        record.spanId === undefined
          ? { trace_id: record.traceId }
          : { trace_id: record.traceId, span_id: record.spanId };
      series.duration.exemplars[bucketIndex(durationMs)] = {
        labelSet,
        value: durationMs,
        timestamp: Date.now() / 1000,
      };
    }
  }

  tcp(record: TcpRecord): TcpCounters {
    const known = this.series.size + this.tcpSeries.size < this.maxSeries;
    const key = `${record.reporter}|${this.workloadId(record.source, known)}|${this.workloadId(record.destination, known)}|${this.serviceId(record.destinationService, known)}|${record.responseFlags}|${record.connectionSecurityPolicy === 'mutual_tls' ? 'm' : ''}`;
    const existing = this.tcpSeries.get(key);
    if (existing !== undefined) return existing;
    if (known) {
      const series = newTcpSeries(formatLabels(this.tcpLabelsOf(record)));
      this.tcpSeries.set(key, series);
      return series;
    }
    this.overflowed++;
    let folded = this.tcpOverflow.get(record.reporter);
    if (folded === undefined) {
      const labels: Labels = {};
      for (const name of TCP_LABELS) labels[name] = 'unknown';
      labels.reporter = record.reporter;
      folded = newTcpSeries(formatLabels(labels));
      this.tcpOverflow.set(record.reporter, folded);
    }
    return folded;
  }

  cluster(clusterName: string): ClusterStats {
    const existing = this.clusters.get(clusterName);
    if (existing !== undefined) return existing.api;
    const c: ClusterCounters = {
      labels: formatLabels({ cluster_name: clusterName }),
      retry: 0,
      retrySuccess: 0,
      retryOverflow: 0,
      retryLimitExceeded: 0,
      pendingOverflow: 0,
      ejectionsEnforced: 0,
      ejectionsActive: 0,
      membershipHealthy: 0,
      membershipTotal: 0,
    };
    const api: ClusterStats = {
      retry: () => void c.retry++,
      retrySuccess: () => void c.retrySuccess++,
      retryOverflow: () => void c.retryOverflow++,
      retryLimitExceeded: () => void c.retryLimitExceeded++,
      pendingOverflow: () => void c.pendingOverflow++,
      ejectionEnforced: () => void c.ejectionsEnforced++,
      setEjectionsActive: (n) => {
        c.ejectionsActive = n;
      },
      setMembership: (healthy, total) => {
        c.membershipHealthy = healthy;
        c.membershipTotal = total;
      },
    };
    this.clusters.set(clusterName, { counters: c, api });
    return api;
  }

  setEndpoints(endpoints: readonly EndpointState[]): void {
    this.endpoints = endpoints.map((e) => ({ ...e }));
  }

  exposition(acceptHeader: string | undefined): Exposition {
    const format: Format = prefersOpenMetrics(acceptHeader) ? 'openmetrics' : 'prometheus';
    return {
      contentType: format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_CONTENT_TYPE,
      chunks: expose(this.families[format], format),
    };
  }

  /** The whole exposition as one string (tests, small registries); the admin listener streams instead. */
  async render(acceptHeader: string | undefined): Promise<{ contentType: string; body: string }> {
    const { contentType, chunks } = this.exposition(acceptHeader);
    let body = '';
    for await (const chunk of chunks) body += chunk;
    return { contentType, body };
  }

  /** How many series exist (the overflow series included). */
  get seriesCount(): number {
    return this.series.size + this.overflow.size + this.tcpSeries.size + this.tcpOverflow.size;
  }

  /** The series a record counts in: its own, or past the cap its reporter's overflow series. */
  private seriesFor(record: RequestRecord): RequestSeries | undefined {
    const mtls = record.connectionSecurityPolicy === 'mutual_tls';
    const source = record.reporter === 'source';
    const last = source ? this.lastSource : this.lastDestination;
    if (last?.matches(record, mtls)) return last.series;
    const series = this.lookUpSeries(record);
    if (series !== undefined && series !== this.overflow.get(record.reporter)) {
      // Identities are not mutated after use (see intern), so a match by reference is the same label set.
      const hit = new LastSeries(
        record.source,
        record.destination,
        record.destinationService,
        record.requestProtocol,
        record.responseCode,
        record.grpcStatus,
        record.responseFlags,
        mtls,
        series,
      );
      if (source) this.lastSource = hit;
      else this.lastDestination = hit;
    }
    return series;
  }

  private lookUpSeries(record: RequestRecord): RequestSeries | undefined {
    const known = this.series.size + this.tcpSeries.size < this.maxSeries;
    const key = `${record.reporter}|${this.workloadId(record.source, known)}|${this.workloadId(record.destination, known)}|${this.serviceId(record.destinationService, known)}|${record.requestProtocol}|${record.responseCode}|${record.grpcStatus ?? ''}|${record.responseFlags}|${record.connectionSecurityPolicy === 'mutual_tls' ? 'm' : ''}`;
    const existing = this.series.get(key);
    if (existing !== undefined) return existing;
    if (known) {
      const series = newSeries(formatLabels(this.labelsOf(record)), record.requestProtocol === 'grpc');
      this.series.set(key, series);
      return series;
    }
    this.overflowed++;
    let folded = this.overflow.get(record.reporter);
    if (folded === undefined) {
      folded = newSeries(formatLabels(overflowLabels(record.reporter)), true);
      this.overflow.set(record.reporter, folded);
    }
    return folded;
  }

  private workloadId(w: WorkloadIdentity, grow: boolean): string {
    return this.intern(
      w,
      () =>
        `w\u0000${w.workload}\u0000${w.namespace}\u0000${w.app}\u0000${w.version}\u0000${w.canonicalService}\u0000${w.canonicalRevision}\u0000${w.principal}`,
      grow,
    );
  }

  private serviceId(s: ServiceIdentity, grow: boolean): string {
    return this.intern(s, () => `s\u0000${s.service}\u0000${s.serviceName}\u0000${s.serviceNamespace}`, grow);
  }

  /**
   * Identity objects are usually reused by the request path, so the WeakMap hit is the common case; a
   * fresh object with known values costs one field join. Callers must not mutate an identity after use.
   * Past the series cap (`grow` false) no new id is made: the value itself is the key (ids are digits,
   * values start with a letter), so the table stays bounded.
   */
  private intern(identity: object, valueKey: () => string, grow: boolean): string {
    const known = this.identityIds.get(identity);
    if (known !== undefined) return known;
    const value = valueKey();
    let id = this.identityIdsByValue.get(value);
    if (id === undefined) {
      if (!grow) return value;
      id = String(this.identityIdsByValue.size);
      this.identityIdsByValue.set(value, id);
    }
    this.identityIds.set(identity, id);
    return id;
  }

  /** Istio's TCP label set, in the same order. */
  private tcpLabelsOf(r: TcpRecord): Labels {
    const labels = this.labelsOf({
      ...r,
      requestProtocol: 'http',
      responseCode: 0,
      durationMs: 0,
      requestBytes: 0,
      responseBytes: 0,
    });
    const out: Labels = {};
    for (const name of TCP_LABELS) out[name] = labels[name] as string;
    out.request_protocol = 'tcp';
    return out;
  }

  /** The Istio label set, in the order Istio's own label list gives it. */
  private labelsOf(r: RequestRecord): Labels {
    const src = r.source;
    const dst = r.destination;
    const svc = r.destinationService;
    return {
      reporter: r.reporter,
      source_workload: src.workload,
      source_workload_namespace: src.namespace,
      source_principal: src.principal,
      source_app: src.app,
      source_version: src.version,
      source_canonical_service: src.canonicalService,
      source_canonical_revision: src.canonicalRevision,
      source_cluster: src.workload === 'unknown' ? 'unknown' : this.clusterId,
      destination_workload: dst.workload,
      destination_workload_namespace: dst.namespace,
      destination_principal: dst.principal,
      destination_app: dst.app,
      destination_version: dst.version,
      destination_service: svc.service,
      destination_service_name: svc.serviceName,
      destination_service_namespace: svc.serviceNamespace,
      destination_canonical_service: dst.canonicalService,
      destination_canonical_revision: dst.canonicalRevision,
      destination_cluster: dst.workload === 'unknown' ? 'unknown' : this.clusterId,
      request_protocol: r.requestProtocol,
      response_code: String(r.responseCode),
      grpc_response_status: r.grpcStatus === undefined ? '' : String(r.grpcStatus),
      response_flags: r.responseFlags,
      // Istio: only the callee's proxy says; the caller's reports unknown.
      connection_security_policy:
        r.reporter === 'source' ? 'unknown' : (r.connectionSecurityPolicy ?? 'none'),
    };
  }

  private buildFamilies(format: Format): MetricFamily[] {
    const self = this;
    function* series(): Iterable<RequestSeries> {
      yield* self.series.values();
      yield* self.overflow.values();
    }
    const clusters = () => Array.from(this.clusters.values(), (c) => c.counters);
    function* grpcSeries(): Iterable<RequestSeries> {
      for (const s of series()) if (s.grpc) yield s;
    }
    function* tcpSeries(): Iterable<TcpSeries> {
      yield* self.tcpSeries.values();
      yield* self.tcpOverflow.values();
    }
    const tcpCounter = (name: string, help: string, pick: (s: TcpSeries) => number) =>
      family(name, help, 'counter', () =>
        mapIterable(tcpSeries(), (s) => ({ labels: s.labels, value: pick(s) })),
      );
    const families: MetricFamily[] = [
      family(
        'istio_requests_total',
        'Requests handled by the sidecar, by Istio standard labels',
        'counter',
        () => mapIterable(series(), (s) => ({ labels: s.labels, value: s.requests })),
      ),
      histogramFamily(
        'istio_request_duration_milliseconds',
        'Request duration in milliseconds',
        series,
        'duration',
      ),
      histogramFamily(
        'istio_request_bytes',
        'Request size in bytes (headers and body)',
        series,
        'requestBytes',
      ),
      histogramFamily(
        'istio_response_bytes',
        'Response size in bytes (headers and body)',
        series,
        'responseBytes',
      ),
      family('istio_request_messages_total', 'gRPC messages sent by the client', 'counter', () =>
        mapIterable(grpcSeries(), (s) => ({ labels: s.labels, value: s.requestMessages })),
      ),
      family('istio_response_messages_total', 'gRPC messages sent by the server', 'counter', () =>
        mapIterable(grpcSeries(), (s) => ({ labels: s.labels, value: s.responseMessages })),
      ),
      tcpCounter(
        'istio_tcp_sent_bytes_total',
        'Bytes sent in the response direction of TCP connections',
        (s) => s.sentBytes,
      ),
      tcpCounter(
        'istio_tcp_received_bytes_total',
        'Bytes received in the request direction of TCP connections',
        (s) => s.receivedBytes,
      ),
      tcpCounter('istio_tcp_connections_opened_total', 'TCP connections opened', (s) => s.opened),
      tcpCounter('istio_tcp_connections_closed_total', 'TCP connections closed', (s) => s.closed),
    ];
    const clusterStat = (
      name: string,
      help: string,
      type: 'counter' | 'gauge',
      pick: (c: ClusterCounters) => number,
    ) =>
      family(name, help, envoyType(type, name, format), () =>
        clusters().map((c) => ({ labels: c.labels, value: pick(c) })),
      );
    families.push(
      clusterStat('envoy_cluster_upstream_rq_retry', 'Total request retries', 'counter', (c) => c.retry),
      clusterStat(
        'envoy_cluster_upstream_rq_retry_success',
        'Total request retry successes',
        'counter',
        (c) => c.retrySuccess,
      ),
      clusterStat(
        'envoy_cluster_upstream_rq_retry_overflow',
        'Total requests not retried due to circuit breaking or exceeding the retry budget',
        'counter',
        (c) => c.retryOverflow,
      ),
      clusterStat(
        'envoy_cluster_upstream_rq_retry_limit_exceeded',
        'Total requests not retried because max retries reached',
        'counter',
        (c) => c.retryLimitExceeded,
      ),
      clusterStat(
        'envoy_cluster_upstream_rq_pending_overflow',
        'Total requests that overflowed connection pool or requests (mainly for HTTP/2 and above) circuit breaking and were failed',
        'counter',
        (c) => c.pendingOverflow,
      ),
      clusterStat(
        'envoy_cluster_outlier_detection_ejections_enforced_total',
        'Number of enforced ejections due to any outlier type',
        'counter',
        (c) => c.ejectionsEnforced,
      ),
      clusterStat(
        'envoy_cluster_outlier_detection_ejections_active',
        'Number of currently ejected hosts',
        'gauge',
        (c) => c.ejectionsActive,
      ),
      clusterStat(
        'envoy_cluster_membership_healthy',
        'Current cluster healthy total',
        'gauge',
        (c) => c.membershipHealthy,
      ),
      clusterStat(
        'envoy_cluster_membership_total',
        'Current cluster membership total',
        'gauge',
        (c) => c.membershipTotal,
      ),
    );
    const endpointGauge = (name: string, help: string, pick: (e: EndpointState) => number) =>
      family(name, help, 'gauge', () =>
        this.endpoints.map((e) => ({
          labels: formatLabels({ cluster_name: e.cluster, endpoint: e.address }),
          value: pick(e),
        })),
      );
    families.push(
      endpointGauge('meshlens_endpoint_healthy', 'Whether the endpoint is healthy (1) or not (0)', (e) =>
        Number(e.healthy),
      ),
      endpointGauge('meshlens_endpoint_ejected', 'Whether outlier detection has ejected the endpoint', (e) =>
        Number(e.ejected),
      ),
      endpointGauge(
        'meshlens_endpoint_times_ejected',
        'How often outlier detection ejected the endpoint',
        (e) => e.timesEjected,
      ),
      endpointGauge(
        'meshlens_endpoint_active_requests',
        'Requests in flight to the endpoint',
        (e) => e.activeRequests,
      ),
      family(
        'meshlens_metric_series_overflow_total',
        `Requests counted in the overflow series (labels unknown) because the sidecar already had its maximum of ${this.maxSeries} series`,
        'counter',
        () => [{ labels: '', value: this.overflowed }],
      ),
    );
    return families;
  }
}

function family(name: string, help: string, type: FamilyType, samples: () => Iterable<Sample>): MetricFamily {
  return { name, help, type, samples };
}

function* mapIterable<T, U>(items: Iterable<T>, fn: (item: T) => U): Iterable<U> {
  for (const item of items) yield fn(item);
}

/** The labels of the overflow series: every Istio label `unknown` but the reporter. */
function overflowLabels(reporter: string): Labels {
  const labels: Labels = {};
  for (const name of ISTIO_LABELS) labels[name] = 'unknown';
  labels.reporter = reporter;
  return labels;
}

/**
 * OpenMetrics renames a counter's samples to `<name>_total`; Envoy's counters without that suffix would then
 * change their series name with the negotiated format. Typed `unknown` in OpenMetrics they keep Envoy's names.
 */
function envoyType(type: 'counter' | 'gauge', name: string, format: Format): FamilyType {
  return type === 'counter' && format === 'openmetrics' && !name.endsWith('_total') ? 'unknown' : type;
}

function histogramFamily(
  name: string,
  help: string,
  series: () => Iterable<RequestSeries>,
  which: 'duration' | 'requestBytes' | 'responseBytes',
): MetricFamily {
  const bucketName = `${name}_bucket`;
  return family(name, help, 'histogram', function* () {
    for (const s of series()) {
      const h = s[which];
      let cumulative = 0;
      for (let i = 0; i < ISTIO_BUCKETS.length; i++) {
        cumulative += h.counts[i] ?? 0;
        yield {
          name: bucketName,
          labels: `le="${ISTIO_BUCKETS[i]}",${s.labels}`,
          value: cumulative,
          exemplar: h.exemplars?.[i],
        };
      }
      yield {
        name: bucketName,
        labels: `le="+Inf",${s.labels}`,
        value: h.count,
        exemplar: h.exemplars?.[ISTIO_BUCKETS.length],
      };
      yield { name: `${name}_sum`, labels: s.labels, value: h.sum };
      yield { name: `${name}_count`, labels: s.labels, value: h.count };
    }
  });
}

function newHistogram(withExemplars: boolean): HistogramState {
  const h: HistogramState = { counts: new Array(ISTIO_BUCKETS.length + 1).fill(0), sum: 0, count: 0 };
  if (withExemplars) h.exemplars = new Array(ISTIO_BUCKETS.length + 1).fill(undefined);
  return h;
}

function newTcpSeries(labels: string): TcpSeries {
  return { labels, opened: 0, closed: 0, sentBytes: 0, receivedBytes: 0 };
}

function newSeries(labels: string, grpc: boolean): RequestSeries {
  return {
    labels,
    grpc,
    requestMessages: 0,
    responseMessages: 0,
    requests: 0,
    duration: newHistogram(true),
    requestBytes: newHistogram(false),
    responseBytes: newHistogram(false),
  };
}

/** Index of the first bucket whose upper bound holds `value`; the +Inf slot when none does. */
function bucketIndex(value: number): number {
  for (let i = 0; i < ISTIO_BUCKETS.length; i++) {
    if (value <= (ISTIO_BUCKETS[i] as number)) return i;
  }
  return ISTIO_BUCKETS.length;
}

/** Durations and sizes are never negative; a non-number would poison the sum. */
function sanitize(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}

function observe(h: HistogramState, value: number): void {
  const v = sanitize(value);
  const i = bucketIndex(v);
  h.counts[i] = (h.counts[i] ?? 0) + 1;
  h.sum += v;
  h.count += 1;
}

/**
 * Whether an Accept header prefers OpenMetrics over the Prometheus text format. Prometheus asks for
 * `application/openmetrics-text;version=1.0.0,...,text/plain;version=0.0.4;q=0.5,*\/*;q=0.1`.
 */
export function prefersOpenMetrics(accept: string | undefined): boolean {
  if (!accept) return false;
  let openMetricsQ = 0;
  let textQ = 0;
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(q)) continue;
    if (type === 'application/openmetrics-text') openMetricsQ = Math.max(openMetricsQ, q);
    else if (type === 'text/plain') textQ = Math.max(textQ, q);
  }
  return openMetricsQ > 0 && openMetricsQ >= textQ;
}

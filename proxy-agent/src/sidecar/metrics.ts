// The sidecar's metrics: Istio's standard metrics, Envoy's cluster stats and meshlens_ per-endpoint gauges,
// exposed with prom-client's Registry as Prometheus text, or as OpenMetrics with trace exemplars.
//
// Why not prom-client's own Counter/Histogram: each observe() validates and hashes all 25 Istio labels, and
// its exemplars exist only in an OpenMetrics registry. Here a request costs one short string key and one Map
// lookup; the series live in plain objects, and two prom-client Registries (one per format) render them.
import { type Metric, Registry, type RegistryContentType } from 'prom-client';
import type {
  ClusterStats,
  EndpointState,
  RequestRecord,
  ServiceIdentity,
  SidecarMetricsApi,
  WorkloadIdentity,
} from './telemetry-types';

/** Istio's default buckets, shared by the duration (ms) and the size (bytes) histograms. */
export const ISTIO_BUCKETS: readonly number[] = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000,
  3600000,
];

export const PROMETHEUS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;
export const OPENMETRICS_CONTENT_TYPE = Registry.OPENMETRICS_CONTENT_TYPE;

/** Istio's cluster id when none is configured (what `source_cluster` / `destination_cluster` say). */
export const DEFAULT_CLUSTER_ID = 'Kubernetes';

export interface SidecarMetricsOptions {
  /** Istio cluster id for `source_cluster` / `destination_cluster` (default `Kubernetes`). */
  clusterId?: string;
}

type Labels = Record<string, string>;

interface Exemplar {
  labelSet: Labels;
  value: number;
  timestamp: number;
}

interface HistogramState {
  /** Per-bucket (not cumulative) counts; the last slot is +Inf. */
  counts: number[];
  sum: number;
  count: number;
  /** Latest exemplar per bucket (duration histogram only). */
  exemplars?: (Exemplar | undefined)[];
}

interface RequestSeries {
  labels: Labels;
  requests: number;
  duration: HistogramState;
  requestBytes: HistogramState;
  responseBytes: HistogramState;
}

interface ClusterCounters {
  labels: Labels;
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

/** One sample as prom-client's Registry renders it (lib/registry.js). */
interface RenderedSample {
  metricName?: string;
  labels: Record<string, string | number>;
  sharedLabels?: Labels;
  value: number;
  exemplar?: Exemplar | null;
}

type Format = 'prometheus' | 'openmetrics';
type FamilyType = 'counter' | 'gauge' | 'histogram' | 'unknown';

/**
 * A metric family rendered by prom-client's Registry from our own series. The Registry reads only
 * `name`, `type`, `get()`/`getForPromString()` and `reset()` of a metric.
 */
class Family {
  readonly aggregator = 'sum';
  constructor(
    public name: string,
    readonly help: string,
    readonly type: FamilyType,
    private readonly samples: () => RenderedSample[],
  ) {}

  async getForPromString() {
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      values: this.samples(),
      aggregator: this.aggregator,
    };
  }

  async get() {
    const data = await this.getForPromString();
    const values = data.values.map(({ sharedLabels, ...sample }) => ({
      ...sample,
      labels: { ...sample.labels, ...sharedLabels },
    }));
    return { ...data, values };
  }

  reset(): void {}
}

export class SidecarMetrics implements SidecarMetricsApi {
  private readonly clusterId: string;
  private readonly series = new Map<string, RequestSeries>();
  private readonly clusters = new Map<string, { counters: ClusterCounters; api: ClusterStats }>();
  private endpoints: readonly EndpointState[] = [];
  /** Identity objects → short interned ids, so a record's key is a few short strings. */
  private readonly identityIds = new WeakMap<object, string>();
  private readonly identityIdsByValue = new Map<string, string>();
  private readonly registries: Record<Format, Registry<RegistryContentType>>;

  constructor(options: SidecarMetricsOptions = {}) {
    this.clusterId = options.clusterId ?? DEFAULT_CLUSTER_ID;
    this.registries = {
      prometheus: this.buildRegistry('prometheus'),
      openmetrics: this.buildRegistry('openmetrics'),
    };
  }

  recordRequest(record: RequestRecord): void {
    const key = `${record.reporter}|${this.workloadId(record.source)}|${this.workloadId(record.destination)}|${this.serviceId(record.destinationService)}|${record.requestProtocol}|${record.responseCode}|${record.responseFlags}`;
    let series = this.series.get(key);
    if (series === undefined) {
      series = newSeries(this.labelsOf(record));
      this.series.set(key, series);
    }
    const durationMs = sanitize(record.durationMs);
    series.requests += 1;
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

  cluster(clusterName: string): ClusterStats {
    const existing = this.clusters.get(clusterName);
    if (existing !== undefined) return existing.api;
    const c: ClusterCounters = {
      labels: { cluster_name: clusterName },
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

  async render(acceptHeader: string | undefined): Promise<{ contentType: string; body: string }> {
    const format: Format = prefersOpenMetrics(acceptHeader) ? 'openmetrics' : 'prometheus';
    const registry = this.registries[format];
    return { contentType: registry.contentType, body: await registry.metrics() };
  }

  private workloadId(w: WorkloadIdentity): string {
    return this.intern(
      w,
      () =>
        `w\u0000${w.workload}\u0000${w.namespace}\u0000${w.app}\u0000${w.version}\u0000${w.canonicalService}\u0000${w.canonicalRevision}\u0000${w.principal}`,
    );
  }

  private serviceId(s: ServiceIdentity): string {
    return this.intern(s, () => `s\u0000${s.service}\u0000${s.serviceName}\u0000${s.serviceNamespace}`);
  }

  /**
   * Identity objects are usually reused by the request path, so the WeakMap hit is the common case; a
   * fresh object with known values costs one field join. Callers must not mutate an identity after use.
   */
  private intern(identity: object, valueKey: () => string): string {
    const known = this.identityIds.get(identity);
    if (known !== undefined) return known;
    const value = valueKey();
    let id = this.identityIdsByValue.get(value);
    if (id === undefined) {
      id = String(this.identityIdsByValue.size);
      this.identityIdsByValue.set(value, id);
    }
    this.identityIds.set(identity, id);
    return id;
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
      grpc_response_status: '',
      response_flags: r.responseFlags,
      // No mTLS in this mesh: the callee's proxy knows the connection was plain text.
      connection_security_policy: r.reporter === 'source' ? 'unknown' : 'none',
    };
  }

  private buildRegistry(format: Format): Registry<RegistryContentType> {
    const registry = new Registry<RegistryContentType>();
    registry.setContentType(format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_CONTENT_TYPE);
    for (const family of this.families(format)) {
      // prom-client's typings accept only its own metric classes; its Registry needs only what Family has.
      registry.registerMetric(family as unknown as Metric);
    }
    return registry;
  }

  private families(format: Format): Family[] {
    const series = () => this.series.values();
    const clusters = () => Array.from(this.clusters.values(), (c) => c.counters);
    const families = [
      new Family(
        'istio_requests_total',
        'Requests handled by the sidecar, by Istio standard labels',
        'counter',
        () => Array.from(series(), (s) => ({ labels: s.labels, value: s.requests })),
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
    ];
    const clusterStat = (
      name: string,
      help: string,
      type: 'counter' | 'gauge',
      pick: (c: ClusterCounters) => number,
    ) =>
      new Family(name, help, envoyType(type, name, format), () =>
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
      new Family(name, help, 'gauge', () =>
        this.endpoints.map((e) => ({
          labels: { cluster_name: e.cluster, endpoint: e.address },
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
    );
    return families;
  }
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
): Family {
  const bucketName = `${name}_bucket`;
  return new Family(name, help, 'histogram', () => {
    const out: RenderedSample[] = [];
    for (const s of series()) {
      const h = s[which];
      let cumulative = 0;
      for (let i = 0; i < ISTIO_BUCKETS.length; i++) {
        cumulative += h.counts[i] ?? 0;
        out.push({
          metricName: bucketName,
          labels: { le: ISTIO_BUCKETS[i] ?? 0 },
          sharedLabels: s.labels,
          value: cumulative,
          exemplar: h.exemplars?.[i] ?? null,
        });
      }
      out.push(
        {
          metricName: bucketName,
          labels: { le: '+Inf' },
          sharedLabels: s.labels,
          value: h.count,
          exemplar: h.exemplars?.[ISTIO_BUCKETS.length] ?? null,
        },
        { metricName: `${name}_sum`, labels: {}, sharedLabels: s.labels, value: h.sum },
        { metricName: `${name}_count`, labels: {}, sharedLabels: s.labels, value: h.count },
      );
    }
    return out;
  });
}

function newHistogram(withExemplars: boolean): HistogramState {
  const h: HistogramState = { counts: new Array(ISTIO_BUCKETS.length + 1).fill(0), sum: 0, count: 0 };
  if (withExemplars) h.exemplars = new Array(ISTIO_BUCKETS.length + 1).fill(undefined);
  return h;
}

function newSeries(labels: Labels): RequestSeries {
  return {
    labels,
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

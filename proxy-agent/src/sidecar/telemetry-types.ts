// The contract between the sidecar's request path (outbound.ts, inbound.ts) and its telemetry
// (metrics.ts, tracing.ts): what a hop reports, in Istio's and Envoy's vocabulary.

/** Who a workload is, as Istio labels it. Unknown values are 'unknown'. */
export interface WorkloadIdentity {
  workload: string;
  namespace: string;
  app: string;
  version: string;
  /** Istio canonical service / revision (app / version, or 'latest' when there is no version). */
  canonicalService: string;
  canonicalRevision: string;
  /** SPIFFE id (`spiffe://cluster.local/ns/<ns>/sa/<sa>`) when the connection was mTLS, else 'unknown'. */
  principal: string;
}

/** The service a request went to. */
export interface ServiceIdentity {
  /** FQDN (`reviews.default.svc.cluster.local`), or the external host itself (`httpbin.org`). */
  service: string;
  serviceName: string;
  /** 'unknown' for a host outside the mesh. */
  serviceNamespace: string;
}

/** One finished request, as one reporter saw it: becomes one sample of each Istio standard metric. */
export interface RequestRecord {
  reporter: 'source' | 'destination';
  source: WorkloadIdentity;
  /** The workload that answered (unknown fields 'unknown', e.g. external services, no upstream reached). */
  destination: WorkloadIdentity;
  destinationService: ServiceIdentity;
  requestProtocol: 'http' | 'grpc';
  /** The destination reporter's view of the connection (Istio: the source reporter always says unknown). */
  connectionSecurityPolicy?: 'mutual_tls' | 'none';
  /** 0 when no response was received. */
  responseCode: number;
  /** gRPC calls: the grpc-status of the answer (trailers or trailers-only); the label is empty otherwise. */
  grpcStatus?: number;
  /** gRPC calls: messages sent by the client and by the server (istio_request/response_messages_total). */
  requestMessages?: number;
  responseMessages?: number;
  /** Envoy response flags joined with ',' (`UT,URX`), or '-' when none applies. */
  responseFlags: string;
  durationMs: number;
  requestBytes: number;
  responseBytes: number;
  /** Attached as an OpenMetrics exemplar to the duration histogram when the request was sampled. */
  traceId?: string;
  spanId?: string;
}

/** Envoy cluster stats for `outbound|<port>|<subset>|<service FQDN>`. */
export interface ClusterStats {
  retry(): void;
  retrySuccess(): void;
  retryOverflow(): void;
  retryLimitExceeded(): void;
  pendingOverflow(): void;
  ejectionEnforced(): void;
  setEjectionsActive(n: number): void;
  setMembership(healthy: number, total: number): void;
}

/** Per-endpoint state Envoy keeps only in its admin API; exported under the `meshlens_` prefix. */
export interface EndpointState {
  cluster: string;
  /** `host:port` of the endpoint. */
  address: string;
  healthy: boolean;
  ejected: boolean;
  timesEjected: number;
  activeRequests: number;
}

/** A metrics exposition: its content type, and its text in chunks (written as they come). */
export interface Exposition {
  contentType: string;
  chunks: AsyncIterable<string>;
}

/** One TCP connection's labels, as one reporter sees it (Istio's TCP label set: no response code). */
export interface TcpRecord {
  reporter: 'source' | 'destination';
  source: WorkloadIdentity;
  destination: WorkloadIdentity;
  destinationService: ServiceIdentity;
  connectionSecurityPolicy?: 'mutual_tls' | 'none';
  /** '-' while the connection is fine; the flags (UF, UO, ...) when it closes with one. */
  responseFlags: string;
}

/** The counters of one TCP label set; a connection adds to them as bytes flow (live, not at close). */
export interface TcpCounters {
  opened: number;
  closed: number;
  /** Bytes sent to the downstream (the response direction), and received from it (the request direction). */
  sentBytes: number;
  receivedBytes: number;
}

export interface SidecarMetricsApi {
  recordRequest(record: RequestRecord): void;
  /** The counters of a TCP label set (the overflow series' past the series cap). */
  tcp(record: TcpRecord): TcpCounters;
  cluster(clusterName: string): ClusterStats;
  /** Replaces the per-endpoint gauges (called when outlier detection or membership changes). */
  setEndpoints(endpoints: readonly EndpointState[]): void;
  /** The exposition: Prometheus text by default, OpenMetrics (with exemplars) when asked for by Accept. */
  exposition(acceptHeader: string | undefined): Exposition;
}

/** B3 context read from incoming headers. */
export interface B3Context {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  /** undefined: no sampling decision in the headers (the sidecar decides). */
  sampled?: boolean;
  debug?: boolean;
}

/** One retry attempt or try of an upstream request, recorded on the client span. */
export interface AttemptRecord {
  attempt: number;
  /** `host:port` the attempt went to. */
  endpoint: string;
  /** 0 when no response was received. */
  statusCode: number;
  responseFlags: string;
  durationMs: number;
}

export interface HopSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly sampled: boolean;
  /** B3 multi-headers to send to the next hop (or to the local app, for a server span). */
  b3Headers(): Record<string, string>;
  setAttribute(key: string, value: string | number | boolean): void;
  addAttempt(attempt: AttemptRecord): void;
  /** Ends the span: `http.status_code`, `response_flags`, and error status for 5xx / code 0 / flags. */
  end(result: { statusCode: number; responseFlags: string; error: boolean }): void;
}

export interface SpanStart {
  /** Operation name, e.g. `reviews.default.svc.cluster.local:9080/*` as Istio names sidecar spans. */
  name: string;
  method: string;
  url: string;
  /** Upstream cluster for client spans (`outbound|9080|v2|reviews.default.svc.cluster.local`). */
  upstreamCluster?: string;
  peerService?: string;
  /** `peer.address` as Envoy sets it: the downstream caller's `ip:port` on a server span, the endpoint on a client span. */
  peerAddress?: string;
}

export interface SidecarTracerApi {
  /** Server span at the callee's sidecar: continues the incoming B3 context, or starts a new trace. */
  startServerSpan(incoming: Record<string, string | string[] | undefined>, start: SpanStart): HopSpan;
  /** Client span at the caller's sidecar: a child of the B3 context the local app forwarded. */
  startClientSpan(incoming: Record<string, string | string[] | undefined>, start: SpanStart): HopSpan;
  /** Flushes queued spans (bounded wait) and stops exporting. */
  shutdown(): Promise<void>;
}

// The Proxy tab's JSON: what `istioctl proxy-config` shows of one workload instance's sidecar, read from
// its admin port and parsed by ./parse.ts. One definition for the route handler and the components.

export const PROXY_VIEWS = ['routes', 'clusters', 'listeners', 'secrets', 'log'] as const;
export type ProxyView = (typeof PROXY_VIEWS)[number];

export interface RouteRow {
  /** The route config (Envoy's RDS name: the port). */
  routeConfig: string;
  virtualHost: string;
  domains: string[];
  /** The match in words: `prefix /api`, `path /x`, `regex ^/a.*`, plus headers. */
  match: string;
  name: string;
  /** The clusters the route sends to, with their weights (100 for a single cluster). */
  destinations: { cluster: string; weight: number }[];
  timeout: string;
  retries: string;
}

export interface EndpointRow {
  address: string;
  healthy: boolean;
  ejected: boolean;
  /** ISO time the ejection ends; null when not ejected. */
  ejectedUntil: string | null;
  timesEjected: number;
  activeRequests: number;
}

export interface ClusterRow {
  name: string;
  /** From `outbound|port|subset|fqdn`, empty for others. */
  direction: string;
  port: string;
  subset: string;
  host: string;
  lbPolicy: string;
  /** `consecutive 5xx 3, interval 5s, base ejection 20s, max 10 %`; empty without outlier detection. */
  outlierDetection: string;
  tls: string;
  activeRequests: number;
  pendingRequests: number;
  endpoints: EndpointRow[];
}

export interface ListenerRow {
  name: string;
  address: string;
  port: number;
  /** The filter chain's match in words: `port 9080`, `TLS`, `plaintext`. */
  match: string;
  /** Where the chain sends: `Route: 9080`, `Cluster: outbound|…`, `inbound|9080||`. */
  destination: string;
}

export interface CertificateRow {
  /** `default` (the workload certificate) or `ROOTCA`, as `istioctl proxy-config secret` names them. */
  name: 'default' | 'ROOTCA';
  spiffeId: string;
  subject: string;
  issuer: string;
  serialNumber: string;
  validFrom: string;
  expirationTime: string;
  daysUntilExpiration: number;
  /** Seconds until the sidecar renews (the workload certificate only). */
  secondsToRenewal?: number;
}

export interface AccessLogRow {
  startTime: string;
  direction: string;
  method: string;
  path: string;
  protocol: string;
  responseCode: number;
  /** The call's `grpc-status` (`0`–`16`), or undefined when the entry is no gRPC call. */
  grpcStatus?: number;
  /** A TCP connection (Envoy's tcp_proxy entry: no method, path, protocol or response code). */
  tcp: boolean;
  responseFlags: string;
  bytesReceived: number;
  bytesSent: number;
  durationMs: number;
  upstreamHost: string;
  upstreamCluster: string;
  authority: string;
  requestId: string;
  /** The sampled trace's id (32 or 16 hex), undefined when the request was not sampled. */
  traceId?: string;
}

/** A workload instance whose sidecar the dashboard may read (from its WorkloadEntry). */
export interface ProxyInstance {
  name: string;
  address: string;
  healthy: boolean | undefined;
}

export type ProxyViewData =
  | { view: 'routes'; routes: RouteRow[] }
  | { view: 'clusters'; clusters: ClusterRow[] }
  | { view: 'listeners'; listeners: ListenerRow[] }
  | { view: 'secrets'; certificates: CertificateRow[]; mtlsMode?: string }
  | { view: 'log'; entries: AccessLogRow[]; capacity: number; total: number };

/** The route handler's answer: the instances, the one read, and its view. */
export interface ProxyAnswer {
  namespace: string;
  workload: string;
  instances: ProxyInstance[];
  instance: string;
  /** The view, or why this instance's sidecar could not be read (the instances still listed to pick another). */
  result: { ok: true; data: ProxyViewData } | { ok: false; message: string };
}

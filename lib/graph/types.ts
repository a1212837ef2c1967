// The graph's JSON: Kiali's cytoscape element shape ({timestamp, duration, graphType, elements}) with
// Meshlens' additions (numeric rates, p50/p95/p99, health, live badges). One definition for the route
// handlers and the page.

export const GRAPH_TYPES = ['versionedApp', 'app', 'workload', 'service'] as const;
export type GraphType = (typeof GRAPH_TYPES)[number];

export type NodeType = 'app' | 'workload' | 'service' | 'box' | 'unknown';
export type Health = 'healthy' | 'degraded' | 'failure' | 'idle';
export type Reporter = 'source' | 'destination';
/** A workload's or namespace's effective PeerAuthentication mode (UNSET resolved). */
export type PeerMode = 'STRICT' | 'PERMISSIVE' | 'DISABLE';

/** Percentiles in milliseconds, over 2xx responses; undefined where no 2xx response was seen. */
export interface Latency {
  p50?: number;
  p95?: number;
  p99?: number;
}

/** Per response code: which response flags and which destination hosts, each as % of the element's requests. */
export type Responses = Record<string, { flags: Record<string, number>; hosts: Record<string, number> }>;

/** Requests per second by class: total, 4xx, 5xx, no response (code 0). */
export interface RateBreakdown {
  total: number;
  http4xx: number;
  http5xx: number;
  noResponse: number;
}

export interface CanaryBadge {
  host: string;
  weights: { host: string; subset?: string; weight: number }[];
}
export interface RetryBadge {
  attempts: number;
  perTryTimeout?: string;
  retryOn?: string;
}
export interface FaultBadge {
  delayPercent?: number;
  fixedDelay?: string;
  abortPercent?: number;
  abortHttpStatus?: number;
}
export interface CircuitBreakerBadge {
  outlierDetection?: {
    consecutive5xxErrors?: number;
    consecutiveGatewayErrors?: number;
    interval?: string;
    baseEjectionTime?: string;
    maxEjectionPercent?: number;
  };
  connectionPool?: {
    maxConnections?: number;
    http1MaxPendingRequests?: number;
    maxRequestsPerConnection?: number;
  };
}

/** Live Envoy cluster stats for a service: numbers when the sidecars export them, else `reported: false`. */
export type EnvoyLive =
  | { reported: false }
  | {
      reported: true;
      /** Endpoints currently ejected by outlier detection (sum over the calling sidecars). */
      ejectionsActive?: number;
      /** Retries per second attempted towards the service. */
      retryRate?: number;
      retrySuccessRate?: number;
      retryOverflowRate?: number;
      pendingOverflowRate?: number;
    };

export interface Badges {
  canary?: CanaryBadge;
  retries?: RetryBadge;
  fault?: FaultBadge;
  circuitBreaker?: CircuitBreakerBadge;
  live?: EnvoyLive;
}

/** A Sidecar resource's egress scope as it applies to one workload. */
export interface EgressScope {
  /** `namespace/name` of the Sidecar resource. */
  sidecar: string;
  /** How it applies: by workload selector, to its namespace, or mesh-wide (root namespace). */
  appliesBy: 'workload' | 'namespace' | 'mesh';
  /** Istio `namespace/dnsName` hosts the proxy may reach. */
  hosts: string[];
  outboundTrafficPolicy?: 'ALLOW_ANY' | 'REGISTRY_ONLY';
}

export interface NodeData {
  id: string;
  parent?: string;
  nodeType: NodeType;
  namespace: string;
  workload?: string;
  app?: string;
  version?: string;
  service?: string;
  /** The service's host as Istio names it (`reviews.default.svc.cluster.local`, `httpbin.org`). */
  serviceHost?: string;
  /** Kiali's box marker: `app` on an app box (a compound node holding the versions). */
  isBox?: 'app';
  /** ServiceEntry location for an external or mesh-internal host declared by a ServiceEntry. */
  isServiceEntry?: 'MESH_EXTERNAL' | 'MESH_INTERNAL';
  /** Kiali's PassthroughCluster / BlackHoleCluster node: traffic to hosts the registry does not know. */
  isEgressCluster?: boolean;
  /** An egress gateway (a gateway proxy without an app, the mesh's exit). */
  isEgressGateway?: boolean;
  /** The Sidecar resource limiting what this workload's proxy may reach, when one applies. */
  egressScope?: EgressScope;
  destServices?: { namespace: string; name: string }[];
  /** No inbound edges: where traffic starts. */
  isRoot?: boolean;
  /** In a namespace that was not asked for (shown because it talks to one that was). */
  isOutside?: boolean;
  hasVS?: boolean;
  hasCB?: boolean;
  traffic?: { protocol: string; rates: Record<string, number> }[];
  /** Inbound requests per second and their classes. */
  rpsIn: number;
  rpsOut: number;
  inbound: RateBreakdown;
  /** (4xx + 5xx + code 0) / total inbound, 0..1. */
  errorRate: number;
  responses: Responses;
  latency: Latency;
  health: Health;
  badges: Badges;
}

export interface EdgeData {
  id: string;
  source: string;
  target: string;
  protocol: string;
  /**
   * Which proxy's series the edge's numbers come from (per caller, source preferred, never both);
   * `mixed` on an edge that aggregates callers of both kinds (a service into its workloads).
   */
  reporter: Reporter | 'mixed';
  rps: number;
  rates: RateBreakdown;
  errorRate: number;
  /** % of the source node's outbound requests on this edge, 0..100. */
  percentReq: number;
  /** p95 in ms (Kiali's `responseTime`). */
  responseTime?: number;
  latency: Latency;
  /** % of the requests (destination-reported) that used mutual TLS; undefined when unknown. */
  isMTLS?: number;
  /** TCP bytes per second (Kiali's `tcp` rate), on edges that carry TCP; never in `rps`. */
  tcp?: number;
  /** Kiali's principals: the SPIFFE ids of caller and destination, when the destination reported them. */
  sourcePrincipal?: string;
  destPrincipal?: string;
  /** TLS originated by the caller's proxy toward an external host (DestinationRule `tls.mode`). */
  tlsOrigination?: 'SIMPLE' | 'MUTUAL';
  /** Why some of the edge's traffic was refused by the caller's proxy (NR, BlackHoleCluster), in words. */
  refusal?: string;
  /** Set when traffic that should be mTLS is not (plaintext into a workload that accepts it): why, in words. */
  mtlsWarning?: string;
  health: Health;
  traffic: {
    protocol: string;
    rates: Record<string, number>;
    responses: Responses;
  };
  badges: Badges;
}

export interface GraphWarning {
  code: 'control_plane_unavailable' | 'envoy_stats_unavailable' | 'latency_unavailable';
  message: string;
}

export interface Graph {
  /** Unix seconds the graph was taken at (the queryTime). */
  timestamp: number;
  /** Seconds of the rate window. */
  duration: number;
  graphType: GraphType;
  elements: { nodes: { data: NodeData }[]; edges: { data: EdgeData }[] };
  warnings: GraphWarning[];
  /** Set when latency was not asked for (`latency=false`): every `latency` is empty, not unknown. */
  latency?: 'omitted';
  /**
   * Unix seconds the latency (p50/p95/p99) was read at. A live graph reuses a reading up to a minute old
   * while a newer one is read in the background (see `lib/graph/latency-cache.ts`); rates and codes are
   * always read at `timestamp`.
   */
  latencyTime?: number;
  /**
   * The effective mTLS mode of each namespace of the graph (its namespace-wide PeerAuthentication, else
   * the mesh-wide one, else Istio's PERMISSIVE); absent when the mesh config was not read.
   */
  namespaceMtls?: Record<string, PeerMode>;
  /**
   * Set on a graph drawn grouped (namespaces or apps as one node each, see `components/graph/aggregate.ts`):
   * the grouping and the size of the graph it stands for. The graph page's first answer for a very large
   * mesh is such a graph (see `lib/graph/load-graph.ts`); the API never answers one.
   */
  aggregateOf?: { by: 'namespace' | 'app'; nodes: number; edges: number };
}

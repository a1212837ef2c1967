// Live state of each upstream cluster across config swaps: its endpoints with their connection pools and
// active requests, outlier detection, the circuit breaker and the load balancer's position. A new config
// updates the clusters by name; endpoints that stay keep their pool and their ejection history.

import type { Socket } from 'node:net';
import {
  CircuitBreaker,
  type ConnectionPoolPolicy,
  type OVERFLOW,
  type PendingSlot,
  UNLIMITED,
} from './circuit-breaker';
import { FastPool } from './fast-pool';
import { type LbState, pickEndpoint } from './load-balancer';
import type { ClusterConfig, EndpointConfig, MeshModel } from './mesh-model';
import { type HostResult, OutlierDetector } from './outlier-detection';
import type { ClusterStats, EndpointState, SidecarMetricsApi, WorkloadIdentity } from './telemetry-types';
import { Pool } from './upstream-pool';
import { planKey, type TransportPlan, transportPlan, UpstreamTls } from './upstream-tls';
import type { WorkloadTls } from './workload-tls';

export interface EndpointRuntime {
  config: EndpointConfig;
  /** How it is reached: plaintext, Istio mTLS, or TLS with the DestinationRule's files. */
  readonly plan: TransportPlan;
  readonly planKey: string;
  /** The TLS side of its connections; undefined for plaintext. */
  readonly tls: UpstreamTls | undefined;
  /** Istio mTLS: peer metadata may be sent, and the peer's principal is known. */
  readonly mtls: boolean;
  /** The workload as the source reporter labels it (its principal once a handshake showed it). */
  destination: WorkloadIdentity;
  /** undici's pool: requests whose body is a stream. */
  readonly pool: Pool;
  /** The fast path's connections: requests whose body is buffered (all outbound ones). */
  readonly fast: FastPool;
  activeRequests: number;
}

/** What a retired endpoint leaves to close once idle. */
interface Closable {
  close(): Promise<void>;
}

function samePoolPolicy(a: ConnectionPoolPolicy, b: ConnectionPoolPolicy): boolean {
  return (
    a.maxConnections === b.maxConnections &&
    a.maxRequestsPerConnection === b.maxRequestsPerConnection &&
    a.connectTimeoutMs === b.connectTimeoutMs &&
    a.idleTimeoutMs === b.idleTimeoutMs
  );
}

/**
 * How long an idle upstream connection is kept when the DestinationRule sets no `idleTimeout`. Short, so
 * that the connections a burst opened close soon after (each costs memory in every sidecar), and below
 * the 5 s keep-alive of Node servers, so the pool, not the server, closes an idle connection (no reuse race).
 */
export const DEFAULT_IDLE_TIMEOUT_MS = 4_000;

/** undici's connector over the endpoint's TLS: its socket once the handshake is done. */
function tlsConnector(tls: UpstreamTls) {
  return (_opts: unknown, callback: (...args: [null, Socket] | [Error, null]) => void) => {
    const socket = tls.connect();
    let done = false;
    const onError = (err: Error & { handshake?: boolean }) => {
      if (done) return;
      done = true;
      err.handshake = true;
      callback(err, null);
    };
    socket.once('error', onError);
    socket.once('secureConnect', () => {
      if (done) return;
      done = true;
      socket.off('error', onError);
      callback(null, socket);
    });
    return socket;
  };
}

export function createPool(e: EndpointConfig, policy: ConnectionPoolPolicy, tls?: UpstreamTls): Pool {
  const idle = policy.idleTimeoutMs > 0 ? policy.idleTimeoutMs : DEFAULT_IDLE_TIMEOUT_MS;
  return new Pool(`${tls ? 'https' : 'http'}://${e.host}:${e.port}`, {
    ...(tls ? { connect: tlsConnector(tls) } : {}),
    connections: policy.maxConnections >= UNLIMITED ? null : policy.maxConnections,
    pipelining: 1,
    connectTimeout: policy.connectTimeoutMs,
    // Timeouts are the route's business (UT), not the pool's.
    headersTimeout: 0,
    bodyTimeout: 0,
    // The idle time caps the server's `Keep-Alive: timeout` hint too (undici would otherwise keep a
    // connection to a sidecar's inbound listener for its 60 s).
    keepAliveTimeout: idle,
    keepAliveMaxTimeout: idle,
    ...(policy.maxRequestsPerConnection > 0 ? { maxRequestsPerClient: policy.maxRequestsPerConnection } : {}),
  });
}

/**
 * Requests in flight at most on one connection pipelined to a mesh sidecar's inbound listener: bounds how
 * long a slow response holds up the requests written behind it.
 */
export const SIDECAR_PIPELINE_DEPTH = 8;

/**
 * How deep requests to an endpoint may be pipelined: only to an endpoint the mesh model says runs a sidecar
 * (its `security.istio.io/tlsMode: istio` label, as Istio's injector sets it and auto-mTLS reads it), over
 * plaintext or Istio mTLS (the sidecar's own listener, which answers pipelined requests in order). Plain
 * upstreams (an app, an external service, TLS a DestinationRule originates) get one request at a time.
 */
export function pipelineDepthFor(e: EndpointConfig, plan: TransportPlan): number {
  return e.sidecar && (plan.kind === 'plaintext' || plan.kind === 'istio-mutual')
    ? SIDECAR_PIPELINE_DEPTH
    : 1;
}

export function createFastPool(
  e: EndpointConfig,
  policy: ConnectionPoolPolicy,
  tls?: UpstreamTls,
  pipelineDepth = 1,
): FastPool {
  return new FastPool({
    pipelineDepth,
    ...(tls ? { connectTls: () => tls.connect() } : {}),
    host: e.host,
    port: e.port,
    maxConnections: policy.maxConnections,
    connectTimeoutMs: policy.connectTimeoutMs,
    idleTimeoutMs: policy.idleTimeoutMs > 0 ? policy.idleTimeoutMs : DEFAULT_IDLE_TIMEOUT_MS,
    maxRequestsPerConnection: policy.maxRequestsPerConnection,
  });
}

export class ClusterRuntime {
  config: ClusterConfig;
  readonly breaker: CircuitBreaker;
  readonly stats: ClusterStats;
  /** Retries in progress (their back-off included), against the pool's maxRetries. */
  activeRetries = 0;
  private outlier: OutlierDetector | undefined;
  private endpoints = new Map<string, EndpointRuntime>();
  private available: EndpointRuntime[] = [];
  /** Epoch ms at which an ejection ends and `available` must be recomputed; Infinity: none pending. */
  private recomputeAt = Number.POSITIVE_INFINITY;
  private readonly lb: LbState = { next: 0 };

  constructor(
    config: ClusterConfig,
    metrics: SidecarMetricsApi,
    private readonly onChange: () => void,
    private readonly workloadTls: WorkloadTls | undefined,
  ) {
    this.config = config;
    this.breaker = new CircuitBreaker(config.pool);
    this.stats = metrics.cluster(config.name);
    this.update(config);
  }

  /** Takes a new config for this cluster; returns the pools no longer used (to close once idle). */
  update(config: ClusterConfig): Closable[] {
    const retired: Closable[] = [];
    const samePolicy = samePoolPolicy(this.config.pool, config.pool);
    this.config = config;
    this.breaker.setPolicy(config.pool);
    const next = new Map<string, EndpointRuntime>();
    const trustDomain = this.workloadTls?.trustDomain;
    const facts = { tls: config.tls, istioSni: config.istioSni, host: config.serviceFqdn };
    for (const e of config.endpoints) {
      const old = this.endpoints.get(e.key);
      const plan = transportPlan(facts, e, trustDomain);
      const key = planKey(plan);
      if (
        old &&
        samePolicy &&
        old.config.host === e.host &&
        old.planKey === key &&
        // Whether requests to it are pipelined (pipelineDepthFor) is fixed with its pool.
        old.config.sidecar === e.sidecar
      ) {
        // The same object: in-flight requests keep counting on it.
        old.config = e;
        if (old.destination.principal === 'unknown') old.destination = e.identity;
        else old.destination = { ...e.identity, principal: old.destination.principal };
        next.set(e.key, old);
        this.endpoints.delete(e.key);
      } else next.set(e.key, this.endpointRuntime(e, config.pool, plan, key));
    }
    for (const gone of this.endpoints.values()) retired.push(gone.pool, gone.fast);
    this.endpoints = next;
    if (config.outlier) {
      if (this.outlier) this.outlier.setHosts(next.keys(), config.outlier);
      else this.outlier = new OutlierDetector(config.outlier, next.keys());
    } else this.outlier = undefined;
    this.recompute(Date.now());
    return retired;
  }

  private endpointRuntime(
    e: EndpointConfig,
    policy: ConnectionPoolPolicy,
    plan: TransportPlan,
    key: string,
  ): EndpointRuntime {
    const rt: EndpointRuntime = {
      config: e,
      plan,
      planKey: key,
      tls: undefined,
      mtls: plan.kind === 'istio-mutual',
      destination: e.identity,
      pool: undefined as unknown as Pool,
      fast: undefined as unknown as FastPool,
      activeRequests: 0,
    };
    const tls =
      plan.kind === 'plaintext'
        ? undefined
        : new UpstreamTls(plan, e.host, e.port, this.workloadTls, (principal) => {
            // A new identity object only when the peer's principal changes (metrics intern identities).
            if (plan.kind === 'istio-mutual') rt.destination = { ...rt.config.identity, principal };
          });
    Object.assign(rt, {
      tls,
      pool: createPool(e, policy, tls),
      fast: createFastPool(e, policy, tls, pipelineDepthFor(e, plan)),
    });
    return rt;
  }

  /** An endpoint that may take a request, avoiding `tried` ones when others exist; undefined: UH. */
  pick(tried: ReadonlySet<EndpointRuntime> | undefined, now: number): EndpointRuntime | undefined {
    if (now >= this.recomputeAt) this.recompute(now);
    const candidates = this.available;
    const choice = pickEndpoint(candidates, this.config.lb, this.lb, Math.random);
    if (choice === undefined || tried === undefined || candidates.length <= tried.size) return choice;
    // Envoy's previous_hosts retry predicate: re-pick up to 5 times to reach an endpoint not tried yet.
    let e: EndpointRuntime | undefined = choice;
    for (let i = 0; i < 5 && e !== undefined && tried.has(e); i++)
      e = pickEndpoint(candidates, this.config.lb, this.lb, Math.random);
    return e;
  }

  /**
   * The time pick and recordResult need: Date.now() in a cluster with outlier detection; 0 without, where
   * nothing depends on the time (no endpoint is ever ejected), so the clock (~0.1 µs a read) is not read.
   */
  outlierClock(): number {
    return this.outlier === undefined ? 0 : Date.now();
  }

  /** Feeds outlier detection with a try's result; true when it ejected the endpoint. */
  recordResult(e: EndpointRuntime, result: HostResult, now: number): boolean {
    if (this.outlier === undefined) return false;
    if (!this.outlier.record(e.config.key, result, now)) return false;
    this.stats.ejectionEnforced();
    this.recompute(now);
    this.onChange();
    return true;
  }

  /** Returns endpoints whose ejection ended; true when anything changed. */
  sweep(now: number): boolean {
    if (this.outlier === undefined || this.outlier.sweep(now).length === 0) return false;
    this.recompute(now);
    return true;
  }

  endpointStates(now: number): Array<EndpointState & { ejectedUntil: number }> {
    return [...this.endpoints.values()].map((e) => {
      const s = this.outlier?.state(e.config.key);
      const ejected = s !== undefined && s.ejectedUntil > now;
      return {
        cluster: this.config.name,
        address: e.config.key,
        healthy: e.config.healthy,
        ejected,
        ejectedUntil: ejected ? (s as { ejectedUntil: number }).ejectedUntil : 0,
        timesEjected: s?.timesEjected ?? 0,
        activeRequests: e.activeRequests,
      };
    });
  }

  acquire(): true | typeof OVERFLOW | PendingSlot {
    return this.breaker.acquire();
  }

  pools(): Closable[] {
    return [...this.endpoints.values()].flatMap((e) => [e.pool, e.fast]);
  }

  private recompute(now: number): void {
    const out: EndpointRuntime[] = [];
    let nextEnd = Number.POSITIVE_INFINITY;
    let healthy = 0;
    for (const e of this.endpoints.values()) {
      if (!e.config.healthy) continue;
      const s = this.outlier?.state(e.config.key);
      if (s !== undefined && s.ejectedUntil > now) {
        nextEnd = Math.min(nextEnd, s.ejectedUntil);
        continue;
      }
      healthy++;
      out.push(e);
    }
    this.available = out;
    this.recomputeAt = nextEnd;
    this.stats.setMembership(healthy, this.endpoints.size);
    this.stats.setEjectionsActive(this.outlier?.ejectedCount(now) ?? 0);
  }
}

/** How often ended ejections and membership are refreshed into gauges and /clusters. */
const SWEEP_INTERVAL_MS = 1000;

/** All clusters of the current config, reconciled on every config swap. */
export class ClusterManager {
  private readonly clusters = new Map<string, ClusterRuntime>();
  private readonly timer: NodeJS.Timeout;
  private dirtyTimer: NodeJS.Immediate | undefined;

  private model: MeshModel | undefined;

  constructor(
    private readonly metrics: SidecarMetricsApi,
    private readonly workloadTls?: WorkloadTls,
  ) {
    // A new identity (first certificate, another trust domain) changes which endpoints get mTLS.
    let trustDomain = workloadTls?.trustDomain;
    workloadTls?.onChange(() => {
      if (workloadTls.trustDomain === trustDomain || this.model === undefined) return;
      trustDomain = workloadTls.trustDomain;
      this.apply(this.model);
    });
    // Ejection ends are honoured lazily on the request path; this sweep keeps gauges and /clusters fresh.
    this.timer = setInterval(() => this.sweep(Date.now()), SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  get(name: string): ClusterRuntime | undefined {
    return this.clusters.get(name);
  }

  /** Brings the runtime in line with a compiled model (before the model is made current). */
  apply(model: MeshModel): void {
    this.model = model;
    const retired: Closable[] = [];
    for (const [name, config] of model.clusters) {
      const rt = this.clusters.get(name);
      if (rt) retired.push(...rt.update(config));
      else
        this.clusters.set(
          name,
          new ClusterRuntime(config, this.metrics, () => this.markDirty(), this.workloadTls),
        );
    }
    for (const [name, rt] of this.clusters) {
      if (model.clusters.has(name)) continue;
      rt.stats.setMembership(0, 0);
      rt.stats.setEjectionsActive(0);
      retired.push(...rt.pools());
      this.clusters.delete(name);
    }
    // close() lets requests already on a pool finish.
    for (const p of retired) void p.close().catch(() => {});
    this.markDirty();
  }

  /** Ends expired ejections and republishes the per-endpoint gauges (active requests change all the time). */
  sweep(now: number): void {
    for (const rt of this.clusters.values()) rt.sweep(now);
    this.publishEndpoints(now);
  }

  /** Ejections and membership changes are published at once rather than at the next sweep. */
  markDirty(): void {
    if (this.dirtyTimer) return;
    this.dirtyTimer = setImmediate(() => {
      this.dirtyTimer = undefined;
      this.publishEndpoints(Date.now());
    });
  }

  publishEndpoints(now: number): void {
    this.metrics.setEndpoints(
      this.states(now).flatMap((c) => c.endpoints.map(({ ejectedUntil: _, ...e }) => e)),
    );
  }

  /** Per cluster: breaker counters and each endpoint's state (the admin's /clusters). */
  states(now: number) {
    return [...this.clusters.values()].map((rt) => ({
      name: rt.config.name,
      lbPolicy: rt.config.lb,
      activeRequests: rt.breaker.active,
      pendingRequests: rt.breaker.pending,
      endpoints: rt.endpointStates(now),
    }));
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    if (this.dirtyTimer) clearImmediate(this.dirtyTimer);
    const pools = [...this.clusters.values()].flatMap((rt) => rt.pools());
    this.clusters.clear();
    await Promise.all(pools.map((p) => p.close().catch(() => {})));
  }
}

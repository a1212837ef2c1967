// Connections for PassthroughCluster: an outbound request to a host the registry does not know goes to
// that host and port as the app named them (Envoy's ORIGINAL_DST cluster). One pool per origin, at most
// PASSTHROUGH_MAX_ORIGINS of them (the least recently used one is closed past that), each with at most
// PASSTHROUGH_MAX_CONNECTIONS connections, so an app calling ever new hosts does not grow the sidecar.
import { Pool } from './upstream-pool';

/** Origins (host:port) with a pool at once; the least recently used is closed past this. */
export const PASSTHROUGH_MAX_ORIGINS = 256;
/** Connections to one passthrough origin. */
export const PASSTHROUGH_MAX_CONNECTIONS = 64;
/** A passthrough connection idle this long is closed. */
const IDLE_MS = 30_000;
/** Connect timeout when none is configured (Istio's default connectTimeout is 10 s). */
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Names of this host a request may use to reach the sidecar's own listeners. */
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '::1', '[::1]', '0.0.0.0'];

export interface PassthroughLimits {
  maxOrigins?: number;
  maxConnections?: number;
  connectTimeoutMs?: number;
}

export class PassthroughPools {
  private readonly pools = new Map<string, Pool>();
  private readonly maxOrigins: number;
  private readonly maxConnections: number;
  private readonly connectTimeoutMs: number;
  private ownPorts: ReadonlySet<number> = new Set();
  private ownHosts: ReadonlySet<string> = new Set();

  constructor(limits: PassthroughLimits = {}) {
    this.maxOrigins = limits.maxOrigins ?? PASSTHROUGH_MAX_ORIGINS;
    this.maxConnections = limits.maxConnections ?? PASSTHROUGH_MAX_CONNECTIONS;
    this.connectTimeoutMs = limits.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  }

  /** The pool of `host:port`, made on first use (most recently used last in the map). */
  get(host: string, port: number): Pool {
    const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    let pool = this.pools.get(origin);
    if (pool !== undefined) {
      this.pools.delete(origin);
      this.pools.set(origin, pool);
      return pool;
    }
    pool = new Pool(origin, {
      connections: this.maxConnections,
      pipelining: 1,
      headersTimeout: 0,
      bodyTimeout: 0,
      connectTimeout: this.connectTimeoutMs,
      keepAliveTimeout: IDLE_MS,
      keepAliveMaxTimeout: IDLE_MS,
    });
    this.pools.set(origin, pool);
    if (this.pools.size > this.maxOrigins) {
      const [oldest, evicted] = this.pools.entries().next().value as [string, Pool];
      this.pools.delete(oldest);
      // In-flight requests on it finish; the pool closes after them.
      evicted.close().catch(() => {});
    }
    return pool;
  }

  /** The sidecar's own ports: a passthrough request to one of them on this host would loop forever. */
  setOwnPorts(ports: readonly number[], bindHost: string): void {
    this.ownPorts = new Set(ports);
    this.ownHosts = new Set([...LOOPBACK_NAMES, bindHost.toLowerCase()]);
  }

  /** Would forwarding to host:port come back into this sidecar? */
  loopsBack(host: string, port: number): boolean {
    return this.ownPorts.has(port) && this.ownHosts.has(host.toLowerCase());
  }

  get size(): number {
    return this.pools.size;
  }

  async close(): Promise<void> {
    const all = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(all.map((p) => p.close().catch(() => {})));
  }
}

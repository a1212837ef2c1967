// Connections for PassthroughCluster: an outbound request to a host the registry does not know goes to
// that host and port as the app named them (Envoy's ORIGINAL_DST cluster), in the protocol it came in
// (HTTP/1.1, or HTTP/2 cleartext for h2 and gRPC). One pool per origin and protocol, at most
// PASSTHROUGH_MAX_ORIGINS of each (the least recently used one is closed past that), HTTP/1.1 pools with
// at most PASSTHROUGH_MAX_CONNECTIONS connections, so an app calling ever new hosts does not grow the
// sidecar.
import { H2Pool } from './h2-pool';
import { Pool } from './upstream-pool';

/** Origins (host:port) with a pool at once; the least recently used is closed past this. */
export const PASSTHROUGH_MAX_ORIGINS = 256;
/** Connections to one passthrough origin. */
export const PASSTHROUGH_MAX_CONNECTIONS = 64;
/** CONNECT tunnels to passthrough hosts open at once (past it: 503 UO). */
export const PASSTHROUGH_MAX_TUNNELS = 1024;
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
  maxTunnels?: number;
}

export class PassthroughPools {
  private readonly pools = new Map<string, Pool>();
  private readonly h2Pools = new Map<string, H2Pool>();
  private readonly maxOrigins: number;
  private readonly maxConnections: number;
  private readonly connectTimeoutMs: number;
  private readonly maxTunnels: number;
  private tunnels = 0;
  private ownPorts: ReadonlySet<number> = new Set();
  private ownHosts: ReadonlySet<string> = new Set();

  constructor(limits: PassthroughLimits = {}) {
    this.maxOrigins = limits.maxOrigins ?? PASSTHROUGH_MAX_ORIGINS;
    this.maxConnections = limits.maxConnections ?? PASSTHROUGH_MAX_CONNECTIONS;
    this.connectTimeoutMs = limits.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.maxTunnels = limits.maxTunnels ?? PASSTHROUGH_MAX_TUNNELS;
  }

  /** Takes a CONNECT tunnel's place; undefined when all are taken, else the release (idempotent). */
  acquireTunnel(): (() => void) | undefined {
    if (this.tunnels >= this.maxTunnels) return undefined;
    this.tunnels++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.tunnels--;
    };
  }

  /** CONNECT tunnels open now. */
  get openTunnels(): number {
    return this.tunnels;
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

  /** The HTTP/2 (h2c) connection to `host:port`, made on first use (least recently used closed first). */
  h2(host: string, port: number): H2Pool {
    const origin = `${host}:${port}`;
    let pool = this.h2Pools.get(origin);
    if (pool !== undefined) {
      this.h2Pools.delete(origin);
      this.h2Pools.set(origin, pool);
      return pool;
    }
    pool = new H2Pool(host, port, undefined, IDLE_MS, this.connectTimeoutMs);
    this.h2Pools.set(origin, pool);
    if (this.h2Pools.size > this.maxOrigins) {
      const [oldest, evicted] = this.h2Pools.entries().next().value as [string, H2Pool];
      this.h2Pools.delete(oldest);
      // GOAWAY: streams in flight finish, no new ones start.
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
    return this.pools.size + this.h2Pools.size;
  }

  async close(): Promise<void> {
    const all: Array<{ close(): Promise<void> }> = [...this.pools.values(), ...this.h2Pools.values()];
    this.pools.clear();
    this.h2Pools.clear();
    await Promise.all(all.map((p) => p.close().catch(() => {})));
  }
}

// Circuit breaking for one cluster, as Envoy's HTTP/1.1 pool does it: a request needs a connection; up
// to maxConnections run at once, up to http1MaxPendingRequests wait for one, the rest overflow (UO).

import { durationMs } from '../../../lib/mesh-config/duration';
import type { TrafficPolicy } from '../../../lib/mesh-config/schema';

export interface ConnectionPoolPolicy {
  maxConnections: number;
  maxPending: number;
  /** 0: unlimited. */
  maxRequestsPerConnection: number;
  connectTimeoutMs: number;
  /** 0: the pool's default. */
  idleTimeoutMs: number;
  /** Retries outstanding at once to the cluster; more overflow (upstream_rq_retry_overflow). */
  maxRetries: number;
}

type PoolSpec = NonNullable<TrafficPolicy['connectionPool']>;

/** Istio's defaults: effectively unlimited (2^32-1), connect timeout 10 s. */
export const UNLIMITED = 2 ** 32 - 1;

export function compileConnectionPool(cp: PoolSpec | undefined): ConnectionPoolPolicy {
  return {
    maxConnections: cp?.tcp?.maxConnections ?? UNLIMITED,
    maxPending: cp?.http?.http1MaxPendingRequests ?? UNLIMITED,
    maxRequestsPerConnection: cp?.http?.maxRequestsPerConnection ?? 0,
    connectTimeoutMs: durationMs(cp?.tcp?.connectTimeout, 10_000),
    idleTimeoutMs: durationMs(cp?.http?.idleTimeout, 0),
    maxRetries: cp?.http?.maxRetries ?? UNLIMITED,
  };
}

export const OVERFLOW = 'overflow';

export interface PendingSlot {
  /** true once a slot is handed over; false when the wait was cancelled. */
  readonly ready: Promise<boolean>;
  /** Leaves the queue (the downstream went away while waiting): `ready` answers false. No-op once granted. */
  cancel(): void;
}

export class CircuitBreaker {
  active = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(private policy: ConnectionPoolPolicy) {}

  setPolicy(policy: ConnectionPoolPolicy): void {
    this.policy = policy;
    while (this.waiters.length > 0 && this.active < policy.maxConnections) {
      this.active++;
      this.waiters.shift()?.();
    }
  }

  get pending(): number {
    return this.waiters.length;
  }

  /** true: a connection slot is held (call release()); OVERFLOW: refuse with UO; else wait for a slot. */
  acquire(): true | typeof OVERFLOW | PendingSlot {
    if (this.active < this.policy.maxConnections) {
      this.active++;
      return true;
    }
    if (this.waiters.length >= this.policy.maxPending) return OVERFLOW;
    let settle!: (granted: boolean) => void;
    const ready = new Promise<boolean>((resolve) => {
      settle = resolve;
    });
    const wake = () => settle(true);
    this.waiters.push(wake);
    return {
      ready,
      cancel: () => {
        // Once handed over, the slot is the holder's to release.
        const i = this.waiters.indexOf(wake);
        if (i === -1) return;
        this.waiters.splice(i, 1);
        settle(false);
      },
    };
  }

  release(): void {
    const next = this.waiters.shift();
    if (next && this.active <= this.policy.maxConnections) next();
    else {
      if (next) this.waiters.unshift(next);
      this.active--;
    }
  }
}

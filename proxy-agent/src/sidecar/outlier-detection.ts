// Outlier detection (Envoy's consecutive-errors detector): counts consecutive 5xx and gateway errors per
// endpoint, ejects an endpoint that reaches a threshold for baseEjectionTime × its ejection multiplier
// (capped by maxEjectionTime), never more than maxEjectionPercent of the cluster (but at least one, as
// Envoy), and lets it return when the time is up. As in Envoy, the multiplier grows with each ejection
// and shrinks by one for every `interval` the endpoint stays in.

import { durationMs } from '../../../lib/mesh-config/duration';
import type { TrafficPolicy } from '../../../lib/mesh-config/schema';

export interface OutlierPolicy {
  /** 0 disables the check. */
  consecutive5xx: number;
  consecutiveGateway: number;
  intervalMs: number;
  baseEjectionMs: number;
  maxEjectionMs: number;
  maxEjectionPercent: number;
}

type OutlierSpec = NonNullable<TrafficPolicy['outlierDetection']>;

/** Envoy/Istio defaults: 5 consecutive 5xx, 10 s interval, 30 s base ejection, 300 s cap, 10 %. */
export function compileOutlierPolicy(od: OutlierSpec | undefined): OutlierPolicy | undefined {
  if (od === undefined) return undefined;
  return {
    consecutive5xx: od.consecutive5xxErrors ?? 5,
    consecutiveGateway: od.consecutiveGatewayErrors ?? 0,
    intervalMs: durationMs(od.interval, 10_000),
    baseEjectionMs: durationMs(od.baseEjectionTime, 30_000),
    maxEjectionMs: durationMs(od.maxEjectionTime, 300_000),
    maxEjectionPercent: od.maxEjectionPercent ?? 10,
  };
}

export interface HostOutlierState {
  consecutive5xx: number;
  consecutiveGateway: number;
  /** Epoch ms the ejection ends; 0 when not ejected. */
  ejectedUntil: number;
  /** Ejections so far (what /clusters shows). */
  timesEjected: number;
  /** Envoy's ejection back-off: +1 per ejection, −1 per interval spent in the cluster. */
  multiplier: number;
  /** Epoch ms the endpoint last came back from an ejection. */
  returnedAt: number;
}

/** What one try told about an endpoint: an HTTP status, or a failure of the connection (no response). */
export type HostResult = number | 'local-failure';

export class OutlierDetector {
  private readonly hosts = new Map<string, HostOutlierState>();
  private nextInterval = 0;

  constructor(
    private policy: OutlierPolicy,
    keys: Iterable<string>,
  ) {
    this.setHosts(keys, policy);
  }

  /** Takes a new membership and policy; hosts that stay keep their state. */
  setHosts(keys: Iterable<string>, policy: OutlierPolicy): void {
    this.policy = policy;
    const next = new Set(keys);
    for (const k of this.hosts.keys()) if (!next.has(k)) this.hosts.delete(k);
    for (const k of next)
      if (!this.hosts.has(k))
        this.hosts.set(k, {
          consecutive5xx: 0,
          consecutiveGateway: 0,
          ejectedUntil: 0,
          timesEjected: 0,
          multiplier: 0,
          returnedAt: 0,
        });
  }

  state(key: string): HostOutlierState | undefined {
    return this.hosts.get(key);
  }

  isEjected(key: string, now: number): boolean {
    const s = this.hosts.get(key);
    return s !== undefined && s.ejectedUntil > now;
  }

  ejectedCount(now: number): number {
    let n = 0;
    for (const s of this.hosts.values()) if (s.ejectedUntil > now) n++;
    return n;
  }

  /** Records a try's result; true when this result ejected the endpoint. */
  record(key: string, result: HostResult, now: number): boolean {
    const s = this.hosts.get(key);
    if (s === undefined || s.ejectedUntil > now) return false;
    // Envoy maps failures of the connection itself to a gateway error (503).
    const status = result === 'local-failure' ? 503 : result;
    if (status < 500) {
      s.consecutive5xx = 0;
      s.consecutiveGateway = 0;
      return false;
    }
    s.consecutive5xx++;
    if (status === 502 || status === 503 || status === 504) s.consecutiveGateway++;
    else s.consecutiveGateway = 0;
    const p = this.policy;
    const tripped =
      (p.consecutive5xx > 0 && s.consecutive5xx >= p.consecutive5xx) ||
      (p.consecutiveGateway > 0 && s.consecutiveGateway >= p.consecutiveGateway);
    if (!tripped) return false;
    s.consecutive5xx = 0;
    s.consecutiveGateway = 0;
    if (this.ejectedCount(now) >= this.maxEjected()) return false;
    s.timesEjected++;
    s.multiplier++;
    const time = Math.min(p.baseEjectionMs * s.multiplier, Math.max(p.baseEjectionMs, p.maxEjectionMs));
    s.ejectedUntil = now + time;
    return true;
  }

  /**
   * Ends ejections whose time is over (answers the keys that returned) and, once per interval, lowers the
   * multiplier of every endpoint that spent the interval in the cluster.
   */
  sweep(now: number): string[] {
    const back: string[] = [];
    const tick = now >= this.nextInterval;
    if (tick) this.nextInterval = now + this.policy.intervalMs;
    for (const [k, s] of this.hosts) {
      if (s.ejectedUntil !== 0 && s.ejectedUntil <= now) {
        s.ejectedUntil = 0;
        s.returnedAt = now;
        back.push(k);
      } else if (
        tick &&
        s.ejectedUntil === 0 &&
        s.multiplier > 0 &&
        now - s.returnedAt >= this.policy.intervalMs
      ) {
        s.multiplier--;
      }
    }
    return back;
  }

  private maxEjected(): number {
    const pct = this.policy.maxEjectionPercent;
    if (pct <= 0) return 0;
    return Math.max(1, Math.floor((this.hosts.size * pct) / 100));
  }
}

// Health of a node or an edge from its error shares, with Kiali's default thresholds (configurable).
import type { Health, RateBreakdown } from './types';

export interface HealthThresholds {
  /** % of 5xx (and no-response) requests: above `degraded` → degraded, at or above `failure` → failure. */
  http5xx: { degraded: number; failure: number };
  /** % of 4xx requests: at or above `degraded` → degraded, at or above `failure` → failure. */
  http4xx: { degraded: number; failure: number };
}

/** Kiali's Traffic Health defaults: 5xx degraded above 0 %, failure at 10 %; 4xx degraded at 10 %, failure at 20 %. */
export const DEFAULT_HEALTH: HealthThresholds = {
  http5xx: { degraded: 0, failure: 10 },
  http4xx: { degraded: 10, failure: 20 },
};

export function healthOf(r: RateBreakdown, t: HealthThresholds = DEFAULT_HEALTH): Health {
  if (!(r.total > 0)) return 'idle';
  const p5 = ((r.http5xx + r.noResponse) / r.total) * 100;
  const p4 = (r.http4xx / r.total) * 100;
  if (p5 >= t.http5xx.failure || p4 >= t.http4xx.failure) return 'failure';
  if (p5 > t.http5xx.degraded || p4 >= t.http4xx.degraded) return 'degraded';
  return 'healthy';
}

/** (4xx + 5xx + code 0) / total, 0..1; 0 without traffic. */
export function errorRate(r: RateBreakdown): number {
  return r.total > 0 ? (r.http4xx + r.http5xx + r.noResponse) / r.total : 0;
}

export function emptyRates(): RateBreakdown {
  return { total: 0, http4xx: 0, http5xx: 0, noResponse: 0 };
}

/** Adds `rps` of a response with `code` (and gRPC status, when gRPC) into `into`. */
export function addRate(into: RateBreakdown, code: string, rps: number, grpcStatus?: string): void {
  into.total += rps;
  const c = errorClassOf(code, grpcStatus);
  if (c !== undefined) into[c] += rps;
}

/**
 * The error class a response's rate also counts in besides `total` (`addRate`); undefined: none (a success, or
 * TCP's `-`, which has no response code).
 */
export function errorClassOf(
  code: string,
  grpcStatus?: string,
): 'noResponse' | 'http5xx' | 'http4xx' | undefined {
  if (code === '-') return undefined;
  if (code === '0') return 'noResponse';
  if (code.startsWith('5')) return 'http5xx';
  if (code.startsWith('4')) return 'http4xx';
  if (grpcStatus !== undefined && grpcStatus !== '0') return 'http5xx';
  return undefined;
}

/** Reads thresholds from JSON like `{"http5xx":{"degraded":0,"failure":5}}`; defaults for what is missing or bad. */
export function parseHealthThresholds(json: string | undefined): HealthThresholds {
  if (!json) return DEFAULT_HEALTH;
  try {
    const v = JSON.parse(json) as Partial<
      Record<keyof HealthThresholds, Partial<{ degraded: number; failure: number }>>
    >;
    const pick = (k: keyof HealthThresholds) => ({
      degraded: num(v[k]?.degraded) ?? DEFAULT_HEALTH[k].degraded,
      failure: num(v[k]?.failure) ?? DEFAULT_HEALTH[k].failure,
    });
    return { http5xx: pick('http5xx'), http4xx: pick('http4xx') };
  } catch {
    return DEFAULT_HEALTH;
  }
}

function num(x: unknown): number | undefined {
  return typeof x === 'number' && Number.isFinite(x) && x >= 0 ? x : undefined;
}

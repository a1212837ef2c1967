// How the graph's JSON rounds its numbers: rates to 4 decimals, shares and milliseconds to 2.
import type { RateBreakdown } from './types';

export function round(v: number, digits: number): number {
  // The graph's two scales as constants (the same doubles as 10 ** digits, without the power each call).
  const f = digits === 4 ? 10_000 : digits === 2 ? 100 : 10 ** digits;
  return Math.round(v * f) / f;
}

export function roundRates(r: RateBreakdown): RateBreakdown {
  return {
    total: round(r.total, 4),
    http4xx: round(r.http4xx, 4),
    http5xx: round(r.http5xx, 4),
    noResponse: round(r.noResponse, 4),
  };
}

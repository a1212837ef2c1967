import { describe, expect, it } from 'vitest';
import { addRate, emptyRates, errorRate, healthOf, parseHealthThresholds } from './health';

function rates(codes: Record<string, number>) {
  const r = emptyRates();
  for (const [c, v] of Object.entries(codes)) addRate(r, c, v);
  return r;
}

describe('health with Kiali thresholds', () => {
  it('is healthy without errors and idle without traffic', () => {
    expect(healthOf(rates({ '200': 10 }))).toBe('healthy');
    expect(healthOf(emptyRates())).toBe('idle');
  });

  it('is degraded with any 5xx and failing at 10 % 5xx', () => {
    expect(healthOf(rates({ '200': 99, '503': 1 }))).toBe('degraded');
    expect(healthOf(rates({ '200': 90, '503': 10 }))).toBe('failure');
  });

  it('counts no response (code 0) like 5xx', () => {
    expect(healthOf(rates({ '200': 85, '0': 15 }))).toBe('failure');
  });

  it('tolerates 4xx below 10 %, degraded at 10 %, failing at 20 %', () => {
    expect(healthOf(rates({ '200': 95, '404': 5 }))).toBe('healthy');
    expect(healthOf(rates({ '200': 90, '404': 10 }))).toBe('degraded');
    expect(healthOf(rates({ '200': 80, '404': 20 }))).toBe('failure');
  });

  it('uses configured thresholds', () => {
    const t = parseHealthThresholds('{"http5xx":{"degraded":5,"failure":50}}');
    expect(t.http4xx).toEqual({ degraded: 10, failure: 20 });
    expect(healthOf(rates({ '200': 97, '503': 3 }), t)).toBe('healthy');
    expect(healthOf(rates({ '200': 90, '503': 10 }), t)).toBe('degraded');
    expect(parseHealthThresholds('not json').http5xx.failure).toBe(10);
  });

  it('error rate is (4xx + 5xx + code 0) / total', () => {
    expect(errorRate(rates({ '200': 6, '404': 1, '503': 2, '0': 1 }))).toBeCloseTo(0.4);
  });
});

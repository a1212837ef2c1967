import { describe, expect, it } from 'vitest';
import { compileOutlierPolicy, OutlierDetector, type OutlierPolicy } from './outlier-detection';

const policy = (over: Partial<OutlierPolicy> = {}): OutlierPolicy => ({
  ...(compileOutlierPolicy({}) as OutlierPolicy),
  ...over,
});

describe('compileOutlierPolicy', () => {
  it('fills Envoy/Istio defaults', () => {
    expect(compileOutlierPolicy({})).toEqual({
      consecutive5xx: 5,
      consecutiveGateway: 0,
      intervalMs: 10_000,
      baseEjectionMs: 30_000,
      maxEjectionMs: 300_000,
      maxEjectionPercent: 10,
    });
    expect(compileOutlierPolicy(undefined)).toBeUndefined();
  });
});

describe('OutlierDetector', () => {
  it('ejects after N consecutive 5xx; a success in between resets the count', () => {
    const d = new OutlierDetector(policy({ consecutive5xx: 3 }), ['a', 'b']);
    expect(d.record('a', 500, 0)).toBe(false);
    expect(d.record('a', 500, 0)).toBe(false);
    expect(d.record('a', 200, 0)).toBe(false);
    expect(d.record('a', 500, 0)).toBe(false);
    expect(d.record('a', 500, 0)).toBe(false);
    expect(d.record('a', 'local-failure', 0)).toBe(true);
    expect(d.isEjected('a', 1)).toBe(true);
    expect(d.isEjected('b', 1)).toBe(false);
  });

  it('counts gateway errors separately (502/503/504 and connection failures)', () => {
    const d = new OutlierDetector(policy({ consecutive5xx: 0, consecutiveGateway: 2 }), ['a', 'b']);
    expect(d.record('a', 500, 0)).toBe(false);
    expect(d.record('a', 500, 0)).toBe(false);
    expect(d.record('a', 503, 0)).toBe(false);
    expect(d.record('a', 'local-failure', 0)).toBe(true);
  });

  it('ejects for baseEjectionTime × times ejected, capped by maxEjectionTime, and lets the host return', () => {
    const d = new OutlierDetector(
      policy({ consecutive5xx: 1, baseEjectionMs: 1000, maxEjectionMs: 2500, maxEjectionPercent: 100 }),
      ['a', 'b'],
    );
    expect(d.record('a', 500, 0)).toBe(true);
    expect(d.state('a')?.ejectedUntil).toBe(1000);
    expect(d.record('a', 500, 500)).toBe(false); // results while ejected do not count
    expect(d.isEjected('a', 999)).toBe(true);
    expect(d.isEjected('a', 1000)).toBe(false);
    expect(d.sweep(1000)).toEqual(['a']);
    expect(d.record('a', 500, 1000)).toBe(true);
    expect(d.state('a')?.ejectedUntil).toBe(3000);
    d.sweep(3000);
    expect(d.record('a', 500, 3000)).toBe(true);
    expect(d.state('a')?.ejectedUntil).toBe(5500); // 3 × 1000 capped at 2500
    expect(d.state('a')?.timesEjected).toBe(3);
  });

  it('lowers the ejection multiplier for every interval a host stays in', () => {
    const d = new OutlierDetector(
      policy({ consecutive5xx: 1, baseEjectionMs: 1000, intervalMs: 10_000, maxEjectionPercent: 100 }),
      ['a', 'b'],
    );
    d.record('a', 500, 0);
    d.sweep(1000);
    d.record('a', 500, 1000);
    expect(d.state('a')?.multiplier).toBe(2);
    d.sweep(3000); // back at 3000
    d.sweep(10_000); // not a whole interval in yet
    expect(d.state('a')?.multiplier).toBe(2);
    d.sweep(20_000);
    expect(d.state('a')?.multiplier).toBe(1);
    d.sweep(30_000);
    expect(d.state('a')?.multiplier).toBe(0);
    expect(d.record('a', 500, 30_000)).toBe(true);
    expect(d.state('a')?.ejectedUntil).toBe(31_000);
    expect(d.state('a')?.timesEjected).toBe(3);
  });

  it('never ejects more than maxEjectionPercent, but at least one host', () => {
    const d = new OutlierDetector(policy({ consecutive5xx: 1, maxEjectionPercent: 10 }), ['a', 'b', 'c']);
    expect(d.record('a', 500, 0)).toBe(true);
    expect(d.record('b', 500, 0)).toBe(false);
    expect(d.ejectedCount(1)).toBe(1);
    const half = new OutlierDetector(policy({ consecutive5xx: 1, maxEjectionPercent: 50 }), [
      'a',
      'b',
      'c',
      'd',
    ]);
    expect(half.record('a', 500, 0)).toBe(true);
    expect(half.record('b', 500, 0)).toBe(true);
    expect(half.record('c', 500, 0)).toBe(false);
  });

  it('keeps the state of hosts that stay across a membership change', () => {
    const p = policy({ consecutive5xx: 1, maxEjectionPercent: 100 });
    const d = new OutlierDetector(p, ['a', 'b']);
    d.record('a', 500, 0);
    d.setHosts(['a', 'c'], p);
    expect(d.isEjected('a', 1)).toBe(true);
    expect(d.state('b')).toBeUndefined();
    expect(d.state('c')?.timesEjected).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { pickEndpoint } from './load-balancer';

const eps = (...active: number[]) => active.map((a, i) => ({ id: i, activeRequests: a }));

describe('pickEndpoint', () => {
  it('ROUND_ROBIN cycles through the endpoints', () => {
    const list = eps(0, 0, 0);
    const state = { next: 0 };
    const picks = Array.from({ length: 6 }, () => pickEndpoint(list, 'ROUND_ROBIN', state, Math.random)?.id);
    expect(picks).toEqual([0, 1, 2, 0, 1, 2]);
  });

  it('LEAST_REQUEST of two choices prefers the less busy endpoint', () => {
    const list = eps(5, 0);
    for (let i = 0; i < 20; i++)
      expect(pickEndpoint(list, 'LEAST_REQUEST', { next: 0 }, Math.random)?.id).toBe(1);
  });

  it('LEAST_REQUEST never picks the busiest of three when it is compared', () => {
    const list = eps(9, 1, 1);
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++)
      seen.add(pickEndpoint(list, 'LEAST_REQUEST', { next: 0 }, Math.random)?.id ?? -1);
    expect(seen.has(0)).toBe(false);
    expect(seen).toEqual(new Set([1, 2]));
  });

  it('RANDOM spreads evenly', () => {
    const list = eps(0, 0, 0, 0);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 8000; i++)
      (counts[pickEndpoint(list, 'RANDOM', { next: 0 }, Math.random)?.id ?? 0] as number)++;
    for (const c of counts) expect(Math.abs(c - 2000)).toBeLessThan(200);
  });

  it('no endpoint, no pick; one endpoint, that one', () => {
    expect(pickEndpoint([], 'ROUND_ROBIN', { next: 0 }, Math.random)).toBeUndefined();
    expect(pickEndpoint(eps(3), 'LEAST_REQUEST', { next: 0 }, Math.random)?.id).toBe(0);
  });
});

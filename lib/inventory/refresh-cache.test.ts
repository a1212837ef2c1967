import { describe, expect, it } from 'vitest';
import { evaluationTime, type Outcome, RefreshCache } from './refresh-cache';

const ok = (value: number): Outcome<number> => ({ ok: true, value });

describe('evaluationTime', () => {
  it('gives every moment of one refresh period the same instant, the period’s start', () => {
    expect(evaluationTime(1_000_000_000, 10)).toBe(1_000_000);
    expect(evaluationTime(1_000_009_999, 10)).toBe(1_000_000);
    expect(evaluationTime(1_000_010_000, 10)).toBe(1_000_010);
  });
});

describe('RefreshCache', () => {
  it('serves one answer per key, and shares a read still in flight', async () => {
    const cache = new RefreshCache<number>(4);
    let loads = 0;
    let release: (v: Outcome<number>) => void = () => {};
    const load = () => {
      loads++;
      return new Promise<Outcome<number>>((r) => {
        release = r;
      });
    };
    const a = cache.get('5m@100', load);
    const b = cache.get('5m@100', load);
    release(ok(7));
    expect(await a).toEqual(ok(7));
    expect(await b).toEqual(ok(7));
    expect(await cache.get('5m@100', load)).toEqual(ok(7));
    expect(loads).toBe(1);
  });

  it('keeps no failed read: the next request tries again', async () => {
    const cache = new RefreshCache<number>(4);
    let n = 0;
    const flaky = async (): Promise<Outcome<number>> => (n++ === 0 ? { ok: false, message: 'down' } : ok(1));
    expect((await cache.get('k', flaky)).ok).toBe(false);
    expect(await cache.get('k', flaky)).toEqual(ok(1));
    const throwing = async (): Promise<Outcome<number>> => {
      throw new Error('boom');
    };
    await expect(cache.get('t', throwing)).rejects.toThrow('boom');
    expect(cache.size).toBe(1);
  });

  it('holds at most its bound, dropping the oldest keys', async () => {
    const cache = new RefreshCache<number>(2);
    for (const k of ['a', 'b', 'c']) await cache.get(k, async () => ok(1));
    expect(cache.size).toBe(2);
    let reloaded = false;
    await cache.get('a', async () => {
      reloaded = true;
      return ok(2);
    });
    expect(reloaded).toBe(true);
    expect(() => new RefreshCache(0)).toThrow();
  });
});

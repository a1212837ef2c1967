import { describe, expect, it } from 'vitest';
import { releaseOnce, WalkLease } from './walk-lease';

describe('walk lease', () => {
  it('frees its objects once, when the last of its holds is released, and is never taken again after', () => {
    const lease = new WalkLease();
    let freed = 0;
    lease.onFree(() => freed++);
    lease.hold();
    const once = releaseOnce(lease);
    once();
    once();
    expect([lease.held, freed]).toEqual([true, 0]);
    lease.release();
    expect([lease.held, freed]).toEqual([false, 1]);
    expect(() => lease.hold()).toThrow();
    expect(() => lease.release()).toThrow();
    expect(() => lease.onFree(() => freed++)).toThrow();
    expect(freed).toBe(1);
    expect(() => releaseOnce(undefined)()).not.toThrow();
  });
});

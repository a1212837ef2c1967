import { describe, expect, it } from 'vitest';
import { WatchQuota } from './watch-quota';

describe('WatchQuota', () => {
  it('refuses a user beyond the limit, not others, and counts each release once', () => {
    const q = new WatchQuota(2);
    const a1 = q.acquire('alice');
    const a2 = q.acquire('alice');
    expect(a1 && a2).toBeTruthy();
    expect(q.acquire('alice')).toBeUndefined();
    expect(q.acquire('bob')).toBeTruthy();
    a1?.();
    a1?.();
    expect(q.count('alice')).toBe(1);
    expect(q.acquire('alice')).toBeTruthy();
    expect(q.acquire('alice')).toBeUndefined();
  });
});

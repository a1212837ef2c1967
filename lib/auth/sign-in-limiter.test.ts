import { describe, expect, it } from 'vitest';
import { SignInLimiter } from './sign-in-limiter';

const limits = { freeFailures: 3, backoffBaseS: 1, backoffMaxS: 60, clientsMax: 100 };

describe('SignInLimiter', () => {
  it('lets a client fail a few times, then makes it wait, doubling the wait per failure', () => {
    const limiter = new SignInLimiter(limits);
    let now = 1_000_000;
    for (let i = 0; i < 3; i++) {
      expect(limiter.admit('10.0.0.1', now)).toEqual({ ok: true });
      limiter.failed('10.0.0.1', now);
    }
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      limiter.failed('10.0.0.1', now);
      const admission = limiter.admit('10.0.0.1', now);
      if (admission.ok) throw new Error('admitted during backoff');
      waits.push(admission.retryAfterS);
      now += admission.retryAfterS * 1000;
      expect(limiter.admit('10.0.0.1', now)).toEqual({ ok: true });
    }
    expect(waits).toEqual([1, 2, 4, 8, 16]);
  });

  it('caps the wait, keeps other clients apart, and forgets a client on success', () => {
    const limiter = new SignInLimiter(limits);
    for (let i = 0; i < 20; i++) limiter.failed('a', 0);
    expect(limiter.admit('a', 0)).toEqual({ ok: false, retryAfterS: 60 });
    expect(limiter.admit('b', 0)).toEqual({ ok: true });
    limiter.succeeded('a');
    expect(limiter.admit('a', 0)).toEqual({ ok: true });
  });

  it('forgets old failures once the longest wait has passed since the last one', () => {
    const limiter = new SignInLimiter(limits);
    for (let i = 0; i < 3; i++) limiter.failed('a', 0);
    limiter.failed('a', 30_000);
    expect(limiter.admit('a', 30_000)).toEqual({ ok: false, retryAfterS: 1 });
    limiter.failed('a', 200_000);
    // The count started again: this is the first failure, which costs no wait.
    expect(limiter.admit('a', 200_000)).toEqual({ ok: true });
  });

  it('remembers at most clientsMax clients, forgetting the one idle longest', () => {
    const limiter = new SignInLimiter({ ...limits, clientsMax: 50 });
    for (let i = 0; i < 5; i++) limiter.failed('stubborn', 0);
    for (let i = 0; i < 10_000; i++) limiter.failed(`flood-${i}`, 1);
    expect(limiter.size).toBe(50);
    limiter.failed('stubborn', 2);
    expect(limiter.size).toBe(50);
    expect(limiter.admit('stubborn', 2)).toEqual({ ok: true });
  });
});

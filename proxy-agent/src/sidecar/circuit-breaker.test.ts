import { describe, expect, it } from 'vitest';
import {
  CircuitBreaker,
  compileConnectionPool,
  OVERFLOW,
  type PendingSlot,
  UNLIMITED,
} from './circuit-breaker';

const breaker = (maxConnections: number, maxPending: number) =>
  new CircuitBreaker({ ...compileConnectionPool(undefined), maxConnections, maxPending });

describe('compileConnectionPool', () => {
  it("defaults to Istio's unlimited pools", () => {
    const p = compileConnectionPool(undefined);
    expect(p.maxConnections).toBe(UNLIMITED);
    expect(p.maxPending).toBe(UNLIMITED);
    expect(
      compileConnectionPool({ tcp: { maxConnections: 2 }, http: { http1MaxPendingRequests: 3 } }),
    ).toMatchObject({ maxConnections: 2, maxPending: 3 });
  });
});

describe('CircuitBreaker', () => {
  it('runs up to maxConnections, queues up to maxPending, overflows beyond', () => {
    const b = breaker(1, 1);
    expect(b.acquire()).toBe(true);
    const pending = b.acquire();
    expect(typeof pending).toBe('object');
    expect(b.pending).toBe(1);
    expect(b.acquire()).toBe(OVERFLOW);
  });

  it('hands a released slot to the first waiter', async () => {
    const b = breaker(1, 2);
    b.acquire();
    const first = b.acquire() as PendingSlot;
    const second = b.acquire() as PendingSlot;
    const order: string[] = [];
    void first.ready.then(() => order.push('first'));
    void second.ready.then(() => order.push('second'));
    b.release();
    await first.ready;
    expect(order).toEqual(['first']);
    expect(b.active).toBe(1);
    expect(b.pending).toBe(1);
    b.release();
    await second.ready;
    b.release();
    expect(b.active).toBe(0);
  });

  it('a cancelled waiter leaves the queue and learns it got no slot', async () => {
    const b = breaker(1, 1);
    b.acquire();
    const slot = b.acquire() as PendingSlot;
    slot.cancel();
    expect(await slot.ready).toBe(false);
    expect(b.pending).toBe(0);
    expect(typeof b.acquire()).toBe('object');
  });

  it('cancelling after the slot was handed over leaves it with its holder', async () => {
    const b = breaker(1, 1);
    b.acquire();
    const slot = b.acquire() as PendingSlot;
    b.release();
    slot.cancel();
    expect(await slot.ready).toBe(true);
    expect(b.active).toBe(1);
    b.release();
    expect(b.active).toBe(0);
  });
});

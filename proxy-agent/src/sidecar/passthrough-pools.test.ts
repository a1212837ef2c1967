import { afterEach, describe, expect, it } from 'vitest';
import { PassthroughPools } from './passthrough-pools';

let pools: PassthroughPools | undefined;
afterEach(async () => {
  await pools?.close();
});

describe('PassthroughPools', () => {
  it('bounds CONNECT tunnels: none past the limit, a place freed once by its release', () => {
    pools = new PassthroughPools({ maxTunnels: 2 });
    const a = pools.acquireTunnel();
    const b = pools.acquireTunnel();
    expect(a && b).toBeTruthy();
    expect(pools.acquireTunnel()).toBeUndefined();
    a?.();
    a?.();
    expect(pools.openTunnels).toBe(1);
    expect(pools.acquireTunnel()).toBeDefined();
    expect(pools.acquireTunnel()).toBeUndefined();
  });

  it('keeps at most maxOrigins HTTP/2 pools, the least recently used closed first', () => {
    pools = new PassthroughPools({ maxOrigins: 2 });
    const a = pools.h2('10.0.0.1', 80);
    pools.h2('10.0.0.2', 80);
    expect(pools.h2('10.0.0.1', 80)).toBe(a);
    pools.h2('10.0.0.3', 80);
    expect(pools.size).toBe(2);
    // 10.0.0.2 was the least recently used: a new pool now; 10.0.0.1 kept.
    expect(pools.h2('10.0.0.1', 80)).toBe(a);
  });
});

import { describe, expect, it } from 'vitest';
import { type Behaviour, decide, parseBehaviour } from './app-behaviour';

const flaky: Behaviour = {
  errorBursts: { instances: ['reviews-v2-2'], periodMs: 40_000, burstMs: 15_000, failPercent: 100 },
  latencyTail: { versions: ['v3'], percent: 10, delayMs: 600 },
};

describe('demo app behaviour', () => {
  it('fails only the flaky instance, and only during its bursts', () => {
    const outcomes = new Set<number | undefined>();
    for (let t = 0; t < 40_000; t += 500)
      outcomes.add(decide(flaky, 'reviews-v2-2', 'v2', t, () => 0.5).failWith);
    expect(outcomes).toEqual(new Set([503, undefined]));
    let failing = 0;
    for (let t = 0; t < 40_000; t += 100)
      if (decide(flaky, 'reviews-v2-2', 'v2', t, () => 0.5).failWith) failing++;
    expect(failing).toBe(150); // 15 s of every 40 s
    for (let t = 0; t < 40_000; t += 500)
      expect(decide(flaky, 'reviews-v2-1', 'v2', t, () => 0).failWith).toBeUndefined();
  });

  it('adds the latency tail to the chosen version only, with the chosen share', () => {
    expect(decide(flaky, 'reviews-v3-1', 'v3', 0, () => 0.05).delayMs).toBe(330);
    expect(decide(flaky, 'reviews-v3-1', 'v3', 0, () => 0.5).delayMs).toBe(0);
    expect(decide(flaky, 'reviews-v1-1', 'v1', 0, () => 0).delayMs).toBe(0);
  });

  it('reads the annotation, and treats a broken one as no misbehaviour', () => {
    expect(parseBehaviour(JSON.stringify(flaky))).toEqual(flaky);
    expect(parseBehaviour('{nope')).toEqual({});
    expect(parseBehaviour(undefined)).toEqual({});
  });
});

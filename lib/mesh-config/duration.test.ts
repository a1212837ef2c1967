import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration';

describe('parseDuration', () => {
  it('reads the units Istio resources use', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('5s')).toBe(5000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('1m')).toBe(60_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
  });
  it('rejects what is not a duration', () => {
    for (const bad of ['', '5', 's', '5 s', '-1s', '5x', '1s junk'])
      expect(parseDuration(bad)).toBeUndefined();
  });
});

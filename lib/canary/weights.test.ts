import { describe, expect, it } from 'vitest';
import {
  isMovable,
  isValidSplit,
  largestRemainder,
  maxWeight,
  normalize,
  presetsFor,
  type Split,
  setWeight,
  sumOf,
} from './weights';

const split = (...pairs: Array<[string, number]>): Split =>
  pairs.map(([version, weight]) => ({ version, weight }));
const none = new Set<string>();

describe('largestRemainder', () => {
  it('gives the leftover units to the largest fractional parts', () => {
    // exact shares 33.33…, 33.33…, 33.33… → one of them gets the extra unit, the first on a tie
    expect(largestRemainder([1, 1, 1], 100)).toEqual([34, 33, 33]);
    // 50/30/20 of 7 → 3.5, 2.1, 1.4 → floors 3,2,1 (6), the extra unit goes to 3.5
    expect(largestRemainder([50, 30, 20], 7)).toEqual([4, 2, 1]);
  });

  it('shares equally when every value is zero and always sums to the total', () => {
    expect(largestRemainder([0, 0], 35)).toEqual([18, 17]);
    for (let total = 0; total <= 100; total += 7) {
      const out = largestRemainder([13, 0, 7, 29.5], total);
      expect(out.reduce((a, b) => a + b, 0)).toBe(total);
      expect(out.every(Number.isInteger)).toBe(true);
    }
  });

  it('treats negative and non-finite values as zero', () => {
    expect(largestRemainder([-5, Number.NaN, 10], 10)).toEqual([0, 0, 10]);
  });
});

describe('setWeight', () => {
  it('rebalances the others in proportion to their weights, keeping the sum at 100', () => {
    const out = setWeight(split(['v1', 50], ['v2', 30], ['v3', 20]), none, 'v3', 60);
    // 40 left for v1:v2 = 50:30 → 25 and 15
    expect(out).toEqual(split(['v1', 25], ['v2', 15], ['v3', 60]));
    expect(sumOf(out)).toBe(100);
  });

  it('moves a version to 100 and the others to 0', () => {
    expect(setWeight(split(['v1', 50], ['v2', 30], ['v3', 20]), none, 'v3', 100)).toEqual(
      split(['v1', 0], ['v2', 0], ['v3', 100]),
    );
  });

  it('shares equally among others that are all at 0', () => {
    expect(setWeight(split(['v1', 0], ['v2', 0], ['v3', 100]), none, 'v3', 70)).toEqual(
      split(['v1', 15], ['v2', 15], ['v3', 70]),
    );
  });

  it('keeps locked versions and clamps to what the locks leave', () => {
    const locked = new Set(['v1']);
    const start = split(['v1', 40], ['v2', 30], ['v3', 30]);
    expect(maxWeight(start, locked, 'v3')).toBe(60);
    expect(setWeight(start, locked, 'v3', 90)).toEqual(split(['v1', 40], ['v2', 0], ['v3', 60]));
    expect(setWeight(start, locked, 'v2', 10)).toEqual(split(['v1', 40], ['v2', 10], ['v3', 50]));
  });

  it('does not move a locked version, nor one that nothing unlocked can balance', () => {
    const start = split(['v1', 40], ['v2', 60]);
    expect(setWeight(start, new Set(['v1']), 'v1', 10)).toBe(start);
    expect(isMovable(start, new Set(['v2']), 'v1')).toBe(false);
    expect(setWeight(start, new Set(['v2']), 'v1', 10)).toBe(start);
  });

  it('rounds and clamps the value it is given', () => {
    const start = split(['v1', 50], ['v2', 50]);
    expect(setWeight(start, none, 'v1', 33.6)).toEqual(split(['v1', 34], ['v2', 66]));
    expect(setWeight(start, none, 'v1', -3)).toEqual(split(['v1', 0], ['v2', 100]));
    expect(setWeight(start, none, 'v1', 250)).toEqual(split(['v1', 100], ['v2', 0]));
  });

  it('keeps every result valid under many random moves', () => {
    let s: Split = split(['a', 25], ['b', 25], ['c', 25], ['d', 25]);
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 500; i++) {
      const locked = new Set(rnd() < 0.3 ? ['b'] : []);
      const v = s[Math.floor(rnd() * s.length)]?.version as string;
      const before = s.find((x) => x.version === 'b')?.weight;
      s = setWeight(s, locked, v, rnd() * 120 - 10);
      expect(isValidSplit(s)).toBe(true);
      if (locked.has('b')) expect(s.find((x) => x.version === 'b')?.weight).toBe(before);
    }
  });
});

describe('validity and normalization', () => {
  it('rejects sums other than 100, fractions, and duplicates', () => {
    expect(isValidSplit(split(['v1', 50], ['v2', 50]))).toBe(true);
    expect(isValidSplit(split(['v1', 50], ['v2', 49]))).toBe(false);
    expect(isValidSplit(split(['v1', 50.5], ['v2', 49.5]))).toBe(false);
    expect(isValidSplit(split(['v1', 50], ['v1', 50]))).toBe(false);
    expect(isValidSplit([])).toBe(false);
  });

  it('scales arbitrary weights to a valid split', () => {
    expect(normalize(split(['v1', 1], ['v2', 1], ['v3', 1]))).toEqual(
      split(['v1', 34], ['v2', 33], ['v3', 33]),
    );
    expect(normalize(split(['v1', 0], ['v2', 0]))).toEqual(split(['v1', 50], ['v2', 50]));
  });
});

describe('presetsFor', () => {
  it('offers all-to-one for each version and 90/10, 50/50 from the stable version to the newest', () => {
    const presets = presetsFor(split(['v1', 50], ['v2', 30], ['v3', 20]));
    expect(presets.map((p) => p.label)).toEqual([
      'All to v1',
      'All to v2',
      'All to v3',
      '90 v1 / 10 v3',
      '50 v1 / 50 v3',
    ]);
    expect(presets.find((p) => p.id === '90-10')?.split).toEqual(split(['v1', 90], ['v2', 0], ['v3', 10]));
    for (const p of presets) expect(isValidSplit(p.split)).toBe(true);
  });

  it('takes the busiest non-canary version as the stable one', () => {
    const presets = presetsFor(split(['v1', 10], ['v2', 70], ['v3', 20]));
    expect(presets.find((p) => p.id === '50-50')?.split).toEqual(split(['v1', 0], ['v2', 50], ['v3', 50]));
  });
});

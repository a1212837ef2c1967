import { describe, expect, it } from 'vitest';
import { histogramQuantile, histogramQuantiles } from './histogram';

const h = (pairs: [number, number][]) => new Map(pairs);

describe('histogram_quantile as Prometheus computes it', () => {
  it('interpolates linearly inside the bucket the rank falls in', () => {
    // 10 obs ≤ 10, 20 ≤ 20 (10 in (10,20]), 20 total.
    const b = h([
      [10, 10],
      [20, 20],
      [Number.POSITIVE_INFINITY, 20],
    ]);
    expect(histogramQuantile(0.5, b)).toBe(10);
    expect(histogramQuantile(0.75, b)).toBe(15);
    expect(histogramQuantile(0.25, b)).toBe(5);
  });

  it('answers the highest finite bound when the rank falls into +Inf', () => {
    const b = h([
      [10, 1],
      [Number.POSITIVE_INFINITY, 10],
    ]);
    expect(histogramQuantile(0.99, b)).toBe(10);
  });

  it('has no answer without observations or without a +Inf bucket', () => {
    expect(
      histogramQuantile(
        0.5,
        h([
          [10, 0],
          [Number.POSITIVE_INFINITY, 0],
        ]),
      ),
    ).toBeUndefined();
    expect(histogramQuantile(0.5, h([[10, 5]]))).toBeUndefined();
  });
});

describe('histogramQuantiles', () => {
  it('gives what histogramQuantile gives for each quantile, from one sort', () => {
    const b = new Map([
      [Number.POSITIVE_INFINITY, 40],
      [25, 30],
      [5, 10],
      [100, 38],
    ]);
    const qs = [0.5, 0.95, 0.99, 0, 1, Number.NaN];
    expect(histogramQuantiles(qs, b)).toEqual(qs.map((q) => histogramQuantile(q, b)));
    expect(histogramQuantiles([0.5, 0.9], new Map([[10, 3]]))).toEqual([undefined, undefined]);
  });
});

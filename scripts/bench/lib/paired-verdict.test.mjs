import { describe, expect, it } from 'vitest';
import { formatPaired, pairedVerdict } from './paired-verdict.mjs';

const pairs = (ratios) => ratios.map((r) => ({ request: r * 500, reads: 500 }));

describe("the graph bench's verdict on an API case, from each request against its own reads", () => {
  it('takes the median of the per-request ratios, not the ratio of two medians', () => {
    // The requests' median (800 ms) over the reads' median (500 ms) is 1.6×: a miss; each request against its own
    // reads is 1.43× or less in 2 pairs of 3.
    const v = pairedVerdict(
      [
        { request: 800, reads: 560 },
        { request: 640, reads: 460 },
        { request: 900, reads: 500 },
      ],
      1.5,
    );
    expect(v.median).toBeCloseTo(800 / 560);
    expect(v.within).toBe(2);
    expect(v.ok).toBe(true);
  });

  it('misses when more than half the pairs are above the target', () => {
    const v = pairedVerdict(pairs([1.2, 1.55, 1.6, 1.45, 1.7]), 1.5);
    expect(v.median).toBeCloseTo(1.55);
    expect(v.within).toBe(2);
    expect(v.ok).toBe(false);
  });

  it('gives the spread of nine pairs as the middle half and the range', () => {
    const v = pairedVerdict(pairs([1.95, 1.22, 1.49, 1.4, 1.55, 1.3, 1.62, 1.44, 1.5]), 1.5);
    expect(v.median).toBeCloseTo(1.49);
    expect(v.q1).toBeCloseTo(1.4);
    expect(v.q3).toBeCloseTo(1.55);
    expect(formatPaired(v, 1.5)).toBe('1.49× (middle half 1.40–1.55, all 1.22–1.95; 6 of 9 within 1.5×)');
  });

  it('of an even count, the median is the mean of the two middle ratios', () => {
    expect(pairedVerdict(pairs([1.3, 1.6]), 1.5).median).toBeCloseTo(1.45);
    expect(pairedVerdict(pairs([1.3, 1.6]), 1.5).ok).toBe(true);
  });

  it('has no verdict without pairs', () => {
    expect(pairedVerdict([], 1.5)).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { plateau } from './next-memory.mjs';

describe("the graph bench's plateau check of the Next server's memory", () => {
  it('calls samples that level off bounded, a few MB of noise included', () => {
    expect(plateau([235, 253, 253, 254, 254, 254, 254, 254, 254, 254, 255, 254]).ok).toBe(true);
    expect(plateau([797, 790, 745, 747, 748, 747, 744, 742, 749, 737, 749, 766]).ok).toBe(true);
  });

  it('calls samples that keep growing by the same amount each poll still growing', () => {
    const growing = Array.from({ length: 15 }, (_, i) => 270 + 8 * i);
    const r = plateau(growing);
    expect(r.ok).toBe(false);
    expect(r.text).toContain('+40 MB');
  });

  it('says when there are too few samples to tell', () => {
    expect(plateau([1, 2]).ok).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { addTo, RateTally, Tally } from './tally';

describe('Tally', () => {
  it('keeps values by key in insertion order, as a Map does', () => {
    const t = new Tally<number>();
    const m = new Map<string, number>();
    for (const [k, v] of [
      ['b', 1],
      ['a', 2],
      ['b', 3],
      ['c', 4],
      ['a', 5],
    ] as const) {
      addTo(t, k, v);
      m.set(k, (m.get(k) ?? 0) + v);
    }
    expect(t.size).toBe(3);
    expect(t.entries()).toEqual([...m.entries()]);
    expect([...t]).toEqual([...m]);
    expect(t.keys()).toEqual(['b', 'a', 'c']);
    expect(t.values()).toEqual([4, 7, 4]);
    expect(t.get('a')).toBe(7);
    expect(t.get('z')).toBeUndefined();
    expect([t.firstKey(), t.firstValue()]).toEqual(['b', 4]);
  });

  it('is empty until a key is set', () => {
    const t = new Tally<string>();
    expect(t.size).toBe(0);
    expect(t.firstKey()).toBeUndefined();
    expect(t.entries()).toEqual([]);
  });
});

describe('RateTally', () => {
  it('adds as addTo does on a Tally: the same sums, keys in the same order', () => {
    const rates = new RateTally();
    const t = new Tally<number>();
    for (const [k, v] of [
      ['b', 0.1],
      ['a', 0.2],
      ['b', 0.7],
      ['c', 1 / 3],
      ['a', 5],
      ['b', 2 ** -40],
    ] as const) {
      rates.add(k, v);
      addTo(t, k, v);
    }
    const seen: [string, number][] = [];
    rates.forEach((v, k) => {
      seen.push([k, v]);
    });
    expect(seen).toEqual(t.entries());
    expect(rates.size).toBe(3);
    expect(rates.keys()).toEqual(['b', 'a', 'c']);
    expect(rates.get('b')).toBe(t.get('b'));
    expect(rates.get('z')).toBeUndefined();
    expect([rates.firstKey(), rates.firstValue()]).toEqual([t.firstKey(), t.firstValue()]);
  });

  it('is empty until a key is added (no first value)', () => {
    const rates = new RateTally();
    expect([rates.size, rates.firstKey(), rates.firstValue(), rates.get('a')]).toEqual([
      0,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

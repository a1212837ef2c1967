import { describe, expect, it } from 'vitest';
import { addTo, Tally } from './tally';

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

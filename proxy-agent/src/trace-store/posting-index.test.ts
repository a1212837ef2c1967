import { describe, expect, it } from 'vitest';
import { PostingIndex, TermTable, termHash, toTerm } from './posting-index';

const item = (name: string) => ({ name, live: true });
const names = (items: readonly { name: string; live: boolean }[]) =>
  items.filter((i) => i.live).map((i) => i.name);

describe('PostingIndex', () => {
  it('holds a bare item, then an array, and shrinks back as items are removed', () => {
    const index = new PostingIndex<{ name: string; live: boolean }>();
    const [a, b] = [item('a'), item('b')];
    index.add(1, a);
    expect(index.size(1)).toBe(1);
    index.add(1, b);
    expect(names(index.items(1))).toEqual(['a', 'b']);
    a.live = false;
    index.remove(1, a);
    expect(index.size(1)).toBe(1);
    expect(names(index.items(1))).toEqual(['b']);
    b.live = false;
    index.remove(1, b);
    expect(index.size(1)).toBe(0);
    expect(index.termCount).toBe(0);
  });

  it('counts removed items at once and compacts the array once half of it is dead', () => {
    const index = new PostingIndex<{ name: string; live: boolean }>();
    const all = Array.from({ length: 10 }, (_, i) => item(`t${i}`));
    for (const i of all) index.add(7, i);
    for (const i of all.slice(0, 5)) {
      i.live = false;
      index.remove(7, i);
    }
    expect(index.size(7)).toBe(5);
    expect(index.items(7)).toHaveLength(10); // dead kept until more than half are dead
    const sixth = all[5] as { name: string; live: boolean };
    sixth.live = false;
    index.remove(7, sixth);
    expect(index.size(7)).toBe(4);
    expect(index.items(7).map((i) => i.name)).toEqual(['t6', 't7', 't8', 't9']);
  });

  it('hashes chained parts so that their boundaries matter, into small integers', () => {
    const ab_c = toTerm(termHash('c', termHash('ab')));
    const a_bc = toTerm(termHash('bc', termHash('a')));
    expect(ab_c).not.toBe(a_bc);
    expect(Number.isInteger(ab_c) && ab_c >= 0 && ab_c < 2 ** 30).toBe(true);
  });

  it('keeps terms in an open-addressed table that agrees with a Map through inserts, deletes and growth', () => {
    const table = new TermTable<number>();
    const reference = new Map<number, number>();
    // A small generator (no Math.random: the same sequence every run); many terms share their low bits,
    // so that runs of probes form, wrap around the end and are shifted back on deletion.
    let seed = 12345;
    const next = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      return seed;
    };
    for (let step = 0; step < 20_000; step++) {
      const term = (next() % 64) * 1024 + (next() % 8) + (next() % 2 === 0 ? 1023 : 0);
      if (next() % 3 === 0) {
        table.delete(term);
        reference.delete(term);
      } else {
        table.set(term, step);
        reference.set(term, step);
      }
      if (step % 997 === 0) {
        for (let t = 0; t < 70 * 1024; t += 1) {
          if (table.get(t) !== reference.get(t))
            expect(`${t}: ${table.get(t)}`).toBe(`${t}: ${reference.get(t)}`);
        }
      }
      expect(table.size).toBe(reference.size);
    }
    for (const [term, value] of reference) expect(table.get(term)).toBe(value);
  });

  it('finds terms of a run that wraps past the end of the table after one before them is deleted', () => {
    const table = new TermTable<string>();
    // In 1,024 slots: 1022 and 1023 at their homes, 1024 and 2048 (home 0) wrapped to slots 0 and 1.
    for (const t of [1022, 1023, 1024, 2048]) table.set(t, `v${t}`);
    table.delete(1023);
    expect([1022, 1023, 1024, 2048].map((t) => table.get(t))).toEqual(['v1022', undefined, 'v1024', 'v2048']);
    table.delete(1022);
    expect([1024, 2048].map((t) => table.get(t))).toEqual(['v1024', 'v2048']);
    expect(table.size).toBe(2);
  });
});

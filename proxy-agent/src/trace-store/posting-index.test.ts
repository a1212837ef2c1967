import { describe, expect, it } from 'vitest';
import { PostingIndex, termHash, toTerm } from './posting-index';

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
});

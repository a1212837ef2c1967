import { describe, expect, it } from 'vitest';
import { PostingIndex, termHash, toTerm } from './posting-index';

describe('PostingIndex', () => {
  it('holds a bare id, then a set, and shrinks back as ids are removed', () => {
    const index = new PostingIndex();
    index.add(1, 'a');
    index.add(1, 'a');
    expect(index.size(1)).toBe(1);
    index.add(1, 'b');
    expect([...index.ids(1)]).toEqual(['a', 'b']);
    expect(index.has(1, 'b')).toBe(true);
    index.remove(1, 'a');
    expect([...index.ids(1)]).toEqual(['b']);
    index.remove(1, 'b');
    expect(index.size(1)).toBe(0);
    expect(index.termCount).toBe(0);
  });

  it('hashes chained parts so that their boundaries matter, into small integers', () => {
    const ab_c = toTerm(termHash('c', termHash('ab')));
    const a_bc = toTerm(termHash('bc', termHash('a')));
    expect(ab_c).not.toBe(a_bc);
    expect(Number.isInteger(ab_c) && ab_c >= 0 && ab_c < 2 ** 30).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { mergePatch } from './merge-patch';

describe('mergePatch (RFC 7386)', () => {
  it('merges objects, deletes with null, replaces arrays and scalars', () => {
    expect(
      mergePatch(
        { a: 'b', c: { d: 'e', f: 'g' }, list: [1, 2], keep: true },
        { a: 'z', c: { f: null, h: 1 }, list: [3] },
      ),
    ).toEqual({ a: 'z', c: { d: 'e', h: 1 }, list: [3], keep: true });
    expect(mergePatch({ a: 1 }, [1])).toEqual([1]);
    expect(mergePatch('text', { a: { b: null, c: 1 } })).toEqual({ a: { c: 1 } });
  });
});

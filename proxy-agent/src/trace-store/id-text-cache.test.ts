import { describe, expect, it } from 'vitest';
import { IdTextCache } from './id-text-cache';

const viewOf = (b: Buffer) => new DataView(b.buffer, b.byteOffset, b.length);

describe('IdTextCache', () => {
  it('answers the text of the very bytes remembered, never of other bytes sharing a slot', () => {
    const cache = new IdTextCache(16, 1024);
    const ids = Array.from({ length: 5000 }, (_, i) => {
      const b = Buffer.alloc(20); // at offset 2: ids need not be aligned
      b.writeUInt32BE(i, 2);
      b.writeUInt32BE(i * 7919, 14);
      return b;
    });
    for (const b of ids) cache.remember(viewOf(b), 2, b.toString('hex', 2, 18));
    let found = 0;
    for (const b of ids) {
      const text = cache.find(viewOf(b), 2);
      if (text !== undefined) {
        expect(text).toBe(b.toString('hex', 2, 18));
        found++;
      }
    }
    // 1,024 slots: the latest ids are there, the rest were overwritten (bounded), none answered wrongly.
    expect(found).toBeGreaterThan(0);
    expect(found).toBeLessThanOrEqual(1024);
    const last = ids[ids.length - 1] as Buffer;
    expect(cache.find(viewOf(last), 2)).toBe(last.toString('hex', 2, 18));
    // Same first and last words, a different middle: not the remembered id.
    const twin = Buffer.from(last);
    twin[9] = (twin[9] as number) ^ 0xff;
    expect(cache.find(viewOf(twin), 2)).toBeUndefined();
  });
});

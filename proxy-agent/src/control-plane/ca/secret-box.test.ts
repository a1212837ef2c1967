import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { open, parseEncryptionKey, seal } from './secret-box';

describe('secret box', () => {
  const key = randomBytes(32);
  it('opens what it sealed, and nothing sealed under another key or place', () => {
    const sealed = seal(key, 'PRIVATE KEY', 'roots');
    expect(sealed.data).not.toContain('PRIVATE');
    expect(open(key, sealed, 'roots')).toBe('PRIVATE KEY');
    expect(() => open(randomBytes(32), sealed, 'roots')).toThrow(/does not open/);
    expect(() => open(key, sealed, 'elsewhere')).toThrow(/does not open/);
  });
  it('reads a key as raw bytes, hex or base64, and refuses a short one', () => {
    expect(parseEncryptionKey(key, 'f')).toEqual(key);
    expect(parseEncryptionKey(Buffer.from(`${key.toString('hex')}\n`), 'f')).toEqual(key);
    expect(parseEncryptionKey(Buffer.from(key.toString('base64')), 'f')).toEqual(key);
    expect(() => parseEncryptionKey(Buffer.from('short'), 'f')).toThrow(/256-bit/);
  });
});

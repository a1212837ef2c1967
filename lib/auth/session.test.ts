import { describe, expect, it } from 'vitest';
import { decodeSession, encodeSession } from './session';
import { parseTokenText, userForToken } from './token-file';

describe('session cookie', () => {
  const secret = 'test-secret';
  it('round-trips a session until it expires', () => {
    const value = encodeSession({ user: 'alice', exp: 1000 }, secret);
    expect(decodeSession(value, secret, 999)).toEqual({ user: 'alice', exp: 1000 });
    expect(decodeSession(value, secret, 1000)).toBeUndefined();
  });

  it('rejects a session signed with another secret or altered by the browser', () => {
    const value = encodeSession({ user: 'alice', exp: 1000 }, secret);
    expect(decodeSession(value, 'other', 0)).toBeUndefined();
    const [, sig] = value.split('.');
    const forged = `${Buffer.from(JSON.stringify({ user: 'admin', exp: 1000 })).toString('base64url')}.${sig}`;
    expect(decodeSession(forged, secret, 0)).toBeUndefined();
    expect(decodeSession('garbage', secret, 0)).toBeUndefined();
    expect(decodeSession(`${value}.x`, secret, 0)).toBeUndefined();
  });
});

describe('sign-in tokens', () => {
  it('reads the static token format and finds the user of a token', () => {
    const tokens = parseTokenText('# users\ns3cret,alice\n\nbare-token\n');
    expect(userForToken('s3cret', tokens)).toBe('alice');
    expect(userForToken(' bare-token ', tokens)).toBe('admin');
    expect(userForToken('wrong', tokens)).toBeUndefined();
    expect(userForToken('', parseTokenText(''))).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { parseTokenText } from '../../../lib/auth/token-file';
import { authenticate } from './auth';

describe('bearer tokens', () => {
  const tokens = parseTokenText('# comment\ns3cret\nother-token,alice,1001,"ops"\n');

  it('maps each token to its identity (a bare token is admin)', () => {
    expect(authenticate('Bearer s3cret', tokens)).toBe('admin');
    expect(authenticate('s3cret', tokens)).toBe('admin');
    expect(authenticate('bearer other-token', tokens)).toBe('alice');
  });

  it('refuses a missing, malformed or wrong token', () => {
    expect(authenticate(undefined, tokens)).toBeUndefined();
    expect(authenticate('', tokens)).toBeUndefined();
    expect(authenticate('Bearer', tokens)).toBeUndefined();
    expect(authenticate('Bearer s3cre', tokens)).toBeUndefined();
    expect(authenticate('Basic s3cret', tokens)).toBeUndefined();
  });
});

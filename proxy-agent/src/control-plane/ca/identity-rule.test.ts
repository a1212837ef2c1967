import { describe, expect, it } from 'vitest';
import { type IdentityPolicy, mayHold, serviceAccountOf } from './identity-rule';

const policy: IdentityPolicy = {
  trustDomain: 'cluster.local',
  adminUsers: new Set(['admin']),
  allowAnonymous: false,
  anonymousUser: 'anonymous',
};
const id = (namespace: string, serviceAccount: string, trustDomain = 'cluster.local') => ({
  trustDomain,
  namespace,
  serviceAccount,
});

describe('which identities a caller may be issued', () => {
  it('gives a service-account user its own identity and nothing else', () => {
    const user = 'system:serviceaccount:bookinfo:reviews';
    expect(mayHold(user, id('bookinfo', 'reviews'), policy).ok).toBe(true);
    expect(mayHold(user, id('bookinfo', 'ratings'), policy)).toMatchObject({ ok: false });
    expect(mayHold(user, id('default', 'reviews'), policy)).toMatchObject({ ok: false });
  });

  it('gives admins any identity of the trust domain, and nobody one of another domain', () => {
    expect(mayHold('admin', id('x', 'y'), policy).ok).toBe(true);
    expect(mayHold('admin', id('x', 'y', 'evil.example'), policy)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('evil.example'),
    });
  });

  it('refuses other users and anonymous callers unless allowed', () => {
    expect(mayHold('alice', id('x', 'y'), policy).ok).toBe(false);
    expect(mayHold('anonymous', id('x', 'y'), policy).ok).toBe(false);
    expect(mayHold('anonymous', id('x', 'y'), { ...policy, allowAnonymous: true }).ok).toBe(true);
  });

  it('reads only well-formed service-account user names', () => {
    expect(serviceAccountOf('system:serviceaccount:ns:sa')).toEqual({
      namespace: 'ns',
      serviceAccount: 'sa',
    });
    for (const u of [
      'system:serviceaccount:ns',
      'system:serviceaccount:ns:sa:x',
      'system:serviceaccount::sa',
    ])
      expect(serviceAccountOf(u), u).toBeUndefined();
  });
});

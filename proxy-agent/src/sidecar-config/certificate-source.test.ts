import { describe, expect, it } from 'vitest';
import { RENEWAL_JITTER, renewalDelayMs } from './certificate-source';
import { linkOptionsFromFlags } from './control-plane-flags';

describe('when a workload certificate is renewed', () => {
  it('at half the life left, give or take 1 %', () => {
    const life = 24 * 3_600_000;
    expect(renewalDelayMs(0, life, () => 0.5)).toBe(life / 2);
    expect(renewalDelayMs(0, life, () => 0)).toBe(Math.round(life * (0.5 - RENEWAL_JITTER)));
    expect(renewalDelayMs(0, life, () => 1)).toBe(Math.round(life * (0.5 + RENEWAL_JITTER)));
  });

  it('never at once, even for a certificate already expired', () => {
    expect(renewalDelayMs(10_000, 5_000, () => 0.5)).toBeGreaterThan(0);
  });
});

describe('the sidecar flags for TLS and identity', () => {
  it('default the service account to the workload name and pass the CA file on', () => {
    expect(
      linkOptionsFromFlags(
        { 'control-plane-ca-file': '/ca.pem' },
        { namespace: 'bookinfo', name: 'reviews-v1' },
      ),
    ).toEqual({ caFile: '/ca.pem', identity: { namespace: 'bookinfo', serviceAccount: 'reviews-v1' } });
    expect(
      linkOptionsFromFlags(
        { 'service-account': 'reviews', 'trust-domain': 'corp.example', 'workload-cert-ttl': '10s' },
        { namespace: 'bookinfo', name: 'reviews-v1' },
      ),
    ).toEqual({
      identity: { namespace: 'bookinfo', serviceAccount: 'reviews', trustDomain: 'corp.example' },
      certificateValiditySeconds: 10,
    });
    expect(linkOptionsFromFlags({}, { namespace: 'a', name: 'b' }, false)).toEqual({});
  });

  it('refuse a lifetime that is not a whole duration', () => {
    for (const ttl of ['soon', '1.5h', '0s', '-1s'])
      expect(
        () => linkOptionsFromFlags({ 'workload-cert-ttl': ttl }, { namespace: 'a', name: 'b' }),
        ttl,
      ).toThrow(/--workload-cert-ttl/);
  });
});

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { THEME_BOOTSTRAP_SCRIPT } from '../ui/theme-script';
import { contentSecurityPolicy, newNonce, securityHeaders } from './security-headers';

const directives = (csp: string) => new Map(csp.split('; ').map((d) => [d.split(' ')[0], d]));

describe('contentSecurityPolicy', () => {
  it('runs only scripts with the nonce (and the theme script by its hash), and refuses framing', () => {
    const csp = directives(contentSecurityPolicy({ nonce: 'abc123', dev: false, https: false }));
    const hash = createHash('sha256').update(THEME_BOOTSTRAP_SCRIPT).digest('base64');
    expect(csp.get('script-src')).toBe(`script-src 'self' 'nonce-abc123' 'sha256-${hash}' 'strict-dynamic'`);
    expect(csp.get('script-src')).not.toContain('unsafe-inline');
    expect(csp.get('frame-ancestors')).toBe("frame-ancestors 'none'");
    expect(csp.get('object-src')).toBe("object-src 'none'");
    expect(csp.get('base-uri')).toBe("base-uri 'self'");
    expect(csp.has('upgrade-insecure-requests')).toBe(false);
  });

  it('allows eval only in dev mode, and upgrades subresources only over HTTPS', () => {
    expect(contentSecurityPolicy({ nonce: 'n', dev: true, https: false })).toContain("'unsafe-eval'");
    expect(contentSecurityPolicy({ nonce: 'n', dev: false, https: true })).toContain(
      'upgrade-insecure-requests',
    );
  });

  it('gives every request its own nonce', () => {
    expect(newNonce()).not.toBe(newNonce());
    expect(Buffer.from(newNonce(), 'base64')).toHaveLength(16);
  });
});

describe('securityHeaders', () => {
  it('adds the old-browser framing refusal, nosniff and a referrer policy', () => {
    expect(securityHeaders('csp')).toEqual({
      'content-security-policy': 'csp',
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'same-origin',
    });
  });
});

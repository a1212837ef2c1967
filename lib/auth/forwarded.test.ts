import { describe, expect, it } from 'vitest';
import { clientKey, isHttps } from './forwarded';

describe('isHttps', () => {
  it('believes a TLS socket', () => {
    expect(isHttps({ urlProtocol: 'https:', forwardedProto: null, trustForwardedProto: false })).toBe(true);
    expect(isHttps({ urlProtocol: 'http:', forwardedProto: null, trustForwardedProto: true })).toBe(false);
  });

  it('believes X-Forwarded-Proto only when told a proxy in front sets it', () => {
    // Next.js turns X-Forwarded-Proto into the URL's protocol by itself; that alone proves nothing.
    expect(isHttps({ urlProtocol: 'https:', forwardedProto: 'https', trustForwardedProto: false })).toBe(
      false,
    );
    expect(isHttps({ urlProtocol: 'https:', forwardedProto: 'https', trustForwardedProto: true })).toBe(true);
    expect(isHttps({ urlProtocol: 'https:', forwardedProto: 'HTTPS, http', trustForwardedProto: true })).toBe(
      true,
    );
    expect(isHttps({ urlProtocol: 'http:', forwardedProto: 'http', trustForwardedProto: true })).toBe(false);
  });
});

describe('clientKey', () => {
  it('keys by the address the nearest proxy appended', () => {
    expect(clientKey('127.0.0.1')).toBe('127.0.0.1');
    expect(clientKey('6.6.6.6, 10.0.0.7')).toBe('10.0.0.7');
    expect(clientKey('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(clientKey(null)).toBe('unknown');
  });

  it('keys IPv6 clients by their /64, however the address is written', () => {
    expect(clientKey('2001:db8:0:1::5')).toBe('2001:db8:0:1::/64');
    expect(clientKey('2001:0db8:0000:0001:ffff:0:0:9')).toBe('2001:db8:0:1::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('not:an:address::x')).toBe('not:an:address::x');
  });
});

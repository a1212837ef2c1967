import { describe, expect, it } from 'vitest';
import { requestTarget } from './outbound';

describe('requestTarget', () => {
  it('reads host and port from the Host header of an origin-form request', () => {
    expect(requestTarget('/a?b=1', 'reviews:9080')).toEqual({
      hostname: 'reviews',
      port: 9080,
      path: '/a?b=1',
    });
    expect(requestTarget('/', 'reviews.default')).toEqual({
      hostname: 'reviews.default',
      port: 0,
      path: '/',
    });
  });

  it('reads them from the URL of an absolute-form (proxy) request', () => {
    expect(requestTarget('http://httpbin.org/get?x=1', 'ignored')).toEqual({
      hostname: 'httpbin.org',
      port: 0,
      path: '/get?x=1',
    });
    expect(requestTarget('http://ratings:9080/r', undefined)).toEqual({
      hostname: 'ratings',
      port: 9080,
      path: '/r',
    });
  });

  it('gives no host for a missing Host or an unparsable target', () => {
    expect(requestTarget('/', undefined).hostname).toBe('');
    expect(requestTarget('http://', undefined).hostname).toBe('');
  });
});

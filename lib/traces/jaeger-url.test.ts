import { describe, expect, it } from 'vitest';
import { jaegerUrlFromEnv } from './jaeger-url';

describe('jaegerUrlFromEnv', () => {
  it('takes the base URL from JAEGER_URL only, http(s) only', () => {
    expect(jaegerUrlFromEnv({})).toBe('http://127.0.0.1:16686');
    expect(jaegerUrlFromEnv({ JAEGER_URL: 'http://127.0.0.1:5000/' })).toBe('http://127.0.0.1:5000');
    expect(() => jaegerUrlFromEnv({ JAEGER_URL: 'file:///etc/passwd' })).toThrow(/http/);
  });
});

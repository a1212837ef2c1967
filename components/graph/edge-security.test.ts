import { describe, expect, it } from 'vitest';
import { mtlsWords } from './edge-security';

describe('the edge panel’s mTLS share in words', () => {
  it('says all, none or the share, and nothing when no destination reported it', () => {
    expect(mtlsWords(100)).toContain('All requests over mutual TLS');
    expect(mtlsWords(0)).toContain('all in plaintext');
    expect(mtlsWords(75)).toMatch(/75 ?% of requests over mutual TLS, the rest in plaintext/);
    expect(mtlsWords(undefined)).toBeUndefined();
  });
});

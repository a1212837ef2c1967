import { describe, expect, it } from 'vitest';
import { hasRequestBody, upstreamHeaders } from './upstream';

describe('upstreamHeaders', () => {
  it('drops hop-by-hop headers, the caller B3 and content-length, keeps the rest in order, adds the new ones', () => {
    const raw = [
      'Host',
      'reviews:9080',
      'Connection',
      'keep-alive',
      'X-B3-TraceId',
      'aaaa',
      'b3',
      '0',
      'Content-Length',
      '3',
      'X-Custom',
      'a',
      'x-meshlens-peer',
      'spoofed',
      'Transfer-Encoding',
      'chunked',
      'end-user',
      'jason',
    ];
    expect(upstreamHeaders(raw, { 'x-b3-traceid': 'bbbb' }, 'x-meshlens-peer')).toEqual([
      'Host',
      'reviews:9080',
      'X-Custom',
      'a',
      'end-user',
      'jason',
      'x-b3-traceid',
      'bbbb',
    ]);
  });
});

describe('hasRequestBody', () => {
  it('is true for a non-zero content-length or a transfer-encoding', () => {
    expect(hasRequestBody({})).toBe(false);
    expect(hasRequestBody({ 'content-length': '0' })).toBe(false);
    expect(hasRequestBody({ 'content-length': '12' })).toBe(true);
    expect(hasRequestBody({ 'transfer-encoding': 'chunked' })).toBe(true);
  });
});

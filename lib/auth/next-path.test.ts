import { describe, expect, it } from 'vitest';
import { safeNextPath } from './next-path';

describe('safeNextPath', () => {
  it('keeps a page of this dashboard, with its query', () => {
    expect(safeNextPath('/services/reviews?namespace=default')).toBe('/services/reviews?namespace=default');
    expect(safeNextPath('/graph#top')).toBe('/graph#top');
  });

  it('sends every way off the site to the home page', () => {
    for (const evil of [
      '//evil.com',
      '/\\evil.com',
      '\\\\evil.com',
      '/\t/evil.com',
      '/\n/evil.com',
      ' //evil.com',
      'https://evil.com',
      'HTTP://evil.com/',
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'http://meshlens.invalid@evil.com',
    ])
      expect(safeNextPath(evil), JSON.stringify(evil)).toBe('/');
  });

  it('treats an encoded backslash as a path on this site, never as a host', () => {
    // `/%5Cevil.com` in a query string arrives decoded (`/\evil.com`, refused above); encoded twice
    // it is an ordinary (missing) page here.
    expect(safeNextPath('/%5Cevil.com')).toBe('/%5Cevil.com');
  });

  it('goes home when next is missing, repeated or empty', () => {
    expect(safeNextPath(undefined)).toBe('/');
    expect(safeNextPath(['/a', '/b'])).toBe('/');
    expect(safeNextPath('')).toBe('/');
  });
});

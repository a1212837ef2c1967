import { describe, expect, it } from 'vitest';
import { gate } from './request-gate';

const base = {
  host: '127.0.0.1:3000',
  pathname: '/graph',
  search: '',
  allowedHosts: [],
  readsNeedSession: false,
  signedIn: false,
};

describe('gate', () => {
  it('refuses a request for another name before anything else, signed in or not', () => {
    for (const pathname of ['/graph', '/api/graph', '/sign-in', '/_next/static/chunks/a.js'])
      expect(gate({ ...base, pathname, host: 'rebind.example:3000', signedIn: true }).kind).toBe(
        'misdirected',
      );
    expect(gate({ ...base, host: 'mesh.example.com', allowedHosts: ['mesh.example.com'] })).toEqual({
      kind: 'pass',
    });
  });

  it('lets anyone read when reads need no session', () => {
    expect(gate(base)).toEqual({ kind: 'pass' });
    expect(gate({ ...base, pathname: '/api/traces' })).toEqual({ kind: 'pass' });
  });

  it('sends a page visitor without a session to sign-in, back to the page afterwards', () => {
    expect(
      gate({ ...base, readsNeedSession: true, pathname: '/services/reviews', search: '?namespace=x' }),
    ).toEqual({
      kind: 'sign-in',
      location: '/sign-in?next=%2Fservices%2Freviews%3Fnamespace%3Dx',
    });
  });

  it('answers 401 to an API read without a session, and lets sign-in and assets through', () => {
    expect(gate({ ...base, readsNeedSession: true, pathname: '/api/traces' }).kind).toBe('unauthorized');
    expect(gate({ ...base, readsNeedSession: true, pathname: '/api' }).kind).toBe('unauthorized');
    for (const pathname of ['/sign-in', '/api/auth/session', '/_next/static/chunks/app.js', '/icon.svg'])
      expect(gate({ ...base, readsNeedSession: true, pathname }), pathname).toEqual({ kind: 'pass' });
    expect(gate({ ...base, readsNeedSession: true, pathname: '/api/auth/sessions' }).kind).toBe(
      'unauthorized',
    );
    expect(gate({ ...base, readsNeedSession: true, signedIn: true, pathname: '/api/traces' })).toEqual({
      kind: 'pass',
    });
  });
});

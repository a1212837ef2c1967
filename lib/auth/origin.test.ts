import { describe, expect, it } from 'vitest';
import { checkOrigin } from './origin';

const base = { origin: null, secFetchSite: null, host: '127.0.0.1:3000' };

describe('checkOrigin', () => {
  it('lets the dashboard’s own pages write', () => {
    expect(checkOrigin({ ...base, origin: 'http://127.0.0.1:3000', secFetchSite: 'same-origin' })).toEqual({
      ok: true,
    });
  });

  it('refuses another origin, another port of the same host included', () => {
    const evil = checkOrigin({ ...base, origin: 'http://evil.example' });
    expect(evil).toEqual({
      ok: false,
      message: 'cross-site write refused: Origin http://evil.example is not this dashboard (127.0.0.1:3000)',
    });
    expect(checkOrigin({ ...base, origin: 'http://127.0.0.1:4000' }).ok).toBe(false);
    expect(checkOrigin({ ...base, origin: 'null' }).ok).toBe(false);
  });

  it('refuses cross-site and same-site fetches by Fetch Metadata even without Origin', () => {
    expect(checkOrigin({ ...base, secFetchSite: 'cross-site' }).ok).toBe(false);
    expect(checkOrigin({ ...base, secFetchSite: 'same-site' }).ok).toBe(false);
    expect(checkOrigin({ ...base, origin: 'http://127.0.0.1:3000', secFetchSite: 'cross-site' }).ok).toBe(
      false,
    );
  });

  it('allows configured origins (a reverse proxy in front of the dashboard)', () => {
    const input = {
      origin: 'https://mesh.example.com',
      secFetchSite: 'cross-site',
      host: '127.0.0.1:3000',
      allowedOrigins: ['https://mesh.example.com/'],
    };
    expect(checkOrigin(input).ok).toBe(true);
  });

  it('lets non-browser clients without Origin or Fetch Metadata through', () => {
    expect(checkOrigin(base).ok).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { ApplyRequestSchema } from './apply-plan';
import { parseBody, parseServiceParams, parseWindow } from './params';

describe('route handler input', () => {
  it('accepts DNS-1123 names only', () => {
    expect(parseServiceParams({ namespace: 'bookinfo', name: 'reviews' }).ok).toBe(true);
    expect(parseServiceParams({ namespace: 'bookinfo', name: 'Reviews"}' })).toEqual({
      ok: false,
      message: 'name "Reviews\\"}" is not a DNS-1123 label',
    });
  });

  it('defaults the observed window and refuses unknown ones', () => {
    expect(parseWindow(null)).toEqual({ ok: true, value: '30s' });
    expect(parseWindow('1m')).toEqual({ ok: true, value: '1m' });
    expect(parseWindow('1m]) or vector(1')).toMatchObject({ ok: false });
  });

  it('reads a JSON body against its schema', async () => {
    const req = (body: string) => new Request('http://x/', { method: 'PUT', body });
    expect(await parseBody(req('{'), ApplyRequestSchema)).toEqual({
      ok: false,
      message: 'the request body is not JSON',
    });
    const bad = await parseBody(req('{"split":[],"resourceVersion":"1"}'), ApplyRequestSchema);
    expect(bad.ok).toBe(false);
    const good = await parseBody(
      req('{"split":[{"version":"v1","weight":100}],"resourceVersion":null}'),
      ApplyRequestSchema,
    );
    expect(good).toEqual({
      ok: true,
      value: { split: [{ version: 'v1', weight: 100 }], resourceVersion: null },
    });
  });
});

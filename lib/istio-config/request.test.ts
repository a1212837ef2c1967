// The route handlers' input checks: kinds by Kiali's plural or name, DNS names, the body cap, and a
// replace that must name its URL's resource and the version it was read at.
import { describe, expect, it } from 'vitest';
import type { MeshResource } from '../mesh-config/schema';
import { failureOf } from './outcome';
import { checkReplace, maxBodyBytes, parseResourceBody, parseResourceParams } from './request';

const post = (body: string) =>
  new Request('http://127.0.0.1/api/istio', {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
  });

const vs = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'reviews', namespace: 'bookinfo', resourceVersion: '7' },
  spec: { hosts: ['reviews'] },
} as unknown as MeshResource;

describe('parseResourceParams', () => {
  it('takes the plural (Kiali’s links) or the kind, any case', () => {
    const a = parseResourceParams({ namespace: 'bookinfo', kind: 'virtualservices', name: 'reviews' });
    const b = parseResourceParams({ namespace: 'bookinfo', kind: 'VirtualService', name: 'reviews' });
    expect(a).toEqual({
      ok: true,
      value: { namespace: 'bookinfo', kind: 'VirtualService', name: 'reviews' },
    });
    expect(b).toEqual(a);
  });
  it('refuses unknown kinds and names that are not DNS labels', () => {
    expect(parseResourceParams({ namespace: 'bookinfo', kind: 'secrets', name: 'x' }).ok).toBe(false);
    expect(parseResourceParams({ namespace: '../etc', kind: 'virtualservices', name: 'x' }).ok).toBe(false);
  });
});

describe('parseResourceBody', () => {
  it('accepts {resource} of a known kind and leaves the rest to the control plane', async () => {
    const r = await parseResourceBody(post(JSON.stringify({ resource: vs })));
    expect(r).toEqual({ ok: true, value: vs });
  });
  it('refuses bodies that are not JSON, lack a resource, name an unknown kind, or pass the cap', async () => {
    expect(await parseResourceBody(post('{'))).toEqual({
      ok: false,
      message: 'the request body is not JSON',
    });
    expect((await parseResourceBody(post('{}'))).ok).toBe(false);
    const secret = { ...vs, kind: 'Secret' };
    expect(await parseResourceBody(post(JSON.stringify({ resource: secret })))).toMatchObject({ ok: false });
    const big = JSON.stringify({ resource: { ...vs, spec: { pad: 'x'.repeat(2000) } } });
    expect(await parseResourceBody(post(big), 1000)).toEqual({
      ok: false,
      message: 'the body is larger than 1000 bytes',
    });
  });
  it('the cap comes from MESHLENS_ISTIO_MAX_BODY_BYTES, a bad value keeps the default', () => {
    expect(maxBodyBytes({ MESHLENS_ISTIO_MAX_BODY_BYTES: '2048' })).toBe(2048);
    expect(maxBodyBytes({ MESHLENS_ISTIO_MAX_BODY_BYTES: 'lots' })).toBe(512 * 1024);
  });
});

describe('checkReplace', () => {
  const params = { namespace: 'bookinfo', kind: 'VirtualService', name: 'reviews' } as const;
  it('needs the URL’s resource and a resourceVersion', () => {
    expect(checkReplace(vs, params).ok).toBe(true);
    expect(checkReplace({ ...vs, metadata: { ...vs.metadata, name: 'other' } }, params).ok).toBe(false);
    const unversioned = { ...vs, metadata: { name: 'reviews', namespace: 'bookinfo' } } as MeshResource;
    expect(checkReplace(unversioned, params)).toMatchObject({
      ok: false,
      message: expect.stringContaining('resourceVersion'),
    });
  });
});

describe('failureOf', () => {
  it('keeps the control plane’s causes on a 422, and says a 409 is a conflict', () => {
    const causes = [{ field: 'spec.hosts', message: 'required' }];
    expect(failureOf({ ok: false, status: 422, reason: 'Invalid', message: 'bad', causes })).toMatchObject({
      kind: 'invalid',
      causes,
    });
    expect(failureOf({ ok: false, status: 409, reason: 'Conflict', message: 'stale', causes: [] }).kind).toBe(
      'conflict',
    );
    expect(failureOf({ ok: false, status: 0, reason: 'Unavailable', message: 'down', causes: [] }).kind).toBe(
      'unavailable',
    );
  });
});

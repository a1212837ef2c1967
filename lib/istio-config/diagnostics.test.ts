// Inline errors at the right place: YAML syntax, the schema's causes, checks against the mesh, and a 422.
import { describe, expect, it } from 'vitest';
import type { MeshResource } from '../mesh-config/schema';
import { causesToDiagnostics, diagnose, rangeOf } from './diagnostics';

const vs = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: cart
  namespace: shop
spec:
  hosts:
  - cart
  http:
  - route:
    - destination:
        host: cart
        subset: v3
`;

const mesh: MeshResource[] = [
  {
    apiVersion: 'networking.istio.io/v1',
    kind: 'ServiceEntry',
    metadata: { name: 'cart', namespace: 'shop' },
    spec: { hosts: ['cart.shop.svc.cluster.local'] },
  },
  {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'cart', namespace: 'shop' },
    spec: { host: 'cart', subsets: [{ name: 'v1' }] },
  },
];

const marked = (text: string, d: { from: number; to: number }) => text.slice(d.from, d.to);

describe('diagnose', () => {
  it('a route to a subset no DestinationRule defines: KIA1107 on the subset key', () => {
    const [d, ...rest] = diagnose(vs, mesh);
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ severity: 'warning', message: expect.stringContaining('KIA1107') });
    expect(marked(vs, d as { from: number; to: number })).toBe('subset');
  });
  it('a schema error at its field (a weight over 100)', () => {
    const text = vs.replace('        subset: v3\n', '        subset: v1\n      weight: 150\n');
    const [d] = diagnose(text, mesh);
    expect(d).toMatchObject({ severity: 'error', message: expect.stringContaining('weight') });
    expect(marked(text, d as { from: number; to: number })).toBe('weight');
  });
  it('a YAML syntax error, and unresolved conflict markers', () => {
    expect(diagnose('kind: [VirtualService\n', mesh)[0]?.severity).toBe('error');
    const conflicted = vs.replace(
      '  - cart\n',
      '<<<<<<< mine\n  - cart\n=======\n  - carts\n>>>>>>> server\n',
    );
    expect(diagnose(conflicted, mesh).some((d) => d.message === 'unresolved merge conflict')).toBe(true);
  });
  it('the stored copy of the resource itself does not count as a second VirtualService', () => {
    const stored = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'cart', namespace: 'shop' },
      spec: { hosts: ['cart'] },
    } as MeshResource;
    expect(diagnose(vs.replace('subset: v3', 'subset: v1'), [...mesh, stored])).toEqual([]);
  });
});

describe('causes of a 422 at their fields', () => {
  it('points at the deepest part of the path that exists', () => {
    const [d] = causesToDiagnostics(vs, [
      { field: 'spec.http[0].route[0].destination.host', message: 'unknown host' },
    ]);
    expect(marked(vs, d as { from: number; to: number })).toBe('host');
    expect(marked(vs, rangeOf(vs, 'spec.http[0].timeout'))).toBe('- route:'.slice(2));
  });
});

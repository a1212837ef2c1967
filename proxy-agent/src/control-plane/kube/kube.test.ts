import { describe, expect, it } from 'vitest';
import type { MeshResource } from '../../../../lib/mesh-config/schema';
import { unknownFields, validateFields } from './field-validation';
import { openApiV3Doc, openApiV3Index } from './openapi';
import { fieldSelector, labelSelector } from './selectors';
import { humanDuration, tableOf, tableVersion } from './table';

const vs = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: {
    name: 'reviews',
    namespace: 'default',
    labels: { app: 'reviews', tier: 'back' },
    creationTimestamp: '2026-01-01T00:00:00Z',
  },
  spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' } }] }] },
} as unknown as MeshResource;

describe('fieldValidation', () => {
  it('names every unknown field with its path, at any depth', () => {
    const body = {
      ...vs,
      spec: { ...vs.spec, x: 1, http: [{ route: [{ destination: { host: 'r', y: 2 } }] }] },
    };
    expect(unknownFields('VirtualService', body as never).fields.sort()).toEqual([
      'spec.http[0].route[0].destination.y',
      'spec.x',
    ]);
  });
  it('Strict refuses as kube-apiserver words it; Warn drops with a warning; Ignore drops', () => {
    const body = { ...vs, spec: { ...vs.spec, x: 1 } } as never;
    expect(() => validateFields('VirtualService', body, 'Strict')).toThrow(
      'VirtualService in version "v1" cannot be handled as a VirtualService: strict decoding error: unknown field "spec.x"',
    );
    const warned = validateFields('VirtualService', body, 'Warn');
    expect(warned.warnings).toEqual(['unknown field "spec.x"']);
    expect((warned.body.spec as Record<string, unknown>).x).toBeUndefined();
    expect(validateFields('VirtualService', body, 'Ignore').warnings).toEqual([]);
  });
});

describe('selectors', () => {
  it('reads equality, set and existence requirements', () => {
    expect(labelSelector('app=reviews,tier!=front')?.(vs)).toBe(true);
    expect(labelSelector('tier in (front, edge)')?.(vs)).toBe(false);
    expect(labelSelector('tier notin (front),app')?.(vs)).toBe(true);
    expect(labelSelector('!app')?.(vs)).toBe(false);
    expect(() => labelSelector('a=b=c')).toThrow(/unable to parse/);
  });
  it('knows metadata.name and metadata.namespace, and says so for any other field', () => {
    expect(fieldSelector('metadata.name=reviews,metadata.namespace!=kube-system')?.(vs)).toBe(true);
    expect(() => fieldSelector('spec.hosts=reviews')).toThrow('field label not supported: spec.hosts');
  });
});

describe('Table', () => {
  it('is asked for with the meta.k8s.io Accept kubectl sends', () => {
    expect(tableVersion('application/json;as=Table;v=v1;g=meta.k8s.io,application/json')).toBe('v1');
    expect(tableVersion('application/json')).toBeUndefined();
  });
  it("prints Istio's VirtualService columns, lists as JSON and the age as Kubernetes does", () => {
    const t = tableOf('VirtualService', [vs], 'v1', {}, true, Date.parse('2026-01-01T00:03:20Z'));
    expect(t.columnDefinitions?.map((c) => c.name)).toEqual(['Name', 'Gateways', 'Hosts', 'Age']);
    expect(t.rows[0]?.cells).toEqual(['reviews', null, '["reviews"]', '3m20s']);
  });
  it('formats durations as HumanDuration', () => {
    expect(
      [45e3, 200e3, 900e3, 15000e3, 72000e3, 3 * 86400e3 + 3600e3, 40 * 86400e3].map(humanDuration),
    ).toEqual(['45s', '3m20s', '15m', '4h10m', '20h', '3d1h', '40d']);
  });
});

describe('OpenAPI v3', () => {
  it('indexes each group/version by a hash of its document', () => {
    const index = openApiV3Index() as { paths: Record<string, { serverRelativeURL: string }> };
    const doc = openApiV3Doc('networking.istio.io/v1');
    expect(index.paths['apis/networking.istio.io/v1']?.serverRelativeURL).toBe(
      `/openapi/v3/apis/networking.istio.io/v1?hash=${doc?.hash}`,
    );
  });
  it('tags schemas with their GVK and lists fieldValidation on PATCH (kubectl then validates on the server)', () => {
    const doc = JSON.parse(openApiV3Doc('networking.istio.io/v1')?.text ?? '{}');
    const schema = doc.components.schemas['io.istio.networking.v1.VirtualService'];
    expect(schema['x-kubernetes-group-version-kind']).toEqual([
      { group: 'networking.istio.io', kind: 'VirtualService', version: 'v1' },
    ]);
    expect(schema.properties.spec.properties.http.items.properties.route).toBeDefined();
    const patch =
      doc.paths['/apis/networking.istio.io/v1/namespaces/{namespace}/virtualservices/{name}'].patch;
    expect(patch['x-kubernetes-group-version-kind'].kind).toBe('VirtualService');
    expect(patch.parameters.map((p: { name: string }) => p.name)).toContain('fieldValidation');
  });
});

import { describe, expect, it } from 'vitest';
import { collectionPath, parseResourcePath, resourcePath } from './paths';

describe('REST paths', () => {
  it('parses namespaced collections, objects and the all-namespaces collection', () => {
    expect(parseResourcePath('/apis/networking.istio.io/v1/namespaces/default/virtualservices')).toEqual({
      kind: 'VirtualService',
      plural: 'virtualservices',
      namespace: 'default',
    });
    expect(
      parseResourcePath('/apis/networking.istio.io/v1/namespaces/bookinfo/workloadentries/reviews-v1'),
    ).toEqual({
      kind: 'WorkloadEntry',
      plural: 'workloadentries',
      namespace: 'bookinfo',
      name: 'reviews-v1',
    });
    expect(parseResourcePath('/apis/networking.istio.io/v1/serviceentries')).toEqual({
      kind: 'ServiceEntry',
      plural: 'serviceentries',
    });
  });

  it('names nothing for other kinds, extra segments or malformed encoding', () => {
    for (const p of [
      '/apis/networking.istio.io/v1/namespaces/default/workloadgroups',
      '/apis/networking.istio.io/v1/namespaces/default/virtualservices/a/status',
      '/apis/networking.istio.io/v1/virtualservices/a',
      '/apis/networking.istio.io/v1/namespaces/%E0%A4%A/virtualservices',
      '/api/v1/namespaces',
      '/apis/security.istio.io/v1/namespaces/default/virtualservices',
      '/apis/networking.istio.io/v1beta1/namespaces/default/virtualservices',
      '/apis/networking.istio.io',
    ])
      expect(parseResourcePath(p), p).toBeUndefined();
  });

  it('builds the paths it parses', () => {
    expect(parseResourcePath(resourcePath('DestinationRule', 'default', 'reviews'))?.name).toBe('reviews');
    expect(collectionPath('VirtualService')).toBe('/apis/networking.istio.io/v1/virtualservices');
  });
});

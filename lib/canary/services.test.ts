import { describe, expect, it } from 'vitest';
import type { ServiceEntry } from '../mesh-config/schema';
import { findService, serviceOfHost, servicesFrom } from './services';
import { reviewsDestinationRule, workloadEntry } from './test-fixtures';

const se = (name: string, host: string, location?: 'MESH_EXTERNAL' | 'MESH_INTERNAL'): ServiceEntry => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'ServiceEntry',
  metadata: { name, namespace: 'bookinfo' },
  spec: { hosts: [host], ...(location ? { location } : {}) },
});

describe('servicesFrom', () => {
  it('lists internal services once, from ServiceEntries, DestinationRules and workloads, skipping external hosts', () => {
    const services = servicesFrom(
      [
        se('reviews', 'reviews.bookinfo.svc.cluster.local', 'MESH_INTERNAL'),
        se('db', 'ratings-db.example.com', 'MESH_EXTERNAL'),
      ],
      [reviewsDestinationRule()],
      [workloadEntry('details', 'v1'), workloadEntry('reviews', 'v2')],
    );
    expect(services.map((s) => `${s.namespace}/${s.name}`)).toEqual(['bookinfo/details', 'bookinfo/reviews']);
  });

  it('names a service by its Kubernetes host, and finds it by name', () => {
    expect(serviceOfHost('reviews.bookinfo.svc.cluster.local')).toEqual({
      name: 'reviews',
      namespace: 'bookinfo',
      host: 'reviews.bookinfo.svc.cluster.local',
    });
    expect(serviceOfHost('httpbin.org')).toBeUndefined();
    const services = servicesFrom(
      [],
      [reviewsDestinationRule()],
      [workloadEntry('reviews', 'v1', 1, 'other')],
    );
    expect(findService(services, 'reviews', 'bookinfo')?.namespace).toBe('bookinfo');
    expect(findService(services, 'reviews')).toBeUndefined();
    expect(findService(services, 'ratings', 'bookinfo')).toBeUndefined();
  });
});

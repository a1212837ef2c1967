import { describe, expect, it } from 'vitest';
import type { MeshResource } from '../../../lib/mesh-config/schema';
import { prometheusTargets } from './prometheus-sd';
import { healthStatus } from './registry';

const entry = (name: string, adminPort: string | undefined, healthy = true): MeshResource => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'WorkloadEntry',
  metadata: {
    name,
    namespace: 'bookinfo',
    annotations: adminPort
      ? { 'prometheus.io/port': adminPort, 'prometheus.io/path': '/stats/prometheus' }
      : {},
  },
  spec: {
    address: '127.0.0.1',
    ports: { http: 9080 },
    labels: { app: 'reviews', version: 'v2', 'meshlens.io/workload': 'reviews-v2' },
  },
  ...(healthy ? {} : { status: healthStatus(false, new Date(), 'silent') }),
});

describe('prometheusTargets', () => {
  it('answers a target group per healthy scrapeable WorkloadEntry with Istio-style labels', () => {
    expect(
      prometheusTargets([entry('a', '15090'), entry('b', undefined), entry('c', '15091', false)]),
    ).toEqual([
      {
        targets: ['127.0.0.1:15090'],
        labels: {
          __metrics_path__: '/stats/prometheus',
          namespace: 'bookinfo',
          app: 'reviews',
          version: 'v2',
          workload: 'reviews-v2',
        },
      },
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { parseResource } from '../../../lib/mesh-config/validate';
import { dnsLabel, heartbeatInterval, workloadEntryFor } from './registration';

describe('workloadEntryFor', () => {
  it('describes the instance: inbound address, labels, scrape annotations, auto-registration', () => {
    const we = workloadEntryFor({
      controlPlaneUrl: 'http://127.0.0.1:15010',
      namespace: 'bookinfo',
      app: 'reviews',
      version: 'v2',
      inboundPort: 19080,
      adminPort: 15090,
    });
    expect(we.metadata).toMatchObject({
      name: 'reviews-v2-19080',
      namespace: 'bookinfo',
      labels: { app: 'reviews', version: 'v2', 'meshlens.io/workload': 'reviews-v2' },
      annotations: {
        'prometheus.io/port': '15090',
        'prometheus.io/path': '/stats/prometheus',
        'istio.io/autoRegistrationGroup': 'reviews-v2',
      },
    });
    expect(we.spec).toEqual({
      address: '127.0.0.1',
      ports: { http: 19080 },
      labels: { app: 'reviews', version: 'v2', 'meshlens.io/workload': 'reviews-v2' },
    });
    expect(parseResource(we).ok).toBe(true);
  });
});

describe('dnsLabel', () => {
  it('makes a DNS-1123 label of anything', () => {
    expect(dnsLabel('Reviews_V2--10.0.0.1')).toBe('reviews-v2-10-0-0-1');
    expect(dnsLabel('-'.repeat(5))).toBe('instance');
    expect(dnsLabel('a'.repeat(80))).toHaveLength(63);
  });
});

describe('heartbeatInterval', () => {
  it('beats at least three times per TTL the control plane announces', () => {
    expect(heartbeatInterval(5000, 15_000)).toBe(5000);
    expect(heartbeatInterval(5000, 1200)).toBe(400);
    expect(heartbeatInterval(5000, undefined)).toBe(5000);
    expect(heartbeatInterval(5000, 'soon')).toBe(5000);
  });
});

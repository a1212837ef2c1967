import { describe, expect, it } from 'vitest';
import type { ServiceEntry } from '../../mesh-config/schema';
import { BOOKINFO, mapOf } from '../test-samples';
import { appendServiceEntries } from './service-entry';

const { ratings, reviewsV1, REVIEWS } = BOOKINFO;

const entry = (host: string, location?: 'MESH_INTERNAL' | 'MESH_EXTERNAL'): ServiceEntry => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'ServiceEntry',
  metadata: { name: host.split('.')[0] ?? host, namespace: 'bookinfo' },
  spec: {
    hosts: [host],
    ports: [{ number: 80, name: 'http', protocol: 'HTTP' }],
    ...(location ? { location } : {}),
  },
});
const config = (entries: ServiceEntry[]) => ({
  virtualServices: [],
  destinationRules: [],
  serviceEntries: entries,
});

describe('service entry appender', () => {
  const map = () =>
    mapOf([
      { reporter: 'source', from: ratings, service: 'db.example.com', rps: 1 },
      { reporter: 'source', from: ratings, to: reviewsV1, service: REVIEWS, rps: 1 },
    ]);

  it('refines the location of a host outside the cluster from its ServiceEntry', () => {
    const m = map();
    appendServiceEntries(m, config([entry('db.example.com', 'MESH_INTERNAL')]));
    expect(m.nodes.get('svc:bookinfo:db.example.com')?.isServiceEntry).toBe('MESH_INTERNAL');
  });

  it('leaves an in-cluster service declared by a ServiceEntry a plain service', () => {
    const m = map();
    appendServiceEntries(m, config([entry(REVIEWS, 'MESH_INTERNAL')]));
    expect(m.nodes.get('svc:bookinfo:reviews')?.isServiceEntry).toBeUndefined();
  });

  it('keeps what the metrics tell without config (external hosts are MESH_EXTERNAL)', () => {
    const m = map();
    appendServiceEntries(m, undefined);
    expect(m.nodes.get('svc:bookinfo:db.example.com')?.isServiceEntry).toBe('MESH_EXTERNAL');
  });
});

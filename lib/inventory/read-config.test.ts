import { describe, expect, it } from 'vitest';
import type { MeshConfigClient } from '../mesh-config/client';
import { readMeshConfig } from './read-config';

/** A control plane answering lists at a revision (resourceVersion) that a test can move on. */
function controlPlane(revision: { v: string }) {
  const se = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'ServiceEntry',
    metadata: { name: 'reviews', namespace: 'bookinfo' },
    spec: {
      hosts: ['reviews.bookinfo.svc.cluster.local'],
      ports: [{ number: 9080, name: 'http', protocol: 'HTTP' }],
      location: 'MESH_INTERNAL',
      resolution: 'STATIC',
    },
  };
  const client = {
    list: async (kind: string) => ({
      ok: true as const,
      value: { resourceVersion: revision.v, items: kind === 'ServiceEntry' ? [se] : [] },
    }),
    send: async () => ({
      ok: true as const,
      value: { metadata: { resourceVersion: revision.v }, items: [] },
    }),
  };
  return client as unknown as MeshConfigClient;
}

describe('readMeshConfig', () => {
  it('reads the config with the lists’ revision', async () => {
    const r = await readMeshConfig(controlPlane({ v: '7' }));
    expect(r.ok && r.revision).toBe('7,7,7,7,7,7');
    expect(r.ok && r.config.serviceEntries.map((s) => s.metadata.name)).toEqual(['reviews']);
  });

  it('answers the previous read again while the revision holds, and reads anew once it moves', async () => {
    const revision = { v: '7' };
    const cp = controlPlane(revision);
    const first = await readMeshConfig(cp);
    expect(await readMeshConfig(cp, first)).toBe(first);
    revision.v = '8';
    const next = await readMeshConfig(cp, first);
    expect(next).not.toBe(first);
    expect(next.ok && next.revision).toBe('8,8,8,8,8,8');
  });

  it('keeps nothing when a list has no revision', async () => {
    const cp = controlPlane({ v: '' });
    const first = await readMeshConfig(cp);
    expect(first.ok && first.revision).toBeUndefined();
    expect(await readMeshConfig(cp, first)).not.toBe(first);
  });
});

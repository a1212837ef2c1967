import { describe, expect, it } from 'vitest';
import { UNKNOWN_WORKLOAD } from './mesh-model';
import { decodePeer, encodePeer } from './peer-metadata';

describe('peer metadata', () => {
  it('round-trips a workload identity, the same object for the same header', () => {
    const id = {
      workload: 'productpage-v1',
      namespace: 'default',
      app: 'productpage',
      version: 'v1',
      canonicalService: 'productpage',
      canonicalRevision: 'v1',
      principal: 'unknown',
    };
    const header = encodePeer(id);
    expect(decodePeer(header)).toEqual(id);
    expect(decodePeer(header)).toBe(decodePeer(header));
  });

  it('treats a missing or malformed header as a caller outside the mesh', () => {
    expect(decodePeer(undefined)).toBe(UNKNOWN_WORKLOAD);
    expect(decodePeer('a;b')).toBe(UNKNOWN_WORKLOAD);
    expect(decodePeer('%E0%A4%A;b;c;d;e;f')).toBe(UNKNOWN_WORKLOAD);
  });
});

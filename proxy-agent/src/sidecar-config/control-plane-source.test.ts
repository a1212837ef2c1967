import { describe, expect, it } from 'vitest';
import { parseResource } from '../../../lib/mesh-config/validate';
import { backoffDelay, buildSnapshot, lineSplitter, parseEnvelope } from './control-plane-source';

const se = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'ServiceEntry',
  metadata: { name: 'reviews', namespace: 'default', resourceVersion: '1' },
  spec: { hosts: ['reviews.default.svc.cluster.local'], location: 'MESH_INTERNAL', resolution: 'STATIC' },
};
const vs = (subset: string) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'reviews', namespace: 'default', resourceVersion: '3' },
  spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset } }] }] },
});
const dr = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: { name: 'reviews', namespace: 'default', resourceVersion: '2' },
  spec: { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }] },
};

describe('buildSnapshot', () => {
  it('accepts a consistent set, sorted, with its resourceVersion', () => {
    const r = buildSnapshot([vs('v1'), dr, se], '3', parseResource);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.snapshot.resourceVersion).toBe('3');
      expect(r.snapshot.resources.map((x) => x.kind)).toEqual([
        'DestinationRule',
        'ServiceEntry',
        'VirtualService',
      ]);
    }
  });

  it('refuses the whole snapshot when one object is invalid or a reference is broken', () => {
    const broken = buildSnapshot([vs('v2'), dr, se], '3', parseResource);
    expect(broken).toEqual({
      ok: false,
      problems: [
        'VirtualService default/reviews: spec.http[0].route[0].destination.subset: subset v2 is not defined in DestinationRule reviews',
      ],
    });
    const shape = buildSnapshot([{ ...se, spec: { hosts: [] } }], '1', parseResource);
    expect(shape.ok).toBe(false);
  });
});

describe('buildSnapshot with envelope checks only (config a server validated)', () => {
  it('accepts what the schema accepts, and still refuses broken references', () => {
    const r = buildSnapshot([vs('v1'), dr, se], '3', parseEnvelope);
    expect(r).toEqual(buildSnapshot([vs('v1'), dr, se], '3', parseResource));
    const broken = buildSnapshot([vs('v2'), dr, se], '3', parseEnvelope);
    expect(broken.ok).toBe(false);
  });

  it('refuses objects without a known kind, a name or a spec', () => {
    const bad = [
      { ...se, kind: 'WorkloadGroup' },
      { ...se, metadata: { namespace: 'default' } },
      { ...se, spec: undefined },
      null,
    ];
    for (const o of bad) expect(buildSnapshot([o], '1', parseEnvelope).ok).toBe(false);
  });
});

describe('backoffDelay', () => {
  it('grows exponentially to the cap, with half of it jittered', () => {
    const opts = { baseMs: 100, capMs: 1000 };
    expect(backoffDelay(0, opts, () => 0)).toBe(50);
    expect(backoffDelay(0, opts, () => 1)).toBe(100);
    expect(backoffDelay(2, opts, () => 0)).toBe(200);
    expect(backoffDelay(10, opts, () => 0)).toBe(500);
    expect(backoffDelay(50, opts, () => 1)).toBe(1000);
  });
});

describe('lineSplitter', () => {
  it('yields complete lines across chunk boundaries', () => {
    const lines: string[] = [];
    const split = lineSplitter((l) => lines.push(l));
    split('{"a":');
    split('1}\n{"b"');
    split(':2}\n\n');
    expect(lines).toEqual(['{"a":1}', '{"b":2}']);
  });
});

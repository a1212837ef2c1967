import { describe, expect, it } from 'vitest';
import type { WorkloadEntry } from '../mesh-config/schema';
import { adminTargets, isLoopback } from './admin-target';

function entry(
  name: string,
  address: string,
  port: string | undefined,
  workload = 'reviews-v1',
  ns = 'bookinfo',
): WorkloadEntry {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'WorkloadEntry',
    metadata: {
      name,
      namespace: ns,
      labels: { 'meshlens.io/workload': workload },
      ...(port === undefined ? {} : { annotations: { 'prometheus.io/port': port } }),
    },
    spec: { address },
  } as WorkloadEntry;
}

describe('adminTargets', () => {
  it('reads the admin port a workload’s own loopback registrations name', () => {
    const t = adminTargets(
      [
        entry('reviews-v1-2', '127.0.0.1', '15102'),
        entry('reviews-v1-1', '127.0.0.1', '15101'),
        entry('ratings-v1', '127.0.0.1', '15200', 'ratings-v1'),
      ],
      'bookinfo',
      'reviews-v1',
      false,
    );
    expect(t.map((x) => [x.name, x.admin])).toEqual([
      ['reviews-v1-1', { ok: true, origin: 'http://127.0.0.1:15101' }],
      ['reviews-v1-2', { ok: true, origin: 'http://127.0.0.1:15102' }],
    ]);
  });

  it('keeps to the namespace', () => {
    expect(
      adminTargets(
        [entry('r', '127.0.0.1', '15000', 'reviews-v1', 'other')],
        'bookinfo',
        'reviews-v1',
        false,
      ),
    ).toEqual([]);
  });

  it('refuses a remote address unless allowed, a host name always, and a bad or missing port', () => {
    const entries = [
      entry('a', '10.1.2.3', '15000'),
      entry('b', 'metadata.google.internal', '80'),
      entry('c', '127.0.0.1', '99999'),
      entry('d', '127.0.0.1', undefined),
      entry('e', '127.0.0.1', '15000/../x'),
    ];
    const refused = adminTargets(entries, 'bookinfo', 'reviews-v1', false);
    expect(refused.every((t) => !t.admin.ok)).toBe(true);
    expect(refused.map((t) => (t.admin.ok ? '' : t.admin.reason))).toEqual([
      expect.stringContaining('not loopback'),
      expect.stringContaining('not an IP address'),
      expect.stringContaining('not a port number'),
      expect.stringContaining('names no admin port'),
      expect.stringContaining('not a port number'),
    ]);
    const allowed = adminTargets(entries, 'bookinfo', 'reviews-v1', true);
    expect(allowed[0]?.admin).toEqual({ ok: true, origin: 'http://10.1.2.3:15000' });
    expect(allowed[1]?.admin.ok).toBe(false);
  });

  it('brackets IPv6', () => {
    expect(adminTargets([entry('a', '::1', '15000')], 'bookinfo', 'reviews-v1', false)[0]?.admin).toEqual({
      ok: true,
      origin: 'http://[::1]:15000',
    });
  });
});

describe('isLoopback', () => {
  it('takes 127/8 and ::1 only', () => {
    expect(['127.0.0.1', '127.9.9.9', '::1'].map(isLoopback)).toEqual([true, true, true]);
    expect(['10.0.0.1', '0.0.0.0', 'localhost', '::ffff:10.0.0.1'].map(isLoopback)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});

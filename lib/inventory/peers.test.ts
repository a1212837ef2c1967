import { describe, expect, it } from 'vitest';
import { DEFAULT_HEALTH } from '../graph/health';
import { latencyByPeer, peersOf } from './peers';
import { peerLatencyQuery } from './promql';
import { EXTERNAL, PP, RATINGS, REVIEWS, RT, RV2, sample } from './test-samples';

const samples = [
  sample({ reporter: 'source', from: PP, to: RV2, service: REVIEWS, serviceNs: 'bookinfo', rps: 9 }),
  sample({ reporter: 'destination', from: PP, to: RV2, service: REVIEWS, serviceNs: 'bookinfo', rps: 9 }),
  sample({
    reporter: 'source',
    from: PP,
    to: RV2,
    service: REVIEWS,
    serviceNs: 'bookinfo',
    code: '503',
    rps: 1,
  }),
  sample({ reporter: 'destination', to: RV2, service: REVIEWS, serviceNs: 'bookinfo', rps: 2 }),
  sample({ reporter: 'source', from: RV2, to: RT, service: RATINGS, serviceNs: 'bookinfo', rps: 4 }),
  sample({ reporter: 'source', from: RV2, service: EXTERNAL, code: '0', rps: 1 }),
];
const wl = { kind: 'workloads' as const, namespace: 'bookinfo', name: 'reviews-v2' };

describe('peersOf', () => {
  it('lists who calls a workload and what it calls, each counted once with its error share and health', () => {
    const p = peersOf(wl, samples, DEFAULT_HEALTH);
    expect(p.inbound.map((x) => [x.kind, x.name, x.rps, x.errorRate, x.health])).toEqual([
      ['workloads', 'productpage-v1', 10, 0.1, 'failure'],
      [undefined, 'unknown (outside the mesh)', 2, 0, 'healthy'],
    ]);
    expect(p.outbound.map((x) => [x.kind, x.namespace, x.name, x.rps, x.health])).toEqual([
      ['services', 'bookinfo', 'ratings', 4, 'healthy'],
      [undefined, undefined, EXTERNAL, 1, 'failure'],
    ]);
  });

  it("lists a service's callers and the workloads that answered it", () => {
    const p = peersOf(
      { kind: 'services', namespace: 'bookinfo', name: 'reviews', host: REVIEWS },
      samples,
      DEFAULT_HEALTH,
    );
    expect(p.inbound.map((x) => x.name)).toEqual(['productpage-v1', 'unknown (outside the mesh)']);
    expect(p.outbound.map((x) => [x.name, x.rps])).toEqual([['reviews-v2', 12]]);
  });

  it("takes each peer's p95 from the caller's report when there is one", () => {
    const lat = latencyByPeer(wl, 'inbound', [
      {
        labels: {
          reporter: 'destination',
          source_workload_namespace: 'bookinfo',
          source_workload: 'productpage-v1',
        },
        value: 80,
      },
      {
        labels: {
          reporter: 'source',
          source_workload_namespace: 'bookinfo',
          source_workload: 'productpage-v1',
        },
        value: 95,
      },
      {
        labels: { reporter: 'destination', source_workload_namespace: 'unknown', source_workload: 'unknown' },
        value: 12,
      },
      {
        labels: { reporter: 'destination', source_workload_namespace: 'x', source_workload: 'y' },
        value: Number.NaN,
      },
    ]);
    const p = peersOf(wl, samples, DEFAULT_HEALTH, { inbound: lat, outbound: new Map() });
    expect(p.inbound.map((x) => x.p95)).toEqual([95, 12]);
  });

  it('escapes names in the latency query', () => {
    const q = peerLatencyQuery({ kind: 'workloads', namespace: 'a"b', name: 'c\\d' }, 'inbound', '5m');
    expect(q).toContain('destination_workload_namespace="a\\"b"');
    expect(q).toContain('destination_workload="c\\\\d"');
    expect(() => peerLatencyQuery(wl, 'inbound', '5m]) or vector(1')).toThrow('invalid duration');
  });
});

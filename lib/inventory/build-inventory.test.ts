import { describe, expect, it } from 'vitest';
import { DEFAULT_HEALTH } from '../graph/health';
import { buildInventory } from './build-inventory';
import { demoConfig, EXTERNAL, PP, RATINGS, REVIEWS, RT, RV1, RV2, sample } from './test-samples';

const find = <T extends { namespace: string; name: string }>(items: T[], name: string) => {
  const i = items.find((x) => x.name === name);
  if (!i) throw new Error(`no ${name} in ${items.map((x) => x.name).join(', ')}`);
  return i;
};

describe('buildInventory', () => {
  const samples = [
    // productpage → reviews, seen by both proxies: counted once (source preferred).
    sample({ reporter: 'source', from: PP, to: RV1, service: REVIEWS, serviceNs: 'bookinfo', rps: 6 }),
    sample({ reporter: 'destination', from: PP, to: RV1, service: REVIEWS, serviceNs: 'bookinfo', rps: 6 }),
    sample({
      reporter: 'source',
      from: PP,
      to: RV2,
      service: REVIEWS,
      serviceNs: 'bookinfo',
      code: '503',
      rps: 1,
    }),
    sample({
      reporter: 'destination',
      from: PP,
      to: RV2,
      service: REVIEWS,
      serviceNs: 'bookinfo',
      code: '503',
      rps: 1,
    }),
    sample({ reporter: 'source', from: PP, to: RV2, service: REVIEWS, serviceNs: 'bookinfo', rps: 3 }),
    // reviews-v2 → ratings: only the caller reports (ratings has no sidecar).
    sample({ reporter: 'source', from: RV2, to: RT, service: RATINGS, serviceNs: 'bookinfo', rps: 2 }),
    // ratings → the external host: no destination namespace, placed by its ServiceEntry.
    sample({
      reporter: 'destination',
      from: { ns: 'bookinfo', wl: 'legacy' },
      to: PP,
      service: 'productpage.bookinfo.svc.cluster.local',
      serviceNs: 'bookinfo',
      rps: 1,
    }),
    sample({ reporter: 'source', from: RV1, service: EXTERNAL, rps: 0.5 }),
  ];

  it("counts every request once, preferring the caller's report", () => {
    const inv = buildInventory({ samples, config: demoConfig(), thresholds: DEFAULT_HEALTH });
    expect(find(inv.workloads, 'reviews-v1').inbound.total).toBe(6);
    expect(find(inv.workloads, 'productpage-v1').outbound.total).toBe(10);
    expect(find(inv.services, 'reviews').inbound).toEqual({
      total: 10,
      http4xx: 0,
      http5xx: 1,
      noResponse: 0,
    });
    expect(inv.namespaceInbound.bookinfo?.total).toBe(13.5);
  });

  it("marks a sidecar missing when only peers' proxies report a workload", () => {
    const inv = buildInventory({ samples, config: demoConfig(), thresholds: DEFAULT_HEALTH });
    expect(find(inv.workloads, 'ratings-v1').sidecar).toBe('missing');
    expect(find(inv.workloads, 'legacy').sidecar).toBe('missing');
    expect(find(inv.workloads, 'reviews-v2').sidecar).toBe('present');
    expect(find(inv.workloads, 'details-v1').sidecar).toBe('unknown');
    expect(find(inv.applications, 'ratings').sidecar).toBe('missing');
  });

  it("applies Kiali's health: 5xx above 0 % degrades, at 10 % fails; the worst of in and out", () => {
    const inv = buildInventory({ samples, config: demoConfig(), thresholds: DEFAULT_HEALTH });
    expect(find(inv.workloads, 'reviews-v2').health).toBe('failure'); // 1 of 4 inbound is a 503
    expect(find(inv.services, 'reviews').health).toBe('failure'); // 10 %
    expect(find(inv.workloads, 'productpage-v1').health).toBe('failure'); // its outbound
    expect(find(inv.workloads, 'details-v1').health).toBe('idle');
    const lenient = buildInventory({
      samples,
      config: demoConfig(),
      thresholds: { ...DEFAULT_HEALTH, http5xx: { degraded: 5, failure: 50 } },
    });
    expect(find(lenient.services, 'reviews').health).toBe('degraded');
  });

  it('groups workloads into apps with their versions, and services with the workloads behind them', () => {
    const inv = buildInventory({ samples, config: demoConfig(), thresholds: DEFAULT_HEALTH });
    const reviews = find(inv.applications, 'reviews');
    expect(reviews.workloads).toEqual(['reviews-v1', 'reviews-v2']);
    expect(reviews.labels).toEqual({ app: 'reviews', version: 'v1,v2' });
    expect(find(inv.services, 'reviews').workloads).toEqual(['reviews-v1', 'reviews-v2']);
    // Behind a ServiceEntry by its workloadSelector, without traffic.
    expect(find(inv.services, 'details').workloads).toEqual(['details-v1']);
    const details = find(inv.workloads, 'details-v1');
    expect(details.instances).toEqual([{ name: 'details-v1-1', address: '127.0.0.1', healthy: true }]);
  });

  it('places an external host in the namespace of its ServiceEntry', () => {
    const inv = buildInventory({ samples, config: demoConfig(), thresholds: DEFAULT_HEALTH });
    const ext = find(inv.services, EXTERNAL);
    expect([ext.namespace, ext.inbound.total, ext.sidecar, ext.host]).toEqual([
      'bookinfo',
      0.5,
      'unknown',
      EXTERNAL,
    ]);
  });

  it('lists the config that applies: by host, namespace-wide, mesh-wide and by selector', () => {
    const inv = buildInventory({ samples, config: demoConfig(), thresholds: DEFAULT_HEALTH });
    const names = (i: { config: { kind: string; name: string; reason: string }[] }) =>
      i.config.map((c) => `${c.kind}/${c.name} (${c.reason})`);
    expect(names(find(inv.services, 'reviews'))).toEqual([
      `DestinationRule/reviews (host ${REVIEWS})`,
      'PeerAuthentication/reviews-strict (selector app=reviews)',
      'PeerAuthentication/default (mesh-wide)',
      'Sidecar/default (namespace-wide)',
      `VirtualService/reviews (host ${REVIEWS})`,
    ]);
    expect(names(find(inv.workloads, 'ratings-v1'))).toEqual([
      'PeerAuthentication/default (mesh-wide)',
      'Sidecar/default (namespace-wide)',
    ]);
    expect(names(find(inv.workloads, 'details-v1'))).toContain(
      'ServiceEntry/details (workloadSelector app=details)',
    );
  });

  it('works from metrics alone when the control plane cannot be read', () => {
    const inv = buildInventory({ samples, thresholds: DEFAULT_HEALTH });
    expect(inv.workloads.map((w) => w.name)).toEqual([
      'legacy',
      'productpage-v1',
      'ratings-v1',
      'reviews-v1',
      'reviews-v2',
    ]);
    expect(inv.services.map((s) => s.name)).toEqual(['productpage', 'ratings', 'reviews']);
    expect(inv.workloads.every((w) => w.config.length === 0)).toBe(true);
    expect(inv.namespaces).toEqual(['bookinfo']);
  });
});

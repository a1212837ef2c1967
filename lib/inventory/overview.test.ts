import { describe, expect, it } from 'vitest';
import { DEFAULT_HEALTH } from '../graph/health';
import { buildInventory } from './build-inventory';
import { buildOverview, sparklineState } from './overview';
import { PP, REVIEWS, RV1, RV2, sample } from './test-samples';

describe('buildOverview', () => {
  it('summarises each namespace from the inventory and one grouped sparkline answer', () => {
    const built = buildInventory({
      samples: [
        sample({ reporter: 'source', from: PP, to: RV1, service: REVIEWS, serviceNs: 'bookinfo', rps: 9 }),
        sample({
          reporter: 'source',
          from: PP,
          to: RV2,
          service: REVIEWS,
          serviceNs: 'bookinfo',
          code: '404',
          rps: 1,
        }),
        sample({
          reporter: 'destination',
          from: { ns: 'shop', wl: 'cart' },
          to: { ns: 'shop', wl: 'pay' },
          service: 'pay.shop.svc.cluster.local',
          serviceNs: 'shop',
          rps: 2,
        }),
      ],
      thresholds: DEFAULT_HEALTH,
    });
    const inventory = {
      ...built,
      time: 1,
      duration: '5m',
      config: { available: true as const },
      warnings: [],
    };
    const o = buildOverview(
      inventory,
      built.namespaceInbound,
      [
        {
          labels: { destination_workload_namespace: 'bookinfo' },
          points: [
            [1, 10],
            [2, Number.NaN],
            [3, 12],
          ],
        },
      ],
      { bookinfo: { VirtualService: 1 } },
    );
    const [bookinfo, shop] = o.namespaces;
    expect(bookinfo).toMatchObject({
      namespace: 'bookinfo',
      inboundRps: 10,
      errorRate: 0.1,
      sparkline: [
        [1, 10],
        [3, 12],
      ],
      config: { VirtualService: 1 },
      workloads: { healthy: 1, degraded: 1, failure: 1, idle: 0 },
      services: { healthy: 0, degraded: 1, failure: 0, idle: 0 },
    });
    expect(shop).toMatchObject({ inboundRps: 2, sparkline: [], config: {}, missingSidecars: 1 });
  });
});

describe('sparklineState', () => {
  it('draws a line once the history has two points with some traffic', () => {
    expect(
      sparklineState(
        [
          [0, 0],
          [60, 2],
        ],
        2,
      ),
    ).toBe('line');
    // Traffic that stopped: the history still shows it.
    expect(
      sparklineState(
        [
          [0, 3],
          [60, 0],
        ],
        0,
      ),
    ).toBe('line');
  });

  it('says the history is being collected while requests flow but Prometheus has under two points', () => {
    expect(sparklineState([], 4)).toBe('collecting');
    expect(sparklineState([[0, 4]], 4)).toBe('collecting');
  });

  it('says there is no traffic when nothing flows now and the history is empty or all zero', () => {
    expect(sparklineState([], 0)).toBe('no-traffic');
    expect(
      sparklineState(
        [
          [0, 0],
          [60, 0],
        ],
        0,
      ),
    ).toBe('no-traffic');
  });
});

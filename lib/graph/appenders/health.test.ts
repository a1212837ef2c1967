import { describe, expect, it } from 'vitest';
import { BOOKINFO, mapOf } from '../test-samples';
import { appendHealth } from './health';

const { productpage, reviewsV1, ratings, REVIEWS, RATINGS } = BOOKINFO;

describe('health appender', () => {
  const edges = [
    { reporter: 'source' as const, from: productpage, to: reviewsV1, service: REVIEWS, rps: 95 },
    { reporter: 'source' as const, from: productpage, to: reviewsV1, service: REVIEWS, code: '404', rps: 5 },
    { reporter: 'source' as const, from: reviewsV1, to: ratings, service: RATINGS, rps: 10 },
  ];

  it("rates each node's inbound and each edge's requests against Kiali's default thresholds", () => {
    const map = mapOf(edges);
    appendHealth(map);
    // 5 % 4xx is under the 10 % degraded threshold; a caller with no inbound traffic is idle.
    expect(map.nodes.get('app:bookinfo:reviews:v1')?.health).toBe('healthy');
    expect(map.edges.get('app:bookinfo:productpage:v1->svc:bookinfo:reviews')?.health).toBe('healthy');
    expect(map.nodes.get('app:bookinfo:productpage:v1')?.health).toBe('idle');
  });

  it('uses the configured thresholds', () => {
    const map = mapOf(edges);
    appendHealth(map, { http5xx: { degraded: 0, failure: 10 }, http4xx: { degraded: 1, failure: 5 } });
    expect(map.nodes.get('app:bookinfo:reviews:v1')?.health).toBe('failure');
    expect(map.edges.get('app:bookinfo:reviews:v1->svc:bookinfo:ratings')?.health).toBe('healthy');
  });
});

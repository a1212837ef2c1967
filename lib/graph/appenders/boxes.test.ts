import { describe, expect, it } from 'vitest';
import { BOOKINFO, mapOf } from '../test-samples';
import { appendBoxes } from './boxes';

const { productpage, reviewsV1, reviewsV2, REVIEWS } = BOOKINFO;
const traffic = [
  { reporter: 'source' as const, from: productpage, to: reviewsV1, service: REVIEWS, rps: 1 },
  { reporter: 'source' as const, from: productpage, to: reviewsV2, service: REVIEWS, rps: 1 },
  { reporter: 'source' as const, from: productpage, service: 'httpbin.org', rps: 1 },
];

describe('boxes appender', () => {
  it("boxes an app's versions, with the app's service node, but not an external host", () => {
    const m = mapOf(traffic);
    appendBoxes(m);
    expect([...m.boxes.keys()].sort()).toEqual(['box:bookinfo:productpage', 'box:bookinfo:reviews']);
    expect(m.nodes.get('app:bookinfo:reviews:v2')?.parent).toBe('box:bookinfo:reviews');
    expect(m.nodes.get('svc:bookinfo:reviews')?.parent).toBe('box:bookinfo:reviews');
    expect(m.nodes.get('svc:bookinfo:httpbin.org')?.parent).toBeUndefined();
  });

  it('draws no boxes where nodes are not versions (app, workload graphs)', () => {
    for (const graphType of ['app', 'workload'] as const) {
      const m = mapOf(traffic, { graphType });
      appendBoxes(m);
      expect(m.boxes.size).toBe(0);
      expect([...m.nodes.values()].every((n) => n.parent === undefined)).toBe(true);
    }
  });
});

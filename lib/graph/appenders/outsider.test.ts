import { describe, expect, it } from 'vitest';
import { BOOKINFO, mapOf, type Side } from '../test-samples';
import { appendOutsiders } from './outsider';

const { reviewsV1, REVIEWS } = BOOKINFO;
const web: Side = { ns: 'web', wl: 'frontend', app: 'frontend', version: 'v1' };

describe('outsider appender', () => {
  const map = () =>
    mapOf([
      { reporter: 'source', from: web, to: reviewsV1, service: REVIEWS, rps: 1 },
      { reporter: 'source', from: web, service: 'httpbin.org', rps: 1 },
      { reporter: 'destination', to: reviewsV1, service: REVIEWS, rps: 1 },
    ]);

  it('marks the nodes of namespaces not asked for; unknown callers and external hosts are in none', () => {
    const m = map();
    appendOutsiders(m, ['bookinfo']);
    const outside = [...m.nodes.values()].filter((n) => n.isOutside).map((n) => n.spec.id);
    expect(outside).toEqual(['app:web:frontend:v1']);
  });

  it('marks nothing when every namespace was asked for', () => {
    const m = map();
    appendOutsiders(m, []);
    expect([...m.nodes.values()].some((n) => n.isOutside)).toBe(false);
  });
});

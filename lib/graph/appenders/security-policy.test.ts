import { describe, expect, it } from 'vitest';
import { BOOKINFO, mapOf } from '../test-samples';
import { appendSecurityPolicy } from './security-policy';

const { productpage, reviewsV1, REVIEWS } = BOOKINFO;
const INTO = 'app:bookinfo:productpage:v1->svc:bookinfo:reviews';
const ONWARD = 'svc:bookinfo:reviews->app:bookinfo:reviews:v1';

describe('security policy appender', () => {
  it('takes the mTLS share from destination-reported series even where the source reporter is chosen', () => {
    const map = mapOf([
      { reporter: 'source', from: productpage, to: reviewsV1, service: REVIEWS, rps: 4 },
      { reporter: 'destination', from: productpage, to: reviewsV1, service: REVIEWS, rps: 3, mtls: true },
      { reporter: 'destination', from: productpage, to: reviewsV1, service: REVIEWS, rps: 1, mtls: false },
    ]);
    appendSecurityPolicy(map);
    // Both hops of the request: into the service and on to the workload.
    expect(map.edges.get(INTO)?.mtls).toEqual({ yes: 3, all: 4 });
    expect(map.edges.get(ONWARD)?.mtls).toEqual({ yes: 3, all: 4 });
    expect(map.edges.get(INTO)?.reporter).toBe('source');
  });

  it('knows nothing of edges only the source reports (its policy label says unknown)', () => {
    const map = mapOf([{ reporter: 'source', from: productpage, to: reviewsV1, service: REVIEWS, rps: 4 }]);
    appendSecurityPolicy(map);
    expect(map.edges.get(INTO)?.mtls).toEqual({ yes: 0, all: 0 });
  });
});

describe('security policy appender: principals', () => {
  it('names both sides by the SPIFFE ids the destination reported (Kiali’s sourcePrincipal/destPrincipal)', () => {
    const map = mapOf([
      { reporter: 'source', from: productpage, to: reviewsV1, service: REVIEWS, rps: 4 },
      {
        reporter: 'destination',
        from: productpage,
        to: reviewsV1,
        service: REVIEWS,
        rps: 4,
        principals: true,
      },
    ]);
    appendSecurityPolicy(map);
    expect(map.edges.get(INTO)?.principals).toEqual({
      source: 'spiffe://cluster.local/ns/bookinfo/sa/productpage-v1',
      dest: 'spiffe://cluster.local/ns/bookinfo/sa/reviews-v1',
    });
  });

  it('leaves them unknown where the reporter wrote `unknown` (plaintext, or a source-only edge)', () => {
    const map = mapOf([
      { reporter: 'destination', from: productpage, to: reviewsV1, service: REVIEWS, rps: 1, mtls: false },
    ]);
    appendSecurityPolicy(map);
    expect(map.edges.get(INTO)?.principals).toEqual({ source: undefined, dest: undefined });
  });
});

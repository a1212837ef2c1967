import { describe, expect, it } from 'vitest';
import { VirtualServiceSchema } from '../mesh-config/schema';
import { REVIEWS, reviewsVirtualService } from './test-fixtures';
import { defaultRoute, newVirtualService, routesOf, withSplit } from './virtual-service';
import type { Split } from './weights';

const to100v3: Split = [
  { version: 'v1', weight: 0 },
  { version: 'v2', weight: 0 },
  { version: 'v3', weight: 100 },
];

describe('routesOf', () => {
  it('reads each route of the service with its match in words and its split', () => {
    const routes = routesOf(reviewsVirtualService(), REVIEWS);
    expect(routes).toEqual([
      { index: 0, name: 'jason', match: 'header end-user = jason', split: [{ version: 'v2', weight: 100 }] },
      {
        index: 1,
        name: 'canary',
        split: [
          { version: 'v1', weight: 50 },
          { version: 'v2', weight: 30 },
          { version: 'v3', weight: 20 },
        ],
      },
    ]);
    expect(defaultRoute(routes)?.index).toBe(1);
  });

  it('resolves short host names against the VirtualService namespace and skips routes to other hosts', () => {
    const vs = reviewsVirtualService();
    vs.spec.hosts = ['reviews'];
    vs.spec.http = [
      { route: [{ destination: { host: 'ratings', subset: 'v1' } }] },
      { route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
    ];
    expect(routesOf(vs, REVIEWS).map((r) => r.index)).toEqual([1]);
  });
});

describe('withSplit', () => {
  it('replaces only the default route destinations and keeps its timeout, retries and the other routes', () => {
    const old = reviewsVirtualService();
    const { virtualService, routeIndexes } = withSplit(old, REVIEWS, to100v3, 1);
    expect(routeIndexes).toEqual([1]);
    expect(virtualService.spec.http?.[0]).toEqual(old.spec.http?.[0]);
    const canary = virtualService.spec.http?.[1];
    expect(canary?.timeout).toBe('5s');
    expect(canary?.retries?.attempts).toBe(2);
    expect(canary?.route).toEqual([
      { destination: { host: REVIEWS.host, subset: 'v1' }, weight: 0 },
      { destination: { host: REVIEWS.host, subset: 'v2' }, weight: 0 },
      { destination: { host: REVIEWS.host, subset: 'v3' }, weight: 100 },
    ]);
    expect(virtualService.metadata.resourceVersion).toBe('7');
    expect(VirtualServiceSchema.safeParse(virtualService).success).toBe(true);
    // the input is not mutated
    expect(old.spec.http?.[1]?.route[0]?.weight).toBe(50);
  });

  it('applies the split to every route of the service, matches kept, with scope all', () => {
    const { virtualService, routeIndexes } = withSplit(reviewsVirtualService(), REVIEWS, to100v3, 'all');
    expect(routeIndexes).toEqual([0, 1]);
    expect(virtualService.spec.http?.[0]?.match).toEqual([{ headers: { 'end-user': { exact: 'jason' } } }]);
    expect(virtualService.spec.http?.[0]?.route.map((d) => d.weight)).toEqual([0, 0, 100]);
  });

  it('keeps the destination port the old route named', () => {
    const vs = reviewsVirtualService();
    const canary = vs.spec.http?.[1];
    if (canary)
      canary.route = [{ destination: { host: REVIEWS.host, subset: 'v1', port: { number: 9080 } } }];
    const out = withSplit(vs, REVIEWS, to100v3, 1).virtualService;
    expect(out.spec.http?.[1]?.route.every((d) => d.destination.port?.number === 9080)).toBe(true);
  });

  it('appends a catch-all route when the VirtualService has none for the service', () => {
    const vs = reviewsVirtualService();
    vs.spec.http = [];
    const { virtualService, routeIndexes } = withSplit(vs, REVIEWS, to100v3, -1);
    expect(routeIndexes).toEqual([0]);
    expect(virtualService.spec.http).toHaveLength(1);
    expect(virtualService.spec.http?.[0]?.match).toBeUndefined();
  });

  it('builds a new VirtualService with one weighted catch-all route', () => {
    const vs = newVirtualService(REVIEWS, to100v3);
    expect(vs.metadata).toEqual({ name: 'reviews', namespace: 'bookinfo' });
    expect(vs.spec.hosts).toEqual([REVIEWS.host]);
    expect(vs.spec.http?.[0]?.route.map((d) => [d.destination.subset, d.weight])).toEqual([
      ['v1', 0],
      ['v2', 0],
      ['v3', 100],
    ]);
    expect(VirtualServiceSchema.safeParse(vs).success).toBe(true);
  });
});

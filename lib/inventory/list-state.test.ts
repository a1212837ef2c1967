import { describe, expect, it } from 'vitest';
import { DEFAULT_HEALTH } from '../graph/health';
import { buildInventory } from './build-inventory';
import { filterItems, listStateToParams, parseListState, sortItems } from './list-state';
import { PP, REVIEWS, RV1, RV2, sample } from './test-samples';

const inv = buildInventory({
  samples: [
    sample({ reporter: 'source', from: PP, to: RV1, service: REVIEWS, serviceNs: 'bookinfo', rps: 5 }),
    sample({
      reporter: 'source',
      from: PP,
      to: RV2,
      service: REVIEWS,
      serviceNs: 'bookinfo',
      code: '500',
      rps: 5,
    }),
    sample({
      reporter: 'source',
      from: { ns: 'shop', wl: 'cart', app: 'cart', version: 'v9' },
      to: RV1,
      service: REVIEWS,
      serviceNs: 'bookinfo',
      rps: 1,
    }),
  ],
  thresholds: DEFAULT_HEALTH,
});

describe('list state', () => {
  it('round-trips through the URL, leaving defaults out and unknown values at their default', () => {
    const s = parseListState(
      new URLSearchParams(
        'namespaces=bookinfo,shop&name=rev&label=version%3Dv2&health=failure,bogus&sort=health&dir=desc',
      ),
    );
    expect(s).toEqual({
      namespaces: ['bookinfo', 'shop'],
      name: 'rev',
      label: 'version=v2',
      health: ['failure'],
      sort: 'health',
      dir: 'desc',
    });
    expect(parseListState(listStateToParams(s))).toEqual(s);
    expect(listStateToParams(parseListState(new URLSearchParams('sort=drop&dir=up'))).toString()).toBe('');
  });

  it('filters by namespace, name, label (key or key=value, any of an app’s versions) and health', () => {
    const names = (q: string) =>
      filterItems(inv.workloads, parseListState(new URLSearchParams(q))).map((i) => i.name);
    expect(names('namespaces=shop')).toEqual(['cart']);
    expect(names('name=REV')).toEqual(['reviews-v1', 'reviews-v2']);
    expect(names('label=version%3Dv2')).toEqual(['reviews-v2']);
    expect(names('health=failure')).toEqual(['productpage-v1', 'reviews-v2']);
    const apps = filterItems(inv.applications, parseListState(new URLSearchParams('label=version%3Dv2')));
    expect(apps.map((a) => a.name)).toEqual(['reviews']);
    expect(filterItems(inv.workloads, parseListState(new URLSearchParams('label=nolabel'))).length).toBe(0);
  });

  it('sorts by any column, the worst health first, ties by namespace and name', () => {
    const by = (sort: string, dir = 'asc') =>
      sortItems(inv.workloads, parseListState(new URLSearchParams({ sort, dir }))).map((i) => i.name);
    expect(by('health')).toEqual(['productpage-v1', 'reviews-v2', 'reviews-v1', 'cart']);
    expect(by('rps', 'desc')).toEqual(['reviews-v1', 'reviews-v2', 'productpage-v1', 'cart']);
    expect(by('namespace')).toEqual(['productpage-v1', 'reviews-v1', 'reviews-v2', 'cart']);
  });
});

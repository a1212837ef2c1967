import { describe, expect, it } from 'vitest';
import { observedSplitFrom, observedSplitQuery, promString, versionsSeenQuery } from './observed';

describe('observedSplitQuery', () => {
  it('selects the service by name and namespace, escaping the values', () => {
    expect(observedSplitQuery('reviews', 'bookinfo', '30s')).toBe(
      'sum by (reporter, destination_version, destination_canonical_revision) ' +
        '(rate(istio_requests_total{destination_service_name="reviews",destination_service_namespace="bookinfo"}[30s]))',
    );
    expect(promString('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"');
  });
});

describe('observedSplitFrom', () => {
  it('uses source-reported series only when there are any, never both reporters', () => {
    const split = observedSplitFrom([
      { labels: { reporter: 'source', destination_canonical_revision: 'v1' }, value: 3 },
      { labels: { reporter: 'source', destination_canonical_revision: 'v3' }, value: 1 },
      { labels: { reporter: 'destination', destination_canonical_revision: 'v1' }, value: 3 },
      {
        labels: {
          reporter: 'source',
          destination_canonical_revision: 'unknown',
          destination_version: 'unknown',
        },
        value: 1,
      },
    ]);
    expect(split.reporter).toBe('source');
    expect(split.shares).toEqual([
      { version: 'v1', rps: 3, percent: 75 },
      { version: 'v3', rps: 1, percent: 25 },
    ]);
    expect(split.unknownRps).toBe(1);
    expect(split.totalRps).toBe(5);
  });

  it('falls back to destination-reported series and to the older destination_version label', () => {
    const split = observedSplitFrom(
      [
        {
          labels: { reporter: 'destination', destination_canonical_revision: '', destination_version: 'v2' },
          value: 2,
        },
        {
          labels: {
            reporter: 'destination',
            destination_canonical_revision: 'latest',
            destination_version: 'v10',
          },
          value: 2,
        },
      ],
      (v) => `subset-${v}`,
    );
    expect(split.reporter).toBe('destination');
    expect(split.shares.map((s) => [s.version, s.percent])).toEqual([
      ['subset-v2', 50],
      ['subset-v10', 50],
    ]);
  });

  it('answers an empty split with no traffic', () => {
    expect(observedSplitFrom([])).toEqual({ reporter: null, totalRps: 0, shares: [], unknownRps: 0 });
  });
});

describe('versionsSeenQuery', () => {
  it('groups by service and version, for one service or all', () => {
    expect(versionsSeenQuery({ name: 'reviews', namespace: 'bookinfo' })).toContain(
      'istio_requests_total{destination_service_name="reviews",destination_service_namespace="bookinfo"}[5m]',
    );
    expect(versionsSeenQuery()).toContain('(rate(istio_requests_total[5m]))');
  });
});

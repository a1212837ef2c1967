import { describe, expect, it } from 'vitest';
import { DestinationRuleSchema } from '../mesh-config/schema';
import { destinationRuleFor, withSubsets } from './destination-rule';
import { REVIEWS, reviewsDestinationRule } from './test-fixtures';

describe('withSubsets', () => {
  it('adds the missing subsets, labelled by version, and keeps the traffic policy', () => {
    const dr = withSubsets(reviewsDestinationRule(['v1', 'v2']), REVIEWS, ['v1', 'v2', 'v3']);
    expect(dr?.spec.subsets?.map((s) => [s.name, s.labels?.version])).toEqual([
      ['v1', 'v1'],
      ['v2', 'v2'],
      ['v3', 'v3'],
    ]);
    expect(dr?.spec.trafficPolicy?.outlierDetection?.consecutive5xxErrors).toBe(3);
    expect(dr?.metadata.resourceVersion).toBe('3');
    expect(DestinationRuleSchema.safeParse(dr).success).toBe(true);
  });

  it('changes nothing when every version has a subset', () => {
    expect(withSubsets(reviewsDestinationRule(), REVIEWS, ['v1', 'v3'])).toBeUndefined();
  });

  it('creates a DestinationRule for the host when there is none, as Kiali does', () => {
    const dr = withSubsets(undefined, REVIEWS, ['v1', 'v2']);
    expect(dr?.metadata).toEqual({ name: 'reviews', namespace: 'bookinfo' });
    expect(dr?.spec).toEqual({
      host: REVIEWS.host,
      subsets: [
        { name: 'v1', labels: { version: 'v1' } },
        { name: 'v2', labels: { version: 'v2' } },
      ],
    });
  });

  it('finds the rule for the host, short host names included', () => {
    const other = reviewsDestinationRule();
    other.metadata.name = 'ratings';
    other.spec.host = 'ratings';
    const short = reviewsDestinationRule();
    short.metadata.name = 'reviews-rule';
    short.spec.host = 'reviews';
    expect(destinationRuleFor([other, short], REVIEWS)?.metadata.name).toBe('reviews-rule');
  });
});

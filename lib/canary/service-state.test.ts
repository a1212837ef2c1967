import { describe, expect, it } from 'vitest';
import { canaryState } from './service-state';
import { REVIEWS, reviewsDestinationRule, reviewsVirtualService, workloadEntry } from './test-fixtures';

const entries = [
  workloadEntry('reviews', 'v1'),
  workloadEntry('reviews', 'v2', 1),
  workloadEntry('reviews', 'v2', 2),
  workloadEntry('reviews', 'v3'),
  workloadEntry('ratings', 'v1'),
  workloadEntry('reviews', 'v9', 1, 'other'),
];

describe('canaryState', () => {
  it('lists the DestinationRule subsets with their instances and starts from the default route', () => {
    const state = canaryState({
      service: REVIEWS,
      virtualServices: [reviewsVirtualService('7')],
      destinationRules: [reviewsDestinationRule()],
      workloadEntries: entries,
      observedVersions: ['v1', 'v3', 'unknown'],
    });
    expect(state.versions.map((v) => [v.version, v.inDestinationRule, v.instances, v.seenInMetrics])).toEqual(
      [
        ['v1', true, 1, true],
        ['v2', true, 2, false],
        ['v3', true, 1, true],
      ],
    );
    expect(state.virtualService?.resourceVersion).toBe('7');
    expect(state.defaultRouteIndex).toBe(1);
    expect(state.split.map((s) => s.weight)).toEqual([50, 30, 20]);
  });

  it('finds versions from workloads and metrics when no DestinationRule defines them', () => {
    const state = canaryState({
      service: REVIEWS,
      virtualServices: [],
      destinationRules: [],
      workloadEntries: entries,
      observedVersions: ['v10', 'v4'],
    });
    expect(state.versions.map((v) => [v.version, v.inDestinationRule])).toEqual([
      ['v1', false],
      ['v2', false],
      ['v3', false],
      ['v4', false],
      ['v10', false],
    ]);
    expect(state.virtualService).toBeNull();
    // No route yet: the split follows the instance counts, as plain load balancing does.
    expect(state.split.map((s) => s.weight)).toEqual([25, 50, 25, 0, 0]);
  });

  it('names versions by subset when the subset name differs from the version label', () => {
    const dr = reviewsDestinationRule();
    dr.spec.subsets = [{ name: 'stable', labels: { version: 'v1' } }];
    const state = canaryState({
      service: REVIEWS,
      virtualServices: [],
      destinationRules: [dr],
      workloadEntries: [workloadEntry('reviews', 'v1'), workloadEntry('reviews', 'v3')],
      observedVersions: ['v1'],
    });
    expect(state.versions.map((v) => [v.version, v.label, v.instances, v.seenInMetrics])).toEqual([
      ['stable', 'v1', 1, true],
      ['v3', 'v3', 1, false],
    ]);
  });
});

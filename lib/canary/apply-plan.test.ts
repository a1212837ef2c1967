import { describe, expect, it } from 'vitest';
import { statusOfOutcome } from '../http/answer';
import { fieldErrorsOf, outcomeOfFailure, planApply, planRollback } from './apply-plan';
import { REVIEWS, reviewsDestinationRule, reviewsVirtualService } from './test-fixtures';
import { defaultRoute, routesOf } from './virtual-service';

const versions = ['v1', 'v2', 'v3'];
const to100v3 = [
  { version: 'v1', weight: 0 },
  { version: 'v2', weight: 0 },
  { version: 'v3', weight: 100 },
];
const currentSplit = (vs: Parameters<typeof routesOf>[0]) =>
  defaultRoute(routesOf(vs, REVIEWS))?.split ?? null;

describe('planApply', () => {
  it('writes the default route at the resourceVersion the form was read at', () => {
    const plan = planApply(
      REVIEWS,
      { virtualService: reviewsVirtualService('7'), destinationRule: reviewsDestinationRule(), versions },
      { split: to100v3, resourceVersion: '7' },
      currentSplit,
    );
    if (plan.kind !== 'write') throw new Error(`expected a write, got ${plan.kind}`);
    expect(plan.create).toBe(false);
    expect(plan.destinationRule).toBeUndefined();
    expect(plan.routeIndexes).toEqual([1]);
    expect(plan.virtualService.metadata.resourceVersion).toBe('7');
    expect(plan.virtualService.spec.http?.[1]?.route.map((d) => d.weight)).toEqual([0, 0, 100]);
  });

  it('answers a conflict showing both splits when the VirtualService changed since it was read', () => {
    const plan = planApply(
      REVIEWS,
      { virtualService: reviewsVirtualService('9'), versions },
      { split: to100v3, resourceVersion: '7' },
      currentSplit,
    );
    expect(plan).toMatchObject({
      ok: false,
      kind: 'conflict',
      yours: to100v3,
      current: [
        { version: 'v1', weight: 50 },
        { version: 'v2', weight: 30 },
        { version: 'v3', weight: 20 },
      ],
      currentResourceVersion: '9',
    });
  });

  it('treats a VirtualService created by someone else as a conflict too', () => {
    const plan = planApply(
      REVIEWS,
      { virtualService: reviewsVirtualService('2'), versions },
      { split: to100v3, resourceVersion: null },
      currentSplit,
    );
    expect(plan.kind).toBe('conflict');
  });

  it('refuses half-filled or unbalanced splits, naming the fields', () => {
    const current = { virtualService: reviewsVirtualService('7'), versions };
    const missing = planApply(
      REVIEWS,
      current,
      { split: to100v3.slice(1), resourceVersion: '7' },
      currentSplit,
    );
    expect(missing).toMatchObject({ kind: 'invalid', fieldErrors: { v1: 'a weight for v1 is missing' } });
    const fractional = planApply(
      REVIEWS,
      current,
      {
        split: [
          { version: 'v1', weight: 0.5 },
          { version: 'v2', weight: 0 },
          { version: 'v3', weight: 99.5 },
        ],
        resourceVersion: '7',
      },
      currentSplit,
    );
    expect(fractional).toMatchObject({
      kind: 'invalid',
      fieldErrors: { v1: 'must be a whole number from 0 to 100' },
    });
    const unbalanced = planApply(
      REVIEWS,
      current,
      {
        split: [
          { version: 'v1', weight: 10 },
          { version: 'v2', weight: 0 },
          { version: 'v3', weight: 0 },
        ],
        resourceVersion: '7',
      },
      currentSplit,
    );
    expect(unbalanced).toMatchObject({ kind: 'invalid', message: 'The weights must sum to 100.' });
  });

  it('creates the VirtualService and the missing DestinationRule subsets when there are none', () => {
    const plan = planApply(
      REVIEWS,
      { destinationRule: reviewsDestinationRule(['v1', 'v2']), versions },
      { split: to100v3, resourceVersion: null },
      currentSplit,
    );
    if (plan.kind !== 'write') throw new Error(`expected a write, got ${plan.kind}`);
    expect(plan.create).toBe(true);
    expect(plan.destinationRule?.spec.subsets?.map((s) => s.name)).toEqual(['v1', 'v2', 'v3']);
  });
});

describe('control plane failures as form errors', () => {
  it('puts a cause on the field of the version the route destination names', () => {
    const written = reviewsVirtualService();
    const { fieldErrors, general } = fieldErrorsOf(
      [
        { field: 'spec.http[1].route[2].destination.subset', message: 'subset v3 is not defined' },
        { field: 'spec.http[1].route', message: 'weights must sum to 100' },
        { field: 'spec.http[0].route[0].weight', message: 'not ours' },
      ],
      written,
      [1],
    );
    expect(fieldErrors).toEqual({ v3: 'subset v3 is not defined' });
    expect(general.map((c) => c.field)).toEqual(['spec.http[1].route', 'spec.http[0].route[0].weight']);
  });

  it('maps statuses: 409 conflict, 422 invalid, unreachable unavailable', () => {
    const failure = (status: number) => ({
      ok: false as const,
      status,
      reason: 'x',
      message: 'm',
      causes: [],
    });
    expect(statusOfOutcome(outcomeOfFailure(failure(409)))).toBe(409);
    expect(statusOfOutcome(outcomeOfFailure(failure(422)))).toBe(422);
    expect(outcomeOfFailure(failure(0))).toMatchObject({ kind: 'unavailable' });
    expect(statusOfOutcome(outcomeOfFailure(failure(0)))).toBe(503);
    expect(outcomeOfFailure(failure(500))).toMatchObject({ kind: 'error' });
  });
});

describe('planRollback', () => {
  it('restores the spec an audit entry wrote, on the current metadata', () => {
    const target = reviewsVirtualService().spec;
    const current = reviewsVirtualService('12');
    current.spec.http = [{ route: [{ destination: { host: REVIEWS.host, subset: 'v3' } }] }];
    const plan = planRollback(REVIEWS, current, target, { to: '7', resourceVersion: '12' }, currentSplit);
    if (plan.kind !== 'write') throw new Error(`expected a write, got ${plan.kind}`);
    expect(plan.virtualService.spec).toEqual(target);
    expect(plan.virtualService.metadata.resourceVersion).toBe('12');
  });

  it('refuses when the VirtualService moved on, and when the entry was a deletion', () => {
    const current = reviewsVirtualService('13');
    const spec = reviewsVirtualService().spec;
    expect(planRollback(REVIEWS, current, spec, { to: '7', resourceVersion: '12' }, currentSplit).kind).toBe(
      'conflict',
    );
    expect(planRollback(REVIEWS, current, null, { to: '7', resourceVersion: '13' }, currentSplit).kind).toBe(
      'invalid',
    );
  });
});

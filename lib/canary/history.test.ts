import { describe, expect, it } from 'vitest';
import { type AuditEntry, historyOf } from './history';
import { REVIEWS, reviewsVirtualService } from './test-fixtures';

const before = reviewsVirtualService().spec;
const after = structuredClone(before);
const canary = after.http?.[1];
if (canary) for (const d of canary.route) d.weight = d.destination.subset === 'v3' ? 100 : 0;

const entry = (over: Partial<AuditEntry>): AuditEntry => ({
  time: '2026-11-26T02:00:00.000Z',
  who: 'alice',
  identity: 'dashboard',
  verb: 'update',
  kind: 'VirtualService',
  namespace: 'bookinfo',
  name: 'reviews',
  resourceVersion: '8',
  oldSpec: before,
  newSpec: after,
  ...over,
});

describe('historyOf', () => {
  it('shows who changed the weights, from which split to which', () => {
    const [item] = historyOf([entry({})], REVIEWS, 'reviews', '9');
    expect(item).toMatchObject({ who: 'alice', via: 'dashboard', verb: 'update', resourceVersion: '8' });
    expect(item?.from?.find((r) => r.route === 'canary')?.split.map((s) => s.weight)).toEqual([50, 30, 20]);
    expect(item?.to?.find((r) => r.route === 'canary')?.split.map((s) => s.weight)).toEqual([0, 0, 100]);
    expect(item?.weightsChanged).toBe(true);
    expect(item?.canRollBack).toBe(true);
  });

  it('marks the entry that wrote the current state, and deletions, as not restorable', () => {
    const items = historyOf(
      [entry({ resourceVersion: '9' }), entry({ resourceVersion: '10', verb: 'delete', newSpec: null })],
      REVIEWS,
      'reviews',
      '9',
    );
    expect(items.map((i) => [i.current, i.canRollBack])).toEqual([
      [true, false],
      [false, false],
    ]);
  });

  it('skips other resources and tells a change that left the weights alone', () => {
    const items = historyOf(
      [entry({ kind: 'DestinationRule' }), entry({ name: 'ratings' }), entry({ newSpec: before })],
      REVIEWS,
      'reviews',
      null,
    );
    expect(items).toHaveLength(1);
    expect(items[0]?.weightsChanged).toBe(false);
    expect(items[0]?.via).toBe('dashboard');
  });
});

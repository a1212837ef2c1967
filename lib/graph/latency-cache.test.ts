import { describe, expect, it } from 'vitest';
import type { PromResult } from '../prometheus/client';
import { type BucketGroup, groupBuckets, LatencyCache } from './latency-cache';
import type { Sample } from './series';

const edge = { reporter: 'source', source_workload: 'productpage-v1', destination_service: 'reviews' };
const bucket = (le: string, value: number, labels: Record<string, string> = edge): Sample => ({
  labels: { ...labels, le },
  value,
});

/** A bucket reader that counts its calls and answers what `answer` says at the time it is called. */
function reader(
  answer: (t: number) => PromResult<Sample[]> = () => ({ ok: true, value: [bucket('+Inf', 1)] }),
) {
  const calls: number[] = [];
  const pending: (() => void)[] = [];
  let hold = false;
  return {
    calls,
    holdNext() {
      hold = true;
    },
    releaseAll() {
      for (const p of pending.splice(0)) p();
    },
    read: (t: number): Promise<PromResult<BucketGroup[]>> => {
      calls.push(t);
      const grouped = (): PromResult<BucketGroup[]> => {
        const r = answer(t);
        return r.ok ? { ok: true, value: groupBuckets(r.value) } : r;
      };
      if (!hold) return Promise.resolve(grouped());
      hold = false;
      return new Promise((resolve) => pending.push(() => resolve(grouped())));
    },
  };
}

describe('groupBuckets', () => {
  it('makes one group per series with its bounds, le dropped from the labels', () => {
    const other = { ...edge, destination_service: 'ratings' };
    const groups = groupBuckets([
      bucket('5', 1),
      bucket('+Inf', 3),
      bucket('10', 2, other),
      bucket('+Inf', 2, other),
      { labels: { ...edge }, value: 9 }, // no `le`: not a bucket
      bucket('abc', 1), // unreadable bound
    ]);
    expect(groups).toHaveLength(2);
    expect(groups[0]?.labels).toEqual(edge);
    expect(groups[0]?.buckets).toEqual([
      [5, 1],
      [Number.POSITIVE_INFINITY, 3],
    ]);
    expect(groups[1]?.buckets).toEqual([
      [10, 2],
      [Number.POSITIVE_INFINITY, 2],
    ]);
  });

  it('groups series told apart by one label (the recorded joined edge) as by all of them', () => {
    const s = (name: string, edge: string, le: string, value: number) => ({
      labels: { __name__: name, edge, le },
      value,
    });
    const interleaved = [
      s('r', 'a;b', '5', 1),
      s('r', 'c;d', '5', 2),
      s('r', 'a;b', '+Inf', 3),
      s('r', 'c;d', '+Inf', 4),
    ];
    expect(groupBuckets(interleaved)).toEqual([
      {
        labels: { __name__: 'r', edge: 'a;b' },
        buckets: [
          [5, 1],
          [Number.POSITIVE_INFINITY, 3],
        ],
      },
      {
        labels: { __name__: 'r', edge: 'c;d' },
        buckets: [
          [5, 2],
          [Number.POSITIVE_INFINITY, 4],
        ],
      },
    ]);
    // Another metric name with the same edge is another group.
    const twoNames = groupBuckets([s('r', 'a;b', '5', 1), s('q', 'a;b', '5', 2)]);
    expect(twoNames.map((g) => g.labels.__name__)).toEqual(['r', 'q']);
  });
});

describe('LatencyCache', () => {
  it('serves a fresh live reading without reading again', async () => {
    let now = 1000;
    const cache = new LatencyCache({ freshS: 15, maxAgeS: 60, cheapMs: 0, now: () => now });
    const r = reader();
    const first = await cache.get('v', 1000, false, r.read);
    now = 1010;
    const second = await cache.get('v', 1010, false, r.read);
    expect(r.calls).toEqual([1000]);
    expect(first.ok && second.ok && second.value.time).toBe(1000);
  });

  it('serves a stale live reading at once and refreshes it in the background, once', async () => {
    let now = 1000;
    const cache = new LatencyCache({ freshS: 15, maxAgeS: 60, cheapMs: 0, now: () => now });
    const r = reader();
    await cache.get('v', 1000, false, r.read);
    now = 1030;
    r.holdNext();
    const stale = await cache.get('v', 1030, false, r.read);
    const again = await cache.get('v', 1031, false, r.read); // the refresh is still running: no second read
    expect(stale.ok && stale.value.time).toBe(1000);
    expect(again.ok && again.value.time).toBe(1000);
    expect(r.calls).toEqual([1000, 1030]);
    r.releaseAll();
    await new Promise((resolve) => setTimeout(resolve, 0));
    const refreshed = await cache.get('v', 1032, false, r.read);
    expect(refreshed.ok && refreshed.value.time).toBe(1030);
  });

  it('waits for a new reading when the live one is too old', async () => {
    let now = 1000;
    const cache = new LatencyCache({ freshS: 15, maxAgeS: 60, cheapMs: 0, now: () => now });
    const r = reader();
    await cache.get('v', 1000, false, r.read);
    now = 1100;
    const late = await cache.get('v', 1100, false, r.read);
    expect(late.ok && late.value.time).toBe(1100);
  });

  it('keeps pinned readings per exact time, apart from the live one and from other views', async () => {
    const cache = new LatencyCache({ now: () => 5000 });
    const r = reader();
    await cache.get('v', 1000, true, r.read);
    await cache.get('v', 1000, true, r.read);
    await cache.get('v', 1001, true, r.read);
    await cache.get('w', 1000, true, r.read);
    await cache.get('v', 5000, false, r.read);
    expect(r.calls).toEqual([1000, 1001, 1000, 5000]);
  });

  it('never keeps a failed read', async () => {
    const cache = new LatencyCache({ now: () => 1000 });
    let fail = true;
    const r = reader(() =>
      fail
        ? { ok: false, error: { code: 'prometheus_unavailable', message: 'down' } }
        : { ok: true, value: [bucket('+Inf', 1)] },
    );
    const failed = await cache.get('v', 1000, false, r.read);
    expect(failed.ok).toBe(false);
    fail = false;
    const ok = await cache.get('v', 1000, false, r.read);
    expect(ok.ok).toBe(true);
    expect(r.calls).toHaveLength(2);
  });

  it('turns a reader that throws into an error value', async () => {
    const cache = new LatencyCache({ now: () => 1000 });
    const r = await cache.get('v', 1000, false, () => Promise.reject(new Error('boom')));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.message).toContain('boom');
  });

  it('drops the least recently used views beyond its size', async () => {
    const cache = new LatencyCache({ maxEntries: 2, now: () => 1000 });
    const r = reader();
    await cache.get('a', 1, true, r.read);
    await cache.get('b', 1, true, r.read);
    await cache.get('a', 1, true, r.read); // a is now the most recent
    await cache.get('c', 1, true, r.read); // drops b
    expect(cache.size).toBe(2);
    await cache.get('a', 1, true, r.read);
    await cache.get('b', 1, true, r.read);
    expect(r.calls).toHaveLength(4); // a, b, c, then b again
  });

  it('drops the least recently used views past its buckets, keeping the one just read', async () => {
    const cache = new LatencyCache({ maxBuckets: 5, now: () => 1000 });
    const r = reader(() => ({ ok: true, value: [bucket('1', 1), bucket('+Inf', 2)] })); // 2 buckets a reading
    await cache.get('a', 1, true, r.read);
    await cache.get('b', 1, true, r.read);
    expect(cache.bucketCount).toBe(4);
    await cache.get('a', 1, true, r.read); // a is now the most recent
    await cache.get('c', 1, true, r.read); // 6 buckets: drops b
    expect(cache.size).toBe(2);
    expect(cache.bucketCount).toBe(4);
    await cache.get('a', 1, true, r.read);
    await cache.get('c', 1, true, r.read);
    expect(r.calls).toHaveLength(3); // a and c kept
    await cache.get('b', 1, true, r.read); // read again
    expect(r.calls).toHaveLength(4);

    const small = new LatencyCache({ maxBuckets: 1, now: () => 1000 });
    const kept = await small.get('big', 1, true, r.read);
    expect(kept.ok && kept.value.groups[0]?.buckets).toHaveLength(2);
    await small.get('big', 1, true, r.read); // larger than the bound, still kept: the one just read stays
    expect(r.calls).toHaveLength(5);
    expect(small.bucketCount).toBe(2);
  });

  it('reads a cheap view afresh for each live graph, and keeps an expensive one', async () => {
    let ms = 0;
    let readCost = 10;
    const clock = () => ms;
    const timed = (r: ReturnType<typeof reader>) => async (t: number) => {
      ms += readCost;
      return r.read(t);
    };
    const cache = new LatencyCache({ freshS: 15, maxAgeS: 60, cheapMs: 250, now: () => 1000, clock });
    const r = reader();
    await cache.get('small', 1000, false, timed(r));
    await cache.get('small', 1000, false, timed(r));
    expect(r.calls).toHaveLength(2);
    readCost = 2_000;
    await cache.get('large', 1000, false, timed(r));
    await cache.get('large', 1000, false, timed(r));
    expect(r.calls).toHaveLength(3);
  });
});

import { describe, expect, it } from 'vitest';
import type { PromResult } from '../prometheus/client';
import { type BucketGroup, bucketCount, bucketsOf, groupBuckets, LatencyCache } from './latency-cache';
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

/** The ends of the graphs' waits for their latency reads (`after` of the cache): those begun so far pass when the test says. */
function budget() {
  const waits: (() => void)[] = [];
  return {
    after: () => new Promise<void>((resolve) => waits.push(resolve)),
    pass: () => {
      for (const w of waits.splice(0)) w();
    },
  };
}

/** Lets the promise chains of a landed read run (a macrotask after every microtask queued). */
const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

const down = {
  ok: false as const,
  error: { code: 'prometheus_timeout' as const, message: 'no answer in time' },
};

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
    expect(bucketsOf(groups[0] as BucketGroup)).toEqual([
      [5, 1],
      [Number.POSITIVE_INFINITY, 3],
    ]);
    expect(bucketsOf(groups[1] as BucketGroup)).toEqual([
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
    expect(groupBuckets(interleaved).map((g) => ({ labels: g.labels, buckets: bucketsOf(g) }))).toEqual([
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
    expect(kept.ok && bucketCount(kept.value.groups[0] as BucketGroup)).toBe(2);
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

  it('answers a graph without latency once its wait is over, and keeps the read for the next graph', async () => {
    const wait = budget();
    const cache = new LatencyCache({ cheapMs: 0, now: () => 1000, after: wait.after });
    const r = reader();
    r.holdNext();
    const answer = cache.get('v', 1000, false, r.read);
    wait.pass();
    const first = await answer;
    expect(first.ok).toBe(false);
    expect(!first.ok && first.error.message).toContain('still being read');
    expect(cache.backgroundReads).toBe(1);
    r.releaseAll();
    await settled();
    expect(cache.backgroundReads).toBe(0);
    const next = await cache.get('v', 1005, false, r.read);
    expect(next.ok && next.value.time).toBe(1000);
    expect(r.calls).toEqual([1000]);
  });

  it('does not wait for a read under way for longer than the wait, nor send another', async () => {
    let ms = 0;
    // A wait that never ends by itself: only the read's own age can make the graph answer without it.
    const cache = new LatencyCache({
      cheapMs: 0,
      waitMs: 5_000,
      now: () => 1000,
      clock: () => ms,
      after: () => new Promise(() => {}),
    });
    const r = reader();
    r.holdNext();
    void cache.get('v', 1000, false, r.read);
    ms = 5_001;
    const again = await cache.get('v', 1000, false, r.read);
    expect(again.ok).toBe(false);
    expect(r.calls).toEqual([1000]);
  });

  it('does not wait for a view whose last read took longer than the wait, and answers the next graph with it', async () => {
    let ms = 0;
    let now = 1000;
    const cache = new LatencyCache({
      cheapMs: 0,
      waitMs: 5_000,
      now: () => now,
      clock: () => ms,
      after: () => new Promise(() => {}),
    });
    const r = reader();
    const slow = (t: number) => {
      ms += 9_000;
      return r.read(t);
    };
    await cache.get('v', 1000, false, slow); // took 9 s (landed, for this test, at once)
    now = 1100; // too old to use
    r.holdNext();
    const late = await cache.get('v', 1100, false, slow);
    expect(late.ok).toBe(false);
    r.releaseAll();
    await settled();
    const next = await cache.get('v', 1105, false, slow);
    expect(next.ok && next.value.time).toBe(1100);
    expect(r.calls).toEqual([1000, 1100]);
  });

  it('remembers a failed read with a back-off that doubles, sends none inside it, and forgets it on a success', async () => {
    let now = 1000;
    let fail = true;
    const cache = new LatencyCache({ cheapMs: 0, retryMinS: 15, retryMaxS: 40, now: () => now });
    const r = reader(() => (fail ? down : { ok: true, value: [bucket('+Inf', 1)] }));
    const failed = await cache.get('v', now, false, r.read);
    expect(!failed.ok && failed.error.message).toContain('no answer in time');
    expect(!failed.ok && failed.error.message).toContain('15 s');
    expect(cache.bucketCount).toBe(0);
    now += 10;
    const inside = await cache.get('v', now, false, r.read);
    expect(!inside.ok && inside.error.message).toContain('no answer in time');
    expect(r.calls).toHaveLength(1);
    now += 6; // past 15 s: read again, fails, 30 s now
    await cache.get('v', now, false, r.read);
    expect(r.calls).toHaveLength(2);
    now += 29;
    await cache.get('v', now, false, r.read);
    expect(r.calls).toHaveLength(2);
    now += 2; // past 30 s: fails again, 40 s (the longest)
    const third = await cache.get('v', now, false, r.read);
    expect(!third.ok && third.error.message).toContain('40 s');
    now += 41;
    fail = false;
    const ok = await cache.get('v', now, false, r.read);
    expect(ok.ok).toBe(true);
    expect(r.calls).toHaveLength(4);
    // A success cleared it: the next failure backs off from the first step again.
    now += 100;
    fail = true;
    const again = await cache.get('v', now, false, r.read);
    expect(!again.ok && again.error.message).toContain('15 s');
  });

  it('serves a stale reading during a back-off without refreshing it', async () => {
    let now = 1000;
    let fail = false;
    const cache = new LatencyCache({ cheapMs: 0, freshS: 15, maxAgeS: 60, retryMinS: 15, now: () => now });
    const r = reader(() => (fail ? down : { ok: true, value: [bucket('+Inf', 1)] }));
    await cache.get('v', 1000, false, r.read);
    fail = true;
    now = 1020; // stale: served, refreshed in the background, which fails
    await cache.get('v', now, false, r.read);
    await settled();
    now = 1025;
    const stale = await cache.get('v', now, false, r.read);
    expect(stale.ok && stale.value.time).toBe(1000);
    expect(r.calls).toEqual([1000, 1020]);
    now = 1036; // past the back-off: refreshed again
    await cache.get('v', now, false, r.read);
    expect(r.calls).toEqual([1000, 1020, 1036]);
  });

  it('reads a view once at a time, however many graphs wait for it', async () => {
    const wait = budget();
    const cache = new LatencyCache({ cheapMs: 0, now: () => 1000, after: wait.after });
    const r = reader();
    r.holdNext();
    const answers = [1, 2, 3].map(() => cache.get('v', 1000, false, r.read));
    wait.pass();
    expect((await Promise.all(answers)).map((a) => a.ok)).toEqual([false, false, false]);
    expect(r.calls).toEqual([1000]);
    expect(cache.backgroundReads).toBe(1);
  });

  it('starts no read past its bound of reads going on after their request, all views together', async () => {
    const wait = budget();
    const cache = new LatencyCache({ cheapMs: 0, maxBackgroundReads: 1, now: () => 1000, after: wait.after });
    const r = reader();
    r.holdNext();
    const a = cache.get('a', 1000, false, r.read);
    wait.pass();
    await a;
    const b = await cache.get('b', 1000, false, r.read);
    expect(!b.ok && b.error.message).toContain('already going on');
    expect(r.calls).toEqual([1000]);
    r.releaseAll();
    await settled();
    const later = await cache.get('b', 1000, false, r.read);
    expect(later.ok).toBe(true);
    expect(r.calls).toEqual([1000, 1000]);
  });

  it('answers a pinned graph without latency once its wait is over, and keeps the read for that time', async () => {
    const wait = budget();
    const cache = new LatencyCache({ now: () => 5000, after: wait.after });
    const r = reader();
    r.holdNext();
    const answer = cache.get('v', 1000, true, r.read);
    wait.pass();
    expect((await answer).ok).toBe(false);
    r.releaseAll();
    await settled();
    const again = await cache.get('v', 1000, true, r.read);
    expect(again.ok && again.value.time).toBe(1000);
    expect(r.calls).toEqual([1000]);
  });

  it('waits for a pinned graph as long as a read had before (the client timeout), for a live one less', async () => {
    const waits: number[] = [];
    const cache = new LatencyCache({
      cheapMs: 0,
      now: () => 5000,
      clock: () => 0,
      after: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    });
    const r = reader();
    r.holdNext();
    await cache.get('v', 1000, true, r.read);
    r.holdNext();
    await cache.get('v', 5000, false, r.read);
    expect(waits).toEqual([10_000, 5_000]);
  });
});

// Latency off the request path. At scale the latency histogram is most of a graph's cost (1,000 workloads:
// 60,000 bucket series, seconds of Prometheus time, where the rates take a few hundred ms), and it moves
// slowly: a p95 over a minute's window hardly changes between two polls 10 s apart. So the graph keeps
// the latest bucket rates per view (namespaces, window) in memory, compacted to one entry per edge, and:
// - a live graph (no queryTime) reads them if they are younger than `freshS`; between `freshS` and
//   `maxAgeS` it reads them and refreshes them in the background (one refresh at a time per view);
//   older, or absent, it waits for a fresh read — rates and codes are always read fresh;
// - a view whose last read was cheap (under `cheapMs`: a small mesh) is read afresh every time — keeping
//   latency is for the meshes where reading it costs;
// - a graph pinned at a time reads what was read for that exact time (a moment past does not change);
// - a live graph waits for a read at most `waitMs` (`LATENCY_WAIT_MS`), and not at all for one known to take
//   longer (the view's last read did, or one under way already has): past it the graph is answered without
//   latency, saying why in words, while the read goes on and is kept when it lands, for the next poll (at
//   5,000 workloads without the recording rules the raw histogram takes Prometheus 6-17 s). A pinned graph
//   is not polled, so it keeps the wait it had, the Prometheus client's timeout (`LATENCY_PINNED_WAIT_MS`);
//   a read past it goes on too, kept for that time, for the graph asked again;
// - a failed read is remembered with a back-off (`LATENCY_RETRY_MIN_S`, doubling up to `LATENCY_RETRY_MAX_S`):
//   no read is sent for the view until it has passed, and a success clears it; what is remembered of a
//   failure is its error only, no buckets;
// - reads that go on past their request are bounded all views together (`LATENCY_BACKGROUND_READS`): past
//   it no new read is started, and the graph answers without latency (or with the reading it has);
// - what is kept is bounded by its buckets (`maxBuckets`), the least recently used views dropped first: a
//   5,000-workload mesh's reading holds 300,000 buckets (kept as pairs in one array, 4.8 MB; as an array a
//   bucket, ~30 MB of small arrays), and a server that kept 32 of them paid for them in every garbage
//   collection of every request after.
// The answer says how old its latency is (`latencyTime`), so no reader mistakes it for the rates' time; one
// without latency carries a `latency_unavailable` warning with the reason (the page shows it as a notice).
import type { PromError, PromResult } from '../prometheus/client';
import type { Sample } from './series';

/** The bucket rates of one series group (one edge, one reporter): its labels without `le`, by bound. */
export interface BucketGroup {
  labels: Record<string, string>;
  /**
   * The group's buckets as pairs, each bound then its cumulative rate (`le` +Inf is `Infinity`): a view of one
   * array the whole reading shares (`packBucketGroups`), not an array per bucket — a 5,000-workload reading has
   * 300,000 buckets, kept between requests (`maxBuckets`), which every garbage collection would walk.
   */
  buckets: Float64Array;
}

/** A group whose bucket pairs are being gathered (`le`, rate, `le`, rate, …) before `packBucketGroups`. */
export interface GatheredGroup {
  labels: Record<string, string>;
  pairs: number[];
}

/** Gathered groups as `BucketGroup`s: their pairs copied, in order, into one array they all view. */
export function packBucketGroups(gathered: readonly GatheredGroup[]): BucketGroup[] {
  let total = 0;
  for (let g = 0; g < gathered.length; g++) total += (gathered[g] as GatheredGroup).pairs.length;
  const all = new Float64Array(total);
  const out: BucketGroup[] = new Array(gathered.length);
  let at = 0;
  for (let g = 0; g < gathered.length; g++) {
    const { labels, pairs } = gathered[g] as GatheredGroup;
    all.set(pairs, at);
    out[g] = { labels, buckets: all.subarray(at, at + pairs.length) };
    at += pairs.length;
  }
  return out;
}

/** How many buckets a group has. */
export function bucketCount(g: BucketGroup): number {
  return g.buckets.length >> 1;
}

/** A group's buckets as `[le, rate]` pairs (tests, and readers that are not on a hot path). */
export function bucketsOf(g: BucketGroup): [number, number][] {
  const out: [number, number][] = [];
  for (let k = 0; k + 1 < g.buckets.length; k += 2)
    out.push([g.buckets[k] as number, g.buckets[k + 1] as number]);
  return out;
}

/** A group of `[le, rate]` pairs (tests, and readers that are not on a hot path). */
export function bucketGroup(
  labels: Record<string, string>,
  buckets: readonly (readonly [number, number])[],
): BucketGroup {
  return packBucketGroups([{ labels, pairs: buckets.flat() }])[0] as BucketGroup;
}

export interface LatencyReading {
  /** Unix seconds the buckets were read at. */
  time: number;
  groups: BucketGroup[];
}

/** Groups `le` samples by the rest of their labels: 20 samples of one edge become one entry. */
export function groupBuckets(samples: readonly Sample[]): BucketGroup[] {
  const groups = new Map<string, GatheredGroup>();
  const by = oneLabel(samples);
  for (const s of samples) {
    const leText = s.labels.le;
    if (leText === undefined) continue;
    const le = leText === '+Inf' ? Number.POSITIVE_INFINITY : Number(leText);
    if (Number.isNaN(le) || !Number.isFinite(s.value)) continue;
    const key = by === undefined ? groupKey(s.labels) : (s.labels[by] as string);
    let g = groups.get(key);
    if (!g) {
      const { le: _le, ...labels } = s.labels;
      g = { labels, pairs: [] };
      groups.set(key, g);
    }
    g.pairs.push(le, s.value);
  }
  return packBucketGroups([...groups.values()]);
}

/**
 * The one label that tells the samples' groups apart, when every sample has `le`, that label and at most a
 * metric name they all share (the recorded below-total series: an edge's labels joined into one): its
 * value is then the group's key as it is, not a key of every label built per sample (~100,000 of ~250
 * characters at 5,000 workloads). Undefined otherwise.
 */
function oneLabel(samples: readonly Sample[]): string | undefined {
  const first = samples[0]?.labels;
  if (first === undefined) return undefined;
  let by: string | undefined;
  let count = 0;
  for (const k in first) {
    count++;
    if (k !== 'le' && k !== '__name__') {
      if (by !== undefined) return undefined;
      by = k;
    }
  }
  if (by === undefined) return undefined;
  const name = first.__name__;
  for (const s of samples) {
    const l = s.labels;
    if (l.__name__ !== name || l[by] === undefined || l.le === undefined) return undefined;
    let n = 0;
    for (const _ in l) n++;
    if (n !== count) return undefined;
  }
  return by;
}

function groupKey(labels: Record<string, string>): string {
  let key = '';
  for (const k in labels) if (k !== 'le') key += `${k}\u0000${labels[k]}\u0001`;
  return key;
}

/**
 * How long a graph waits for a latency read when it has no reading to use: past it, it is answered without
 * latency while the read goes on. Above the read of every view with the recording rules at 5,000 workloads
 * (the 2 m window's, the longest: ~4.3-4.7 s at once), below the Prometheus client's 10 s timeout.
 */
export const LATENCY_WAIT_MS = 5_000;
/**
 * How long a graph pinned at a time waits for its latency read: the 10 s a read had before, the Prometheus
 * client's timeout. The page does not poll a pinned graph, so latency that arrives later is only seen when it is
 * asked again; a read that fits in the client's timeout is waited for, as before.
 */
export const LATENCY_PINNED_WAIT_MS = 10_000;
/** The back-off after a failed latency read, doubled for each failure in a row up to `LATENCY_RETRY_MAX_S`. */
export const LATENCY_RETRY_MIN_S = 15;
export const LATENCY_RETRY_MAX_S = 240;
/**
 * Latency reads going on past the request that started them, all views together: no new read is started
 * while this many are (each holds its answer, up to ~85 MB at 5,000 workloads, and a share of Prometheus).
 */
export const LATENCY_BACKGROUND_READS = 2;

export interface LatencyCacheOptions {
  /** A live reading younger than this is used as it is. Default 15 s (Istio's scrape interval). */
  freshS?: number;
  /** A live reading older than this is not used; between fresh and this it is, while refreshed. Default 60 s. */
  maxAgeS?: number;
  /** Views kept (least recently used dropped). Default 32. */
  maxEntries?: number;
  /**
   * Buckets kept, all views together (least recently used views dropped; the one just read stays, whatever its
   * size). Default `DEFAULT_LATENCY_CACHE_BUCKETS`.
   */
  maxBuckets?: number;
  /** A view whose last read took less than this many ms is read afresh for each live graph. Default 250. */
  cheapMs?: number;
  /** The longest a live graph waits for a read, in ms. Default `LATENCY_WAIT_MS`. */
  waitMs?: number;
  /** The longest a pinned graph waits for a read, in ms. Default `LATENCY_PINNED_WAIT_MS`. */
  pinnedWaitMs?: number;
  /** Seconds of back-off after a failed read, first and longest. Default 15 and 240. */
  retryMinS?: number;
  retryMaxS?: number;
  /** Reads going on past their request, all views together. Default `LATENCY_BACKGROUND_READS`. */
  maxBackgroundReads?: number;
  now?: () => number;
  /** Milliseconds, for timing reads; default `performance.now`. */
  clock?: () => number;
  /** Resolves after `ms` (tests; default a timer). A graph waits for a read until this resolves. */
  after?: (ms: number) => Promise<void>;
}

/** 1,000,000 buckets: three readings of a 5,000-workload mesh (15,000 edges × 20 bounds), 16 MB of pairs. */
export const DEFAULT_LATENCY_CACHE_BUCKETS = 1_000_000;

interface Failure {
  error: PromError;
  /** Seconds of this back-off; the next failure in a row doubles it. */
  backoffS: number;
  /** `now()` seconds until which no read is sent. */
  until: number;
}

interface Entry {
  key: string;
  /** A pinned time's (else the live view's). */
  pinned: boolean;
  reading?: LatencyReading;
  /** The reading's buckets (what `maxBuckets` counts); 0 without one. */
  buckets: number;
  /** How long the last successful read took. */
  readMs?: number;
  /** The last read failed (cleared by a success). */
  failure?: Failure;
  pending?: Promise<PromResult<LatencyReading>>;
  /** `clock()` when the pending read started. */
  started?: number;
  /** The pending read goes on past the request that started it (counted in `background`). */
  detached?: boolean;
}

/** Reads the bucket rates of a view at a time, grouped by series (see `groupBuckets`). */
export type ReadBuckets = (timeSec: number) => Promise<PromResult<BucketGroup[]>>;

const ok = (value: LatencyReading): PromResult<LatencyReading> => ({ ok: true, value });

/**
 * The groups of readings made for a pinned time: asked again only when that graph is (a reload), where a live
 * view's reading serves every poll until the next (what the merge keeps with a reading, `response-time.ts`, is
 * then worth keeping at once).
 */
const pinnedReadings = new WeakSet<readonly BucketGroup[]>();

/** Whether these groups were read for a pinned time. */
export function isPinnedReading(groups: readonly BucketGroup[]): boolean {
  return pinnedReadings.has(groups);
}

export class LatencyCache {
  private readonly entries = new Map<string, Entry>();
  private readonly freshS: number;
  private readonly maxAgeS: number;
  private readonly maxEntries: number;
  private readonly maxBuckets: number;
  /** The buckets of every kept reading. */
  private buckets = 0;
  private readonly cheapMs: number;
  private readonly waitMs: number;
  private readonly pinnedWaitMs: number;
  private readonly retryMinS: number;
  private readonly retryMaxS: number;
  private readonly maxBackground: number;
  /** Reads going on past their request. */
  private background = 0;
  private readonly now: () => number;
  private readonly clock: () => number;
  private readonly after: ((ms: number) => Promise<void>) | undefined;

  constructor(options: LatencyCacheOptions = {}) {
    this.freshS = options.freshS ?? 15;
    this.maxAgeS = Math.max(options.maxAgeS ?? 60, this.freshS);
    this.maxEntries = options.maxEntries ?? 32;
    this.maxBuckets = options.maxBuckets ?? DEFAULT_LATENCY_CACHE_BUCKETS;
    this.cheapMs = options.cheapMs ?? 250;
    this.waitMs = options.waitMs ?? LATENCY_WAIT_MS;
    this.pinnedWaitMs = options.pinnedWaitMs ?? LATENCY_PINNED_WAIT_MS;
    this.retryMinS = options.retryMinS ?? LATENCY_RETRY_MIN_S;
    this.retryMaxS = Math.max(options.retryMaxS ?? LATENCY_RETRY_MAX_S, this.retryMinS);
    this.maxBackground = options.maxBackgroundReads ?? LATENCY_BACKGROUND_READS;
    this.now = options.now ?? (() => Date.now() / 1000);
    this.clock = options.clock ?? (() => performance.now());
    this.after = options.after;
  }

  /**
   * The latency reading for a view at `timeSec`. `pinned`: the caller asked for that exact time; else
   * `timeSec` is "now" and a recent reading stands in for it. Answered within `waitMs`, or `pinnedWaitMs` for a
   * pinned one (see the module).
   */
  async get(
    view: string,
    timeSec: number,
    pinned: boolean,
    read: ReadBuckets,
  ): Promise<PromResult<LatencyReading>> {
    const key = pinned ? `${view}@${timeSec}` : `${view}@live`;
    const entry = this.touch(key, pinned);
    const reading = entry.reading;
    if (reading) {
      if (pinned) return ok(reading);
      const age = this.now() - reading.time;
      const usable = age >= 0 && age < this.maxAgeS ? reading : undefined;
      if ((entry.readMs ?? 0) < this.cheapMs) return this.wait(entry, timeSec, read, usable);
      if (age >= 0 && age < this.freshS) return ok(reading);
      if (usable) {
        this.start(entry, timeSec, read, true);
        return ok(reading);
      }
    }
    return this.wait(entry, timeSec, read, undefined);
  }

  /** Views held (for tests and the admin's curiosity). */
  get size(): number {
    return this.entries.size;
  }

  /** Buckets held, all views together. */
  get bucketCount(): number {
    return this.buckets;
  }

  /** Reads going on past the request that started them, all views together. */
  get backgroundReads(): number {
    return this.background;
  }

  /**
   * A new reading for `entry`, waited for at most what is left of its wait since its read started (not at all
   * for a view whose last read took longer); else `fallback`, else latency unavailable, in words.
   */
  private async wait(
    entry: Entry,
    timeSec: number,
    read: ReadBuckets,
    fallback: LatencyReading | undefined,
  ): Promise<PromResult<LatencyReading>> {
    const failure = entry.failure;
    if (!entry.pending && failure && this.now() < failure.until)
      return fallback ? ok(fallback) : { ok: false, error: failure.error };
    const pending = this.start(entry, timeSec, read, false);
    if (!pending)
      return fallback
        ? ok(fallback)
        : {
            ok: false,
            error: {
              code: 'prometheus_unavailable',
              message: `${this.background} latency reads are already going on (LATENCY_BACKGROUND_READS): this graph shows rates and codes; latency is read for a later refresh`,
            },
          };
    const waitMs = entry.pinned ? this.pinnedWaitMs : this.waitMs;
    const left = waitMs - (this.clock() - (entry.started ?? 0));
    const knownSlow = (entry.readMs ?? 0) > waitMs;
    const landed = left > 0 && !knownSlow ? await this.within(pending, left) : undefined;
    if (landed) return !landed.ok && fallback ? ok(fallback) : landed;
    this.detach(entry);
    return fallback
      ? ok(fallback)
      : {
          ok: false,
          error: {
            code: 'prometheus_timeout',
            message: `latency is still being read (Prometheus takes longer than ${waitMs / 1000} s for this view): this graph shows rates and codes; the reading is kept when it arrives, for the next request`,
          },
        };
  }

  /** `pending`'s result if it lands within `ms`; undefined past it. */
  private within<T>(pending: Promise<T>, ms: number): Promise<T | undefined> {
    if (this.after) return Promise.race([pending, this.after(ms).then(() => undefined)]);
    let late: (value: undefined) => void = () => {};
    const past = new Promise<undefined>((resolve) => {
      late = resolve;
    });
    const timer = setTimeout(() => late(undefined), ms);
    return Promise.race([pending, past]).finally(() => clearTimeout(timer));
  }

  /** Counts the entry's pending read as going on past its request (once). */
  private detach(entry: Entry): void {
    if (!entry.pending || entry.detached) return;
    entry.detached = true;
    this.background++;
  }

  private touch(key: string, pinned: boolean): Entry {
    let entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
    } else {
      entry = { key, pinned, buckets: 0 };
    }
    this.entries.set(key, entry);
    while (this.entries.size > this.maxEntries) this.drop(this.entries.keys().next().value as string);
    return entry;
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.buckets -= entry.buckets;
  }

  /** Keeps `reading` as the entry's (if the entry is still held), then drops old views past `maxBuckets`. */
  private keep(entry: Entry, reading: LatencyReading): void {
    entry.reading = reading;
    let count = 0;
    for (const g of reading.groups) count += bucketCount(g);
    // A view dropped while it was being read: its reading is answered, not kept.
    if (this.entries.get(entry.key) !== entry) return;
    this.buckets += count - entry.buckets;
    entry.buckets = count;
    for (const [key, e] of this.entries) {
      if (this.buckets <= this.maxBuckets) break;
      if (e !== entry) this.drop(key);
    }
  }

  /** The failure remembered with its back-off: the first, or the one before doubled (bounded). */
  private fail(entry: Entry, error: PromError): PromError {
    const backoffS = entry.failure ? Math.min(entry.failure.backoffS * 2, this.retryMaxS) : this.retryMinS;
    const words: PromError = {
      ...error,
      message: `${error.message}: latency is read again in ${backoffS} s at the earliest; this graph shows rates and codes`,
    };
    entry.failure = { error: words, backoffS, until: this.now() + backoffS };
    return words;
  }

  /**
   * One read at a time per view (the one under way, if any, else a new one: none in a back-off or, for a
   * `background` one, past `maxBackground`; undefined then); the result replaces the reading only when it
   * succeeded, and a failure starts or doubles the back-off.
   */
  private start(
    entry: Entry,
    timeSec: number,
    read: ReadBuckets,
    background: boolean,
  ): Promise<PromResult<LatencyReading>> | undefined {
    if (entry.pending) return entry.pending;
    if (this.background >= this.maxBackground) return undefined;
    if (background && entry.failure && this.now() < entry.failure.until) return undefined;
    const started = this.clock();
    entry.started = started;
    const pending = read(timeSec)
      .catch(
        (err: unknown): PromResult<BucketGroup[]> => ({
          ok: false,
          error: { code: 'prometheus_unavailable', message: `latency read failed: ${String(err)}` },
        }),
      )
      .then((r): PromResult<LatencyReading> => {
        if (!r.ok) return { ok: false, error: this.fail(entry, r.error) };
        entry.failure = undefined;
        const reading = { time: timeSec, groups: r.value };
        if (entry.pinned) pinnedReadings.add(r.value);
        // A slower, older read finishing after a newer one does not replace it.
        if (!entry.reading || entry.reading.time <= timeSec) {
          this.keep(entry, reading);
          entry.readMs = this.clock() - started;
        }
        return ok(reading);
      })
      .finally(() => {
        entry.pending = undefined;
        if (entry.detached) this.background--;
        entry.detached = false;
      });
    entry.pending = pending;
    if (background) this.detach(entry);
    return pending;
  }
}

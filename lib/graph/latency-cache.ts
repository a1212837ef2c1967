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
// - a failed read is never kept;
// - what is kept is bounded by its buckets (`maxBuckets`), the least recently used views dropped first: a
//   5,000-workload mesh's reading holds 300,000 buckets (~30 MB of small arrays), and a server that kept 32
//   of them paid for them in every garbage collection of every request after.
// The answer says how old its latency is (`latencyTime`), so no reader mistakes it for the rates' time.
import type { PromResult } from '../prometheus/client';
import type { Sample } from './series';

/** The bucket rates of one series group (one edge, one reporter): its labels without `le`, by bound. */
export interface BucketGroup {
  labels: Record<string, string>;
  /** [le, cumulative rate]; `le` +Inf is `Infinity`. */
  buckets: [number, number][];
}

export interface LatencyReading {
  /** Unix seconds the buckets were read at. */
  time: number;
  groups: BucketGroup[];
}

/** Groups `le` samples by the rest of their labels: 20 samples of one edge become one entry. */
export function groupBuckets(samples: readonly Sample[]): BucketGroup[] {
  const groups = new Map<string, BucketGroup>();
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
      g = { labels, buckets: [] };
      groups.set(key, g);
    }
    g.buckets.push([le, s.value]);
  }
  return [...groups.values()];
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
  now?: () => number;
  /** Milliseconds, for timing reads; default `performance.now`. */
  clock?: () => number;
}

/** 1,000,000 buckets: three readings of a 5,000-workload mesh (15,000 edges × 20 bounds), ~100 MB. */
export const DEFAULT_LATENCY_CACHE_BUCKETS = 1_000_000;

interface Entry {
  key: string;
  reading?: LatencyReading;
  /** The reading's buckets (what `maxBuckets` counts); 0 without one. */
  buckets: number;
  /** How long the last successful read took. */
  readMs?: number;
  pending?: Promise<PromResult<LatencyReading>>;
}

/** Reads the bucket rates of a view at a time, grouped by series (see `groupBuckets`). */
export type ReadBuckets = (timeSec: number) => Promise<PromResult<BucketGroup[]>>;

export class LatencyCache {
  private readonly entries = new Map<string, Entry>();
  private readonly freshS: number;
  private readonly maxAgeS: number;
  private readonly maxEntries: number;
  private readonly maxBuckets: number;
  /** The buckets of every kept reading. */
  private buckets = 0;
  private readonly cheapMs: number;
  private readonly now: () => number;
  private readonly clock: () => number;

  constructor(options: LatencyCacheOptions = {}) {
    this.freshS = options.freshS ?? 15;
    this.maxAgeS = Math.max(options.maxAgeS ?? 60, this.freshS);
    this.maxEntries = options.maxEntries ?? 32;
    this.maxBuckets = options.maxBuckets ?? DEFAULT_LATENCY_CACHE_BUCKETS;
    this.cheapMs = options.cheapMs ?? 250;
    this.now = options.now ?? (() => Date.now() / 1000);
    this.clock = options.clock ?? (() => performance.now());
  }

  /**
   * The latency reading for a view at `timeSec`. `pinned`: the caller asked for that exact time; else
   * `timeSec` is "now" and a recent reading stands in for it.
   */
  async get(
    view: string,
    timeSec: number,
    pinned: boolean,
    read: ReadBuckets,
  ): Promise<PromResult<LatencyReading>> {
    const key = pinned ? `${view}@${timeSec}` : `${view}@live`;
    const entry = this.touch(key);
    const reading = entry.reading;
    if (reading) {
      if (pinned) return { ok: true, value: reading };
      if ((entry.readMs ?? 0) < this.cheapMs) return this.refresh(entry, timeSec, read);
      const age = this.now() - reading.time;
      if (age >= 0 && age < this.freshS) return { ok: true, value: reading };
      if (age >= 0 && age < this.maxAgeS) {
        void this.refresh(entry, timeSec, read);
        return { ok: true, value: reading };
      }
    }
    return this.refresh(entry, timeSec, read);
  }

  /** Views held (for tests and the admin's curiosity). */
  get size(): number {
    return this.entries.size;
  }

  /** Buckets held, all views together. */
  get bucketCount(): number {
    return this.buckets;
  }

  private touch(key: string): Entry {
    let entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
    } else {
      entry = { key, buckets: 0 };
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
    for (const g of reading.groups) count += g.buckets.length;
    // A view dropped while it was being read: its reading is answered, not kept.
    if (this.entries.get(entry.key) !== entry) return;
    this.buckets += count - entry.buckets;
    entry.buckets = count;
    for (const [key, e] of this.entries) {
      if (this.buckets <= this.maxBuckets) break;
      if (e !== entry) this.drop(key);
    }
  }

  /** One read at a time per view; the result replaces the reading only when it succeeded. */
  private refresh(entry: Entry, timeSec: number, read: ReadBuckets): Promise<PromResult<LatencyReading>> {
    const started = this.clock();
    entry.pending ??= read(timeSec)
      .then((r): PromResult<LatencyReading> => {
        if (!r.ok) return r;
        const reading = { time: timeSec, groups: r.value };
        // A slower, older read finishing after a newer one does not replace it.
        if (!entry.reading || entry.reading.time <= timeSec) {
          this.keep(entry, reading);
          entry.readMs = this.clock() - started;
        }
        return { ok: true, value: reading };
      })
      .catch(
        (err: unknown): PromResult<LatencyReading> => ({
          ok: false,
          error: { code: 'prometheus_unavailable', message: `latency read failed: ${String(err)}` },
        }),
      )
      .finally(() => {
        entry.pending = undefined;
      });
    return entry.pending;
  }
}

// What the graph derives from a request series' labels alone, kept between builds. A mesh's series keep
// their labels from one poll to the next (only their rates move), so splitting the joined label string
// (`splitJoinedRequests`), reading the labels into a `RequestSeries` and resolving the nodes and edges a
// series goes through are done once per label string, not once per series per request: at 5,000
// workloads, 31,000 series and most of the walk's garbage. Everything kept is a pure function of its key,
// so a kept value is exactly what computing it again would give; the rates are never kept.

/**
 * Label strings remembered (`MESHLENS_GRAPH_SERIES_MEMO`): each is the series' split labels, its parsed
 * form and its path through the graph, ~4.4 KB. The 5,000-workload mesh has 31,000 (136 MB kept,
 * measured). A mesh keeps all of its series only below half the bound (the generations turn over at
 * half): 100,000 serves meshes of up to 50,000 request series.
 */
export const DEFAULT_SERIES_MEMO_ENTRIES = 100_000;

export function seriesMemoEntriesFromEnv(
  env: Record<string, string | undefined> = typeof process === 'undefined' ? {} : process.env,
): number {
  const n = Number(env.MESHLENS_GRAPH_SERIES_MEMO);
  return env.MESHLENS_GRAPH_SERIES_MEMO && Number.isInteger(n) && n >= 0 ? n : DEFAULT_SERIES_MEMO_ENTRIES;
}

/**
 * A bounded memo in two generations: values are looked up in the current one, then in the previous one
 * (and moved into the current); when the current one holds half the bound it becomes the previous one,
 * and the previous one is dropped. At most `max` entries; what every build still uses stays, what no
 * build asked for in a generation goes. `max` 0 keeps nothing.
 */
export class GenerationalMemo<K, V> {
  private current = new Map<K, V>();
  private previous = new Map<K, V>();
  private readonly half: number;

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 0) throw new Error('max must be a non-negative integer');
    this.half = Math.max(1, Math.floor(max / 2));
  }

  get size(): number {
    return this.current.size + this.previous.size;
  }

  get(key: K, make: (key: K) => V): V {
    const held = this.current.get(key);
    if (held !== undefined || this.current.has(key)) return held as V;
    if (this.max === 0) return make(key);
    let v: V;
    if (this.previous.has(key)) {
      v = this.previous.get(key) as V;
      this.previous.delete(key);
    } else {
      v = make(key);
    }
    if (this.current.size >= this.half) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(key, v);
    return v;
  }
}

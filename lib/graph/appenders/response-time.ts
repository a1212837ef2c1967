// Response time (Kiali's `responseTime` appender): the latency buckets of each edge's chosen reporter,
// added into the histograms of the edges and nodes its requests went through, then p50/p95/p99 of each.
// Histograms share one axis of bounds, so a merge is adding arrays — no per-bucket objects.
import { quantilesInto } from '../histogram';
import { type BucketGroup, isPinnedReading } from '../latency-cache';
import type { NodeSpec } from '../nodes';
import { LATENCY_EDGE_LABELS } from '../promql';
import { round } from '../rounding';
import { edgeKey, type SeriesIdentity, toRequestSeries } from '../series';
import { type HasHist, type Hist, routeOf, type TrafficMap } from '../traffic-map';
import type { Latency } from '../types';

/** Adds the bucket groups to the map's histograms, then sets every node's and edge's `latency`. */
export function appendResponseTime(map: TrafficMap, groups: readonly BucketGroup[]): void {
  const kept = groups.length > 0 ? latencyMemos.get(groups) : undefined;
  if (kept && sameSignature(kept, map)) {
    // In the order they were kept (the same series by the same routes: the same elements in the same order),
    // found by id only where the order differs.
    const { nodeIds, nodeLatencies, edgeIds, edgeLatencies } = kept;
    let i = 0;
    for (const n of map.nodes.values()) {
      const id = n.spec.id;
      n.latency = (nodeIds[i] === id ? nodeLatencies[i] : keptById(kept).nodes.get(id)) ?? {};
      i++;
    }
    i = 0;
    for (const e of map.edges.values()) {
      const id = e.id;
      e.latency = (edgeIds[i] === id ? edgeLatencies[i] : keptById(kept).edges.get(id)) ?? {};
      i++;
    }
    return;
  }
  const axis = addBuckets(map, groups);
  for (const n of map.nodes.values()) n.latency = latencyOf(n.buckets, axis);
  for (const e of map.edges.values()) e.latency = latencyOf(e.buckets, axis);
  const sign = groups.length > 0 && worthKeeping(groups) ? signature(map) : undefined;
  if (sign) latencyMemos.set(groups, { ...sign, ...latencies(map) });
}

/** Pinned readings merged once (`worthKeeping`). */
const mergedOnce = new WeakSet<readonly BucketGroup[]>();

/**
 * Whether to keep the latencies of a merge with its reading: at once for a live view's reading (the next polls
 * use it), at the second merge for a pinned time's (most are asked once: a cold graph, whose kept latencies —
 * two maps of every element, ~6 MB at 5,000 workloads — the latency cache would hold with its reading for nothing).
 */
function worthKeeping(groups: readonly BucketGroup[]): boolean {
  if (!isPinnedReading(groups) || mergedOnce.has(groups)) return true;
  mergedOnce.add(groups);
  return false;
}

/**
 * The latency of every element from one reading, kept with the reading for the next graph over the same
 * series (a polled graph: its reading is kept 15–60 s, `latency-cache.ts`, and its series hardly change), so
 * that graph does not merge and take the quantiles again. Valid while the graph has the same request label
 * objects in the same order (shared between builds, `series-memo.ts`) and draws them by the same routes
 * (kept with those labels; a fresh label object or a route found again never matches): the same series
 * chosen, along the same hops, into the same histograms.
 */
interface LatencyMemo extends Signature, KeptLatencies {
  /** The same by id, made the first time an element is not at its kept place. */
  byId?: { nodes: Map<string, Latency>; edges: Map<string, Latency> };
}

/** Every element's latency in the map's order: the ids, and the latencies index by index. */
interface KeptLatencies {
  nodeIds: string[];
  nodeLatencies: Latency[];
  edgeIds: string[];
  edgeLatencies: Latency[];
}

/** A memo's latencies by element id. */
function keptById(kept: LatencyMemo): { nodes: Map<string, Latency>; edges: Map<string, Latency> } {
  kept.byId ??= {
    nodes: new Map(kept.nodeIds.map((id, i) => [id, kept.nodeLatencies[i] as Latency])),
    edges: new Map(kept.edgeIds.map((id, i) => [id, kept.edgeLatencies[i] as Latency])),
  };
  return kept.byId;
}

interface Signature {
  labels: readonly Readonly<Record<string, string>>[];
  routes: readonly unknown[];
}

const latencyMemos = new WeakMap<readonly BucketGroup[], LatencyMemo>();

/** The map's labels objects and routes (the routes array as the walk made it); undefined: not all shared (frozen). */
function signature(map: TrafficMap): Signature | undefined {
  const labels: Readonly<Record<string, string>>[] = new Array(map.requests.length);
  for (let i = 0; i < map.requests.length; i++) {
    const l = (map.requests[i] as { labels: Record<string, string> }).labels;
    if (!Object.isFrozen(l)) return undefined;
    labels[i] = l;
  }
  return { labels, routes: map.routes };
}

/** Whether the map has the signature's labels objects (all shared) and routes, in the same order. */
function sameSignature(a: Signature, map: TrafficMap): boolean {
  const requests = map.requests;
  const routes = map.routes;
  if (a.labels.length !== requests.length || a.routes.length !== routes.length) return false;
  for (let i = 0; i < requests.length; i++)
    if (a.labels[i] !== (requests[i] as { labels: object }).labels) return false;
  for (let i = 0; i < routes.length; i++) if (a.routes[i] !== routes[i]) return false;
  return true;
}

/** Every element's latency, frozen (the next graph's elements share them). */
function latencies(map: TrafficMap): KeptLatencies {
  const nodeIds: string[] = [];
  const nodeLatencies: Latency[] = [];
  const edgeIds: string[] = [];
  const edgeLatencies: Latency[] = [];
  for (const n of map.nodes.values()) {
    nodeIds.push(n.spec.id);
    nodeLatencies.push(Object.freeze(n.latency ?? {}));
  }
  for (const e of map.edges.values()) {
    edgeIds.push(e.id);
    edgeLatencies.push(Object.freeze(e.latency ?? {}));
  }
  return { nodeIds, nodeLatencies, edgeIds, edgeLatencies };
}

/** Adds each group's buckets along its series' hops; answers the axis of bounds (sorted). */
export function addBuckets(map: TrafficMap, groups: readonly BucketGroup[]): number[] {
  const prepared = groups.length > 0 ? preparedHops.get(map) : undefined;
  const bySeries = prepared ? undefined : seriesByLatencyKey(map, groups);
  const { les, positions, at, keys } = readingIndex(groups);
  // Each element is a hop of its series' groups at most once: one histogram each, never more than this.
  const slab = new HistSlab(map.nodes.size + map.edges.size, les.length);
  for (let gi = 0; gi < groups.length; gi++) {
    const g = groups[gi] as BucketGroup;
    const key = keys[gi] as string;
    let hops: HasHist[] | undefined;
    if (prepared?.has(key)) hops = prepared.get(key);
    else {
      const s =
        bySeries?.get(key) ?? toRequestSeries({ labels: { ...g.labels, response_code: '200' }, value: 0 });
      if (s === undefined) continue;
      hops = hopsOf(map, s);
    }
    if (!hops) continue;
    // The group's pairs: each bound, then its rate.
    const pairs = g.buckets;
    const n = pairs.length >> 1;
    const first = (at[gi] as number) - n;
    for (const h of hops) {
      h.buckets ??= slab.next();
      const { counts, present, at: base } = h.buckets;
      for (let k = 0; k < n; k++) {
        const i = base + (positions[first + k] as number);
        counts[i] = (counts[i] as number) + (pairs[2 * k + 1] as number);
        present[i] = 1;
      }
    }
  }
  return les;
}

/** The histograms of one merge, each the axis' length of two arrays made once for all the map's elements. */
class HistSlab {
  private counts: Float64Array | undefined;
  private present: Uint8Array | undefined;
  private used = 0;

  constructor(
    private readonly elements: number,
    private readonly bounds: number,
  ) {}

  next(): Hist {
    if (!this.counts || !this.present) {
      this.counts = new Float64Array(this.elements * this.bounds);
      this.present = new Uint8Array(this.elements * this.bounds);
    }
    const at = this.used;
    this.used += this.bounds;
    return { counts: this.counts, present: this.present, at };
  }
}

/**
 * Works out what a latency reading's merge needs of the map alone — the hops of each request series' latency key,
 * as `addBuckets` finds them — so that it is done while the latency read is still in flight (a cold graph's
 * rates land first), not after both are in. Only for a map whose reading is still to come: a polled graph's kept
 * reading is merged at once, or not at all (its latency kept with it).
 */
export function prepareResponseTimeMap(map: TrafficMap): void {
  if (preparedHops.has(map)) return;
  const hops = new Map<string, HasHist[] | undefined>();
  // The series of each key as `seriesByLatencyKey` keeps it (the last with the key), then its hops.
  for (const [key, s] of seriesByLatencyKey(map, undefined)) hops.set(key, hopsOf(map, s));
  preparedHops.set(map, hops);
}

/** The hops of each latency key of a map, worked out before its reading landed (`prepareResponseTimeMap`). */
const preparedHops = new WeakMap<TrafficMap, Map<string, HasHist[] | undefined>>();

/**
 * Works out what a latency reading's merge needs of the reading alone (`readingIndex`), so that it is done as the
 * reading lands, while the request rates may still be read and walked, not after both are in.
 */
export function prepareResponseTime(groups: readonly BucketGroup[]): void {
  if (groups.length > 0) readingIndex(groups);
}

/**
 * What a latency reading's merge needs besides the graph, worked out once per reading (a polled graph's
 * reading is kept between builds, `latency-cache.ts`): the axis of bounds (the union of the groups' `le`s,
 * sorted), each bucket's place on it, and each group's latency key.
 */
interface ReadingIndex {
  les: number[];
  /** The axis index of every bucket of every group, one after another; `at[g]` is where group g's end. */
  positions: Int32Array;
  at: Int32Array;
  keys: string[];
}

const readingIndexes = new WeakMap<readonly BucketGroup[], ReadingIndex>();

function readingIndex(groups: readonly BucketGroup[]): ReadingIndex {
  let index = readingIndexes.get(groups);
  if (!index) {
    index = orderedReadingIndex(groups) ?? mixedReadingIndex(groups);
    readingIndexes.set(groups, index);
  }
  return index;
}

/**
 * The index of a reading whose every group has the same bounds in the same ascending order (a completed
 * below-total reading, `completeBelowTotal`, always has): the axis is those bounds and each group's positions
 * are 0..n-1, with no lookup a bucket. Undefined when the reading is not that (then `mixedReadingIndex`).
 */
function orderedReadingIndex(groups: readonly BucketGroup[]): ReadingIndex | undefined {
  const first = (groups[0] as BucketGroup | undefined)?.buckets;
  if (!first) return undefined;
  const n = first.length >> 1;
  const les: number[] = new Array(n);
  for (let k = 0; k < n; k++) {
    const le = first[2 * k] as number;
    // Strictly ascending (so no bound twice), as the union sorted would be.
    if (k > 0 && !(le > (les[k - 1] as number))) return undefined;
    les[k] = le;
  }
  for (let gi = 1; gi < groups.length; gi++) {
    const pairs = (groups[gi] as BucketGroup).buckets;
    if (pairs.length !== first.length) return undefined;
    for (let k = 0; k < pairs.length; k += 2) if (pairs[k] !== first[k]) return undefined;
  }
  const positions = new Int32Array(n * groups.length);
  const at = new Int32Array(groups.length);
  const keys: string[] = new Array(groups.length);
  for (let gi = 0; gi < groups.length; gi++) {
    for (let k = 0; k < n; k++) positions[gi * n + k] = k;
    at[gi] = (gi + 1) * n;
    keys[gi] = sharedLatencyKey((groups[gi] as BucketGroup).labels);
  }
  return { les, positions, at, keys };
}

/** The index of any reading: the axis is the union of the groups' bounds, each bucket's place found on it. */
function mixedReadingIndex(groups: readonly BucketGroup[]): ReadingIndex {
  const bounds = new Set<number>();
  let total = 0;
  for (const g of groups) {
    const pairs = g.buckets;
    total += pairs.length >> 1;
    for (let k = 0; k < pairs.length; k += 2) bounds.add(pairs[k] as number);
  }
  const les = [...bounds].sort((a, b) => a - b);
  const leIndex = new Map(les.map((le, i) => [le, i]));
  const positions = new Int32Array(total);
  const at = new Int32Array(groups.length);
  const keys: string[] = new Array(groups.length);
  let p = 0;
  for (let gi = 0; gi < groups.length; gi++) {
    const g = groups[gi] as BucketGroup;
    const pairs = g.buckets;
    for (let k = 0; k < pairs.length; k += 2) positions[p++] = leIndex.get(pairs[k] as number) as number;
    at[gi] = p;
    keys[gi] = sharedLatencyKey(g.labels);
  }
  return { les, positions, at, keys };
}

/**
 * The request series by the labels the bucket query keeps (`LATENCY_EDGE_LABELS`, a third of the
 * answer): the rest of an edge — apps, versions, service names — comes from its request series.
 */
function seriesByLatencyKey(
  map: TrafficMap,
  groups: readonly BucketGroup[] | undefined,
): Map<string, SeriesIdentity> {
  const out = new Map<string, SeriesIdentity>();
  if (groups?.length === 0) return out;
  const requests = map.requests;
  for (let i = 0; i < requests.length; i++) {
    const s = map.parsed[i];
    if (s) out.set(sharedLatencyKey((requests[i] as { labels: Record<string, string> }).labels), s);
  }
  return out;
}

/**
 * The latency keys of shared (frozen) labels objects, kept with them: request labels (`series-memo.ts`) and a
 * below-total reading's edge labels (`splitJoinedEdges`), the same from one graph or reading to the next.
 */
const latencyKeys = new WeakMap<Readonly<Record<string, string>>, string>();

/** `latencyEdgeKey` of labels; of a shared (frozen) labels object kept with it. */
function sharedLatencyKey(labels: Record<string, string>): string {
  if (!Object.isFrozen(labels)) return latencyEdgeKey(labels);
  let key = latencyKeys.get(labels);
  if (key === undefined) {
    key = latencyEdgeKey(labels);
    latencyKeys.set(labels, key);
  }
  return key;
}

/**
 * The edges and nodes a series' latency goes to. A chosen series has them from the walk; any other (idle,
 * or buckets without request series) counts only if its reporter is the one chosen, on the elements
 * drawn; undefined if it does not count.
 */
function hopsOf(map: TrafficMap, s: SeriesIdentity): HasHist[] | undefined {
  const kept = map.hops?.get(s);
  if (kept) return kept;
  if (map.reporterOf.get(edgeKey(s)) !== s.reporter) return undefined;
  const hops: HasHist[] = [];
  const { specs, edgeIds } = routeOf(map, s);
  for (let i = 1; i < specs.length; i++) {
    const e = map.edges.get(edgeIds[i - 1] as string);
    const n = map.nodes.get((specs[i] as NodeSpec).id);
    if (e) hops.push(e);
    if (n) hops.push(n);
  }
  return hops;
}

/** The labels of `LATENCY_EDGE_LABELS` as one string. */
function latencyEdgeKey(labels: Record<string, string>): string {
  let key = '';
  for (const l of LATENCY_EDGE_LABELS) key += `${labels[l] ?? ''}\u0001`;
  return key;
}

const QUANTILES = { p50: 0.5, p95: 0.95, p99: 0.99 } as const;
const QUANTILE_KEYS = Object.keys(QUANTILES) as (keyof Latency)[];
const QUANTILE_VALUES = Object.values(QUANTILES);
const QUANTILE_OUT: (number | undefined)[] = new Array(QUANTILE_VALUES.length);
let scratchLes = new Float64Array(0);
let scratchCounts = new Float64Array(0);

/** p50/p95/p99 (ms, 2 decimals) of a histogram on the bounds `axis`, the bounds none of its series had left out. */
export function latencyOf(h: Hist | undefined, axis: readonly number[]): Latency {
  const out: Latency = {};
  if (!h) return out;
  if (scratchLes.length < axis.length) {
    scratchLes = new Float64Array(axis.length);
    scratchCounts = new Float64Array(axis.length);
  }
  let n = 0;
  for (let i = 0; i < axis.length; i++) {
    if (!h.present[h.at + i]) continue;
    scratchLes[n] = axis[i] as number;
    scratchCounts[n++] = h.counts[h.at + i] as number;
  }
  quantilesInto(QUANTILE_VALUES, scratchLes, scratchCounts, n, QUANTILE_OUT);
  for (let i = 0; i < QUANTILE_KEYS.length; i++) {
    const v = QUANTILE_OUT[i];
    if (v !== undefined && Number.isFinite(v)) out[QUANTILE_KEYS[i] as keyof Latency] = round(v, 2);
  }
  return out;
}

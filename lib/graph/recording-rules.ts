// Recording rules for the graph at scale (Istio's production advice: pre-aggregate by edge so queries do
// not re-read every pod's series): the 2xx latency bucket rates summed by edge, those of them below their
// edge's total, and the bucket bounds. The graph uses them when Prometheus has them — detected by one
// cheap query, cached — and falls back to the raw histogram otherwise, as a real Istio mesh may not have
// them. At 1,000 workloads a read of the raw histogram selects 60,000 series of 25 labels each (about
// half a second of Prometheus before it answers anything); the below-total series are about a third.
import { stringify } from 'yaml';
import { GATHERED_SAMPLES_KEPT, type GatheredSamples, samplesByGroup } from './bucket-answer';
import { type BucketGroup, bucketCount } from './latency-cache';
import { parseDurationSeconds } from './params';
import {
  callersMatcher,
  eq,
  escapeRegex,
  JOIN_SEPARATOR,
  LATENCY_EDGE_LABELS,
  type LatencyQueries,
  type Matcher,
  selector,
  splitJoinedLabels,
} from './promql';
import type { Sample } from './series';
import { GenerationalMemo, seriesMemoEntriesFromEnv } from './series-memo';

/**
 * The labels the recorded series keep: the edge-telling ones, and the called service's namespace, which a
 * namespace-filtered graph selects source-reported edges by (`reporterSelections`).
 */
export const RECORDED_EDGE_LABELS = [...LATENCY_EDGE_LABELS, 'destination_service_namespace'] as const;

/** `sum by (le, reporter, edge labels) (rate(2xx buckets[1m]))`, recorded. */
export const EDGE_LATENCY_RECORD = 'istio:edge_request_duration_milliseconds_bucket:rate1m';
/** The windows the below-total series are recorded for: the graph's window choices, 1 m to 1 h. */
export const BELOW_TOTAL_WINDOWS = [
  { name: '1m', seconds: 60 },
  { name: '5m', seconds: 300 },
  { name: '10m', seconds: 600 },
  { name: '30m', seconds: 1800 },
  { name: '1h', seconds: 3600 },
] as const;
/** Windows this long and longer are recorded once a minute (a minute late on half an hour is nothing). */
const LONG_WINDOW_S = 1800;

/**
 * The dense series over a window (the mean of 1 m rates over it: the rate over it) where a bucket is below
 * the edge's total (the `+Inf` bucket), and the `+Inf` bucket: the buckets that carry information. In a
 * real mesh most edges have every request under a second, so the bounds from 2.5 s to 1 h all equal the
 * total; without them a graph reads about half the series. Their edge labels are joined into one, `edge`
 * (see `EDGE_JOINED`): Prometheus answers per label, and this series is read whole at every graph, so one
 * label instead of seven halves its answer again.
 */
export function belowTotalRecord(window: string): string {
  return `istio:edge_request_duration_milliseconds_bucket:rate${window}_below_total`;
}
export const EDGE_LATENCY_BELOW_TOTAL_RECORD = belowTotalRecord('1m');
/** How many edges have each bucket bound: one layout of bounds for every edge when all counts are equal. */
export const EDGE_LATENCY_BOUNDS_RECORD = 'istio:edge_request_duration_milliseconds_bucket:bounds';
/** The rate window the rules are recorded over. */
export const RECORDED_WINDOW_S = 60;

export interface RecordingRule {
  record: string;
  expr: string;
}

export interface RuleGroup {
  name: string;
  interval: string;
  rules: RecordingRule[];
}

const RECORDED_BY = ['le', ...RECORDED_EDGE_LABELS].join(',');
/** The label of the below-total series holding `RECORDED_EDGE_LABELS`' values, in that order. */
export const EDGE_JOINED = 'edge';
const JOIN = JOIN_SEPARATOR;
const INF = selector([eq('le', '+Inf')]);

const DENSE_RULE: RecordingRule = {
  record: EDGE_LATENCY_RECORD,
  expr: `sum by (${RECORDED_BY}) (rate(istio_request_duration_milliseconds_bucket{response_code=~"2.."}[1m]))`,
};

function belowTotalRule(window: { name: string; seconds: number }): RecordingRule {
  const over = (selected: string) =>
    window.seconds === RECORDED_WINDOW_S ? selected : `avg_over_time(${selected}[${window.name}])`;
  const all = over(EDGE_LATENCY_RECORD);
  const total = over(`${EDGE_LATENCY_RECORD}${INF}`);
  const names = RECORDED_EDGE_LABELS.map((l) => `"${l}"`).join(', ');
  return {
    record: belowTotalRecord(window.name),
    expr: `sum by (le,${EDGE_JOINED}) (label_join(${all} < on (${RECORDED_EDGE_LABELS.join(',')}) group_left () ${total} or ${total}, "${EDGE_JOINED}", "${JOIN}", ${names}))`,
  };
}

/**
 * The graph's rule groups. The first is evaluated in order (each rule reads the series the one before
 * recorded at the same time): the dense bucket rates, the below-total series of the short windows, the
 * bounds. The second, a minute apart, holds the long windows.
 */
export function graphRuleGroups(interval = '15s'): RuleGroup[] {
  const longInterval = (parseDurationSeconds(interval) ?? 0) >= 60 ? interval : '1m';
  return [
    {
      name: 'meshlens-graph',
      interval,
      rules: [
        DENSE_RULE,
        ...BELOW_TOTAL_WINDOWS.filter((w) => w.seconds < LONG_WINDOW_S).map(belowTotalRule),
        { record: EDGE_LATENCY_BOUNDS_RECORD, expr: `count by (le) (${EDGE_LATENCY_RECORD})` },
      ],
    },
    {
      name: 'meshlens-graph-long-windows',
      interval: longInterval,
      rules: BELOW_TOTAL_WINDOWS.filter((w) => w.seconds >= LONG_WINDOW_S).map(belowTotalRule),
    },
  ];
}

/** Every rule of the graph, in the order of its groups. */
export const GRAPH_RECORDING_RULES: readonly RecordingRule[] = graphRuleGroups().flatMap((g) => g.rules);

/** A Prometheus rule file holding the graph's rules (for `rule_files`). */
export function recordingRulesYaml(interval = '15s'): string {
  return stringify({ groups: graphRuleGroups(interval) });
}

/**
 * The rules as `promtool tsdb create-blocks-from rules` needs them: one file per stage, each backfilled
 * (and loaded) before the next, since promtool evaluates a rule against the Prometheus it is given, which
 * does not yet hold the series an earlier rule of the same run produced.
 */
export function recordingRuleStages(interval = '15s'): string[] {
  const [first, ...rest] = graphRuleGroups(interval);
  if (!first) return [];
  const [dense, ...dependents] = first.rules;
  return [
    stringify({ groups: [{ ...first, rules: dense ? [dense] : [] }] }),
    stringify({ groups: [{ ...first, rules: dependents }, ...rest] }),
  ];
}

/**
 * The recorded bucket rates over `rangeS` seconds (at least the rules' window: a shorter one is read from
 * the raw histogram) for a selection: the recorded series as they are for the rule's own window, else
 * averaged over the range (the mean of 1 m rates is the rate over the range).
 */
export function recordedBuckets(matchers: readonly Matcher[], rangeS: number): string {
  const sel = `${EDGE_LATENCY_RECORD}${selector(matchers)}`;
  return rangeS === RECORDED_WINDOW_S ? sel : `avg_over_time(${sel}[${rangeS}s])`;
}

/** The two reads of `rawLatencyQueries` on some recorded series, selected per selection by `series`. */
function latencyReads(
  sel: { source: Matcher[][]; destination: Matcher[][] },
  series: (matchers: readonly Matcher[]) => string,
  by = ['le', ...LATENCY_EDGE_LABELS].join(','),
): LatencyQueries {
  const read = (selections: Matcher[][]) =>
    selections.map((m) => `sum by (${by}) (${series(m)})`).join(' or ');
  return {
    source: read(sel.source),
    destination: (callers) => {
      const who = callersMatcher(callers);
      return read(sel.destination.map((m) => [...m, ...who]));
    },
  };
}

/**
 * `rawLatencyQueries` on the recorded series: the same two reads (source-reported buckets; destination-
 * reported ones of the callers no proxy reports), without re-reading the raw histogram.
 */
export function recordedLatencyQueries(
  sel: { source: Matcher[][]; destination: Matcher[][] },
  rangeS: number,
): LatencyQueries {
  return latencyReads(sel, (m) => recordedBuckets(m, rangeS));
}

/** The below-total record for a window; undefined for a window the rules do not record. */
export function belowTotalRecordFor(rangeS: number): string | undefined {
  const window = BELOW_TOTAL_WINDOWS.find((w) => w.seconds === rangeS);
  return window && belowTotalRecord(window.name);
}

/**
 * The same reads on the below-total series of a window (undefined for a window not recorded): every bucket
 * under its edge's total and the totals; `completeBelowTotal` puts back the rest.
 */
export function belowTotalLatencyQueries(
  sel: { source: Matcher[][]; destination: Matcher[][] },
  rangeS: number,
): LatencyQueries | undefined {
  const record = belowTotalRecordFor(rangeS);
  if (record === undefined) return undefined;
  return latencyReads(sel, (m) => `${record}${selector([joinedMatcher(m)])}`, `le,${EDGE_JOINED}`);
}

/**
 * Matchers on `RECORDED_EDGE_LABELS` as one regex matcher on the joined label: each joined value matched
 * by its own matcher (`=` escaped, `=~` as it is, in a group), any other value by `[^;]*`.
 */
export function joinedMatcher(matchers: readonly Matcher[]): Matcher {
  const parts = RECORDED_EDGE_LABELS.map((label) => {
    const m = matchers.filter((x) => x.label === label);
    if (m.length === 0) return `[^${JOIN}]*`;
    if (m.length > 1 || (m[0]?.op !== '=' && m[0]?.op !== '=~'))
      throw new Error(`cannot match ${label} ${m.map((x) => x.op).join(' ')} on the joined edge label`);
    const only = m[0];
    return only.op === '=' ? escapeRegex(only.value) : `(?:${only.value})`;
  });
  const unknown = matchers.find((m) => !(RECORDED_EDGE_LABELS as readonly string[]).includes(m.label));
  if (unknown) throw new Error(`${unknown.label} is not a label of the joined edge`);
  return { label: EDGE_JOINED, op: '=~', value: parts.join(JOIN) };
}

/**
 * Joined edge strings split before, kept between readings (bounded as the request labels' memo is,
 * `MESHLENS_GRAPH_SERIES_MEMO`, `series-memo.ts`): a mesh's edges keep their labels from one reading to the
 * next, so each of a reading's 15,000 groups (at 5,000 workloads) gets the labels object the one before had —
 * frozen, shared — instead of seven new strings and an object a group, made and then kept by the latency cache
 * (`latency-cache.ts`: up to three readings) through every collection.
 */
let splitEdges: GenerationalMemo<string, Readonly<Record<string, string>> | undefined> | undefined;

/**
 * Bucket groups of the below-total series with their joined label split back into the edge labels (one
 * frozen labels object per joined value, shared between readings);
 * undefined when a value does not split into as many (a `;` in a label value): read the dense series.
 */
export function splitJoinedEdges(groups: readonly BucketGroup[]): BucketGroup[] | undefined {
  splitEdges ??= new GenerationalMemo(seriesMemoEntriesFromEnv());
  const out: BucketGroup[] = new Array(groups.length);
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i] as BucketGroup;
    const joined = g.labels[EDGE_JOINED];
    if (joined === undefined) return undefined;
    const labels = splitEdges.get(joined, splitEdge);
    if (!labels) return undefined;
    out[i] = { labels, buckets: g.buckets };
  }
  return out;
}

function splitEdge(joined: string): Readonly<Record<string, string>> | undefined {
  // label_join writes an absent label as empty; the dense series leave it out, as the split does.
  const labels = splitJoinedLabels(joined, RECORDED_EDGE_LABELS);
  return labels && Object.freeze(labels);
}

/** The recorded bucket bounds and how many edges have each. */
export const BOUNDS_QUERY = EDGE_LATENCY_BOUNDS_RECORD;

/**
 * The bucket bounds (sorted, `+Inf` last) when every edge has the same ones — each bound counted for as
 * many edges as `+Inf` is — else undefined: edges with their own layouts (Istio lets a workload set its
 * buckets) cannot have the buckets left out of the below-total series put back.
 */
export function uniformBounds(samples: readonly Sample[]): number[] | undefined {
  const inf = samples.find((s) => s.labels.le === '+Inf');
  if (!inf || !(inf.value > 0)) return undefined;
  const bounds: number[] = [];
  for (const s of samples) {
    if (s.value !== inf.value) return undefined;
    const le = s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels.le);
    if (Number.isNaN(le)) return undefined;
    bounds.push(le);
  }
  return bounds.sort((a, b) => a - b);
}

/**
 * Every bucket of each edge from its below-total buckets: the buckets under the total are a prefix of the
 * bounds (cumulative counts only grow), so each bound past the last one read holds the total — exactly
 * the buckets the dense series have. Undefined when an edge does not fit the bounds (no total, or a bound
 * outside them): the caller reads the dense series instead.
 */
export function completeBelowTotal(
  groups: readonly BucketGroup[],
  bounds: readonly number[],
): BucketGroup[] | undefined {
  // Each group's buckets: those read, sorted, then a bound past them each up to the total — as many as the
  // bounds (more only when an edge has a bound twice), all in one array the completed groups view.
  let size = 0;
  for (let g = 0; g < groups.length; g++)
    size += Math.max(bounds.length, bucketCount(groups[g] as BucketGroup));
  const all = new Float64Array(2 * size);
  const out: BucketGroup[] = new Array(groups.length);
  let at = 0;
  for (let g = 0; g < groups.length; g++) {
    const group = groups[g] as BucketGroup;
    const end = completedInto(group.buckets, 0, group.buckets.length >> 1, bounds, all, at);
    if (end < 0) return undefined;
    out[g] = { labels: group.labels, buckets: all.subarray(at, end) };
    at = end;
  }
  return out;
}

/** Pairs laid out by `samplesByGroup` before `completeGathered` completes them (reused, as the gathered arrays are). */
let byGroup = new Float64Array(0);

/**
 * `completeBelowTotal(splitJoinedEdges(groups))` of the below-total answer's gathered samples (`bucket-answer.ts`),
 * each group's buckets written once, completed, into the array the reading keeps: no packed copy of the answer, no
 * group with its joined label, no split copy of each. Undefined where either would be.
 */
export function completeGathered(
  gathered: GatheredSamples,
  bounds: readonly number[],
): BucketGroup[] | undefined {
  const { keys } = gathered;
  splitEdges ??= new GenerationalMemo(seriesMemoEntriesFromEnv());
  const labels: Readonly<Record<string, string>>[] = new Array(keys.length);
  for (let g = 0; g < keys.length; g++) {
    const split = splitEdges.get(keys[g] as string, splitEdge);
    if (!split) return undefined;
    labels[g] = split;
  }
  let pairs = byGroup;
  if (pairs.length < 2 * gathered.count) {
    pairs = new Float64Array(2 * gathered.count);
    // Kept for the next reading within the gathered arrays' own bound only (a huge answer's are its own).
    if (gathered.count <= GATHERED_SAMPLES_KEPT) byGroup = pairs;
  }
  const starts = samplesByGroup(gathered, pairs);
  let size = 0;
  for (let g = 0; g < keys.length; g++)
    size += Math.max(bounds.length, ((starts[g + 1] as number) - (starts[g] as number)) >> 1);
  const all = new Float64Array(2 * size);
  const out: BucketGroup[] = new Array(keys.length);
  let at = 0;
  for (let g = 0; g < keys.length; g++) {
    const from = starts[g] as number;
    const end = completedInto(pairs, from, ((starts[g + 1] as number) - from) >> 1, bounds, all, at);
    if (end < 0) return undefined;
    out[g] = { labels: labels[g] as Record<string, string>, buckets: all.subarray(at, end) };
    at = end;
  }
  return out;
}

/**
 * One group's buckets completed (`completeBelowTotal`): its `count` pairs from `pairs[from]` sorted into `to` at
 * `at`, then a bound past them each up to the total. Answers the index after them in `to`; -1 when the group
 * does not fit the bounds.
 */
function completedInto(
  pairs: Float64Array,
  from: number,
  count: number,
  bounds: readonly number[],
  to: Float64Array,
  start: number,
): number {
  if (sortedPairsInto(pairs, from, count, to, start) === 0) return -1;
  let at = start;
  const end = at + 2 * count;
  // The total: the last bound read, +Inf.
  const totalRate = to[end - 1] as number;
  if (to[end - 2] !== Number.POSITIVE_INFINITY) return -1;
  const below = count - 1;
  for (let i = 0; i < below; i++) if (to[at + 2 * i] !== bounds[i]) return -1;
  at += 2 * below;
  for (let i = below; i < bounds.length - 1; i++) {
    to[at++] = bounds[i] as number;
    to[at++] = totalRate;
  }
  to[at++] = Number.POSITIVE_INFINITY;
  to[at++] = totalRate;
  return at;
}

/**
 * `count` bucket pairs from `pairs[from]` written to `to` from `at`, sorted by bound (stable: pairs of one bound
 * keep their order, as `Array.prototype.sort` keeps them); answers how many pairs. An insertion sort: a group
 * has ~20.
 */
function sortedPairsInto(
  pairs: Float64Array,
  from: number,
  count: number,
  to: Float64Array,
  at: number,
): number {
  for (let k = 0; k < count; k++) {
    const le = pairs[from + 2 * k] as number;
    const rate = pairs[from + 2 * k + 1] as number;
    let j = k;
    while (j > 0 && (to[at + 2 * (j - 1)] as number) > le) {
      to[at + 2 * j] = to[at + 2 * (j - 1)] as number;
      to[at + 2 * j + 1] = to[at + 2 * (j - 1) + 1] as number;
      j--;
    }
    to[at + 2 * j] = le;
    to[at + 2 * j + 1] = rate;
  }
  return count;
}

/** The cheap query that tells whether the rules' series exist at a time (one bucket bound: a twentieth). */
export const RULES_PROBE_QUERY = `count(${EDGE_LATENCY_RECORD}${selector([eq('le', '+Inf')])})`;

/** Whether a probe answer says the recorded series are there. */
export function rulesPresent(probe: readonly { value: number }[]): boolean {
  return probe.some((s) => s.value > 0);
}

/**
 * Caches a yes/no detection for `ttlMs`: one probe per minute at most, whatever the polling. A failed
 * probe is not cached (the raw queries are used meanwhile). With `keyOf`, a detection per key (the rules'
 * probe: per minute of the graph's time, so a graph pinned at another time neither takes nor sets the
 * answer of the live graphs'), the `DETECTIONS_KEPT` most recently probed kept.
 */
export function cachedDetection<A extends unknown[]>(
  probe: (...args: A) => Promise<boolean | undefined>,
  ttlMs = 60_000,
  now: () => number = Date.now,
  keyOf: (...args: A) => number = () => 0,
): (...args: A) => Promise<boolean> {
  const cached = new Map<number, { value: boolean; at: number }>();
  const pending = new Map<number, Promise<boolean>>();
  return async (...args: A) => {
    const key = keyOf(...args);
    const hit = cached.get(key);
    if (hit && now() - hit.at < ttlMs) return hit.value;
    let p = pending.get(key);
    if (p === undefined) {
      p = probe(...args)
        .then((value) => {
          if (value !== undefined) {
            cached.delete(key);
            cached.set(key, { value, at: now() });
            if (cached.size > DETECTIONS_KEPT) cached.delete(cached.keys().next().value as number);
          }
          return value ?? false;
        })
        .finally(() => {
          pending.delete(key);
        });
      pending.set(key, p);
    }
    return p;
  };
}

/** Detections kept by key (`cachedDetection`): graph times a minute apart, live and pinned together. */
export const DETECTIONS_KEPT = 16;

// Where the graph's latency buckets come from, best first: with the recording rules and a window they
// record, the below-total buckets completed with the bounds (a third of the series); else the dense
// recorded series; else the raw histogram. A graph goes through the latency cache when there is one: then no
// graph waits for the read past `LATENCY_WAIT_MS`, and the read has a timeout of its own.
import type { PromClient, PromResult } from '../prometheus/client';
import { gatherBucketsOfBody, groupLabelledBucketsOfBody, packGathered } from './bucket-answer';
import { type BucketGroup, groupBuckets, type LatencyCache, type LatencyReading } from './latency-cache';
import { type GraphParams, promDuration } from './params';
import { type LatencyQueries, rawLatencyQueries, type reporterSelections } from './promql';
import {
  BOUNDS_QUERY,
  belowTotalLatencyQueries,
  completeBelowTotal,
  completeGathered,
  EDGE_JOINED,
  RECORDED_WINDOW_S,
  recordedLatencyQueries,
  splitJoinedEdges,
  uniformBounds,
} from './recording-rules';
import type { Sample } from './series';

export interface LatencyDeps {
  prometheus: PromClient;
  /**
   * Whether Prometheus has the graph's recording rules (see `recording-rules.ts`) at a time; cached by
   * the caller. Absent: the raw histogram is always queried.
   */
  recordedLatency?: (timeSec: number) => Promise<boolean>;
  /** Keeps latency readings between requests (see `latency-cache.ts`); absent: read every time. */
  latencyCache?: LatencyCache;
  /**
   * The client of the reads through `latencyCache`, with a longer timeout than `prometheus`'s
   * (`LATENCY_READ_TIMEOUT_MS`): no graph waits for them past `LATENCY_WAIT_MS`, so a slow read is let finish and
   * kept rather than cut at the request's timeout and sent again. Absent: `prometheus`.
   */
  latencyPrometheus?: PromClient;
}

/**
 * The Prometheus timeout of a latency read through the cache (off the request path): at 5,000 workloads without
 * the recording rules the raw histogram takes 6-17 s, against the client's 10 s.
 */
export const LATENCY_READ_TIMEOUT_MS = 30_000;

interface LatencyRead {
  params: GraphParams;
  deps: LatencyDeps;
  sel: ReturnType<typeof reporterSelections>;
  /**
   * The callers of edges only their destination reports (from the request series), found when asked: their buckets are
   * read from the destination side. Undefined: unknown (every destination-reported edge is read).
   */
  callers: () => Promise<string[] | undefined>;
}

/** The latency reading of a graph at `time`; undefined when latency was not asked for. */
export async function readLatency(
  r: LatencyRead,
  time: number,
): Promise<PromResult<LatencyReading | undefined>> {
  if (!r.params.latency) return { ok: true, value: undefined };
  const cache = r.deps.latencyCache;
  if (cache) {
    const view = `${r.params.namespaces.join(',')}|${r.params.duration}`;
    const prometheus = r.deps.latencyPrometheus ?? r.deps.prometheus;
    const offPath = { ...r, deps: { ...r.deps, prometheus } };
    return cache.get(view, time, r.params.queryTime !== undefined, (at) => readBuckets(offPath, at));
  }
  const buckets = await readBuckets(r, time);
  return buckets.ok ? { ok: true, value: { time, groups: buckets.value } } : buckets;
}

/** What `Promise.race` gives for the rules' probe when it is not answered yet (a round trip to Prometheus). */
const PROBE_PENDING = Symbol('probe pending');

async function readBuckets(r: LatencyRead, at: number): Promise<PromResult<BucketGroup[]>> {
  const { params, deps, sel } = r;
  // A window shorter than the rules' own cannot be had from them: the raw histogram.
  const probe = params.duration >= RECORDED_WINDOW_S ? deps.recordedLatency?.(at) : undefined;
  if (probe === undefined) return readRaw(r, at);
  const belowTotal = belowTotalLatencyQueries(sel, params.duration);
  // The probe's answer is kept a minute (`cachedDetection`): then it is known at once. When it is a round trip
  // (once a minute), the below-total read is sent beside it rather than after it, and used if the rules are there.
  const known = await Promise.race([probe, PROBE_PENDING]);
  let recorded: boolean;
  let complete: BucketGroup[] | undefined;
  if (known === PROBE_PENDING && belowTotal) {
    const [present, read] = await Promise.all([probe, readBelowTotal(r, belowTotal, at)]);
    recorded = present;
    complete = read;
  } else {
    recorded = typeof known === 'boolean' ? known : await probe;
    complete = recorded && belowTotal ? await readBelowTotal(r, belowTotal, at) : undefined;
  }
  if (recorded) {
    if (complete) return { ok: true, value: complete };
    const dense = await readBothSidesGrouped(
      r,
      recordedLatencyQueries(sel, params.duration),
      at,
      groupLabelledBucketsOfBody,
    );
    // Recorded series missing at this time (rules added later than the window asked for): raw.
    if (dense.ok && dense.value.samples > 0) return { ok: true, value: dense.value.groups };
  }
  return readRaw(r, at);
}

/** The raw histogram's buckets, grouped. */
async function readRaw(r: LatencyRead, at: number): Promise<PromResult<BucketGroup[]>> {
  const { params, sel } = r;
  const raw = await readBothSidesGrouped(
    r,
    rawLatencyQueries(sel, promDuration(params.duration)),
    at,
    groupLabelledBucketsOfBody,
  );
  return raw.ok ? { ok: true, value: raw.value.groups } : raw;
}

/** The below-total buckets completed with the recorded bounds; undefined when they cannot be. */
async function readBelowTotal(
  r: LatencyRead,
  q: LatencyQueries,
  at: number,
): Promise<BucketGroup[] | undefined> {
  // The bounds land long before the buckets (one small answer against ~25 MB at 5,000 workloads): the buckets are
  // then completed as they are read (`completeGathered`), else completed after.
  let axis: number[] | undefined;
  const [partial, bounds] = await Promise.all([
    readBothSidesGrouped(r, q, at, (body) => readBelowTotalBody(body, axis)),
    r.deps.prometheus.instant(BOUNDS_QUERY, at).then((b) => {
      if (b.ok) axis = uniformBounds(b.value);
      return b;
    }),
  ]);
  if (!partial.ok || !bounds.ok || partial.value.samples === 0) return undefined;
  if (partial.value.completed) return partial.value.groups;
  const groups = axis && splitJoinedEdges(partial.value.groups);
  return axis && groups && completeBelowTotal(groups, axis);
}

/** The below-total answer's groups, completed with the bounds when they are known (and the groups fit them). */
function readBelowTotalBody(body: Buffer, bounds: readonly number[] | undefined): GroupedBody | undefined {
  const gathered = gatherBucketsOfBody(body, EDGE_JOINED);
  if (!gathered) return undefined;
  const complete = bounds && completeGathered(gathered, bounds);
  return complete
    ? { groups: complete, samples: gathered.samples, completed: true }
    : { groups: packGathered(gathered, EDGE_JOINED), samples: gathered.samples };
}

/** Groups read from an answer's bytes, and how many samples it had. */
interface GroupedBody {
  groups: BucketGroup[];
  samples: number;
  /** The groups are already complete (`completeGathered`): the below-total answer's only. */
  completed?: boolean;
}

/**
 * `readBothSides` of some bucket series, grouped (`groupBuckets`), and how many samples were read. The
 * source side's answer (the below-total series: 24.6 MB at 5,000 workloads; the dense ones averaged, or the raw
 * histogram: ~85 MB) is grouped from its bytes by `fromBytes` as soon as it arrives (`bucket-answer.ts`) — the
 * same groups as parsing it; parsed only when that cannot be, or when the destination side's buckets are read
 * too.
 */
async function readBothSidesGrouped(
  r: LatencyRead,
  q: LatencyQueries,
  at: number,
  fromBytes: (body: Buffer) => GroupedBody | undefined,
): Promise<PromResult<GroupedBody>> {
  const prometheus = r.deps.prometheus;
  if (!prometheus.instantBody) {
    const read = await readBothSides(r, q, at);
    return read.ok
      ? { ok: true, value: { groups: groupBuckets(read.value), samples: read.value.length } }
      : read;
  }
  const [source, names] = await Promise.all([
    prometheus
      .instantBody(q.source, at)
      .then((a) => (a.ok ? { ok: true as const, answer: a.value, grouped: fromBytes(a.value.body) } : a)),
    r.callers(),
  ]);
  if (!source.ok) return source;
  if (names?.length === 0 && source.grouped) return { ok: true, value: source.grouped };
  const samples = source.answer.samples();
  if (!samples.ok) return samples;
  let all = samples.value;
  if (names?.length !== 0) {
    const destination = await prometheus.instant(q.destination(names), at);
    if (!destination.ok) return destination;
    all = all.concat(destination.value);
  }
  return { ok: true, value: { groups: groupBuckets(all), samples: all.length } };
}

/**
 * Two bucket reads: every source-reported edge, and, once the request series are in, the
 * destination-reported edges of the callers only their destination reports (usually a handful, often none).
 */
async function readBothSides(r: LatencyRead, q: LatencyQueries, at: number): Promise<PromResult<Sample[]>> {
  const [source, names] = await Promise.all([r.deps.prometheus.instant(q.source, at), r.callers()]);
  if (!source.ok) return source;
  if (names?.length === 0) return source;
  const destination = await r.deps.prometheus.instant(q.destination(names), at);
  if (!destination.ok) return destination;
  return { ok: true, value: source.value.concat(destination.value) };
}

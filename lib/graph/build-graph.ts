// Builds the graph for some parameters: runs the PromQL (requests, latency buckets, live Envoy stats)
// and the config lookup in parallel, then assembles. Prometheus failing for the request rates is an
// error; latency, Envoy stats and the control plane failing are warnings on a graph that still draws.
import type { PromClient, PromError, PromResult } from '../prometheus/client';
import { addLatency, finishAssembly, type Walk, walkRequests } from './assemble';
import { applyBadges } from './badges';
import { configBadges, serviceEntryLocations } from './config-badges';
import { foldLiveStats, LIVE_STATS, type LiveStat, liveStatQuery } from './envoy-stats';
import type { HealthThresholds } from './health';
import { type BucketGroup, groupBuckets, type LatencyCache, type LatencyReading } from './latency-cache';
import type { ConfigResult } from './mesh-config-source';
import { type GraphParams, promDuration } from './params';
import {
  joinedRequestRateQuery,
  type LatencyQueries,
  rawLatencyQueries,
  reporterSelections,
  requestRateQuery,
  splitJoinedRequests,
} from './promql';
import {
  BOUNDS_QUERY,
  belowTotalLatencyQueries,
  completeBelowTotal,
  RECORDED_WINDOW_S,
  recordedLatencyQueries,
  splitJoinedEdges,
  uniformBounds,
} from './recording-rules';
import { destinationOnlyCallers, type Sample } from './series';
import type { Graph, GraphWarning } from './types';

export interface GraphDeps {
  prometheus: PromClient;
  /** The mesh config of some namespaces; absent when no control plane is configured. */
  meshConfig?: (namespaces: string[]) => Promise<ConfigResult>;
  thresholds?: HealthThresholds;
  /**
   * Whether Prometheus has the graph's recording rules (see `recording-rules.ts`); cached by the caller.
   * Absent: the raw histogram is always queried.
   */
  recordedLatency?: (timeSec: number) => Promise<boolean>;
  /** Unix seconds; the default query time. */
  now?: () => number;
  /** Keeps latency readings between requests (see `latency-cache.ts`); absent: read every time. */
  latencyCache?: LatencyCache;
}

/**
 * Milliseconds per phase, for a `Server-Timing` header: what a slow graph spent its time on. `prometheus`
 * is until every read is in (the rates are walked into the graph as soon as they arrive, meanwhile).
 */
export type GraphTimings = Record<'prometheus' | 'config' | 'assemble', number>;

export type GraphResult = { ok: true; graph: Graph; timings: GraphTimings } | { ok: false; error: PromError };

export async function buildGraph(params: GraphParams, deps: GraphDeps): Promise<GraphResult> {
  const time = params.queryTime ?? Math.floor(deps.now?.() ?? Date.now() / 1000);
  const range = promDuration(params.duration);
  const sel = reporterSelections(params.namespaces);
  const both = [...sel.source, ...sel.destination];
  const liveStats = Object.keys(LIVE_STATS) as LiveStat[];

  const configFor = (namespaces: string[]) =>
    deps.meshConfig ? deps.meshConfig(namespaces) : Promise.resolve(undefined);
  const earlyConfig = params.namespaces.length > 0 ? configFor(params.namespaces) : undefined;
  // The request rates with their labels joined (a third of the answer), split back here; the labelled
  // query only if a value would not split.
  const requestsRead = deps.prometheus
    .instant(joinedRequestRateQuery(both, range), time)
    .then((r): Promise<PromResult<Sample[]>> | PromResult<Sample[]> => {
      if (!r.ok) return r;
      const split = splitJoinedRequests(r.value);
      return split
        ? { ok: true, value: split }
        : deps.prometheus.instant(requestRateQuery(both, range), time);
    });
  // The callers of edges only their destination reports (callers without a proxy, `unknown` for traffic
  // from outside the mesh), from the request series: usually a handful, often none.
  const callersRead = requestsRead.then((r) => (r.ok ? destinationOnlyCallers(r.value) : undefined));
  // Two bucket reads — every source-reported edge, and, once the request series are in, the
  // destination-reported edges of those callers.
  const readWith = async (q: LatencyQueries, at: number): Promise<PromResult<Sample[]>> => {
    const [source, names] = await Promise.all([deps.prometheus.instant(q.source, at), callersRead]);
    if (!source.ok) return source;
    if (names?.length === 0) return source;
    const destination = await deps.prometheus.instant(q.destination(names), at);
    if (!destination.ok) return destination;
    return { ok: true, value: source.value.concat(destination.value) };
  };
  // With the recording rules, over a window they record: the below-total buckets and the bounds they are
  // completed with (a third of the series); else the dense recorded series; else the raw histogram.
  const readBelowTotal = async (q: LatencyQueries, at: number): Promise<BucketGroup[] | undefined> => {
    const [partial, bounds] = await Promise.all([readWith(q, at), deps.prometheus.instant(BOUNDS_QUERY, at)]);
    if (!partial.ok || !bounds.ok || partial.value.length === 0) return undefined;
    const axis = uniformBounds(bounds.value);
    const groups = axis && splitJoinedEdges(groupBuckets(partial.value));
    return axis && groups && completeBelowTotal(groups, axis);
  };
  const readBuckets = async (at: number): Promise<PromResult<BucketGroup[]>> => {
    // A window shorter than the rules' own cannot be had from them: the raw histogram.
    if (params.duration >= RECORDED_WINDOW_S && (await (deps.recordedLatency?.(at) ?? false))) {
      const belowTotal = belowTotalLatencyQueries(sel, params.duration);
      const complete = belowTotal && (await readBelowTotal(belowTotal, at));
      if (complete) return { ok: true, value: complete };
      const recorded = await readWith(recordedLatencyQueries(sel, params.duration), at);
      // Recorded series missing at this time (rules added later than the window asked for): raw.
      if (recorded.ok && recorded.value.length > 0) return { ok: true, value: groupBuckets(recorded.value) };
    }
    const raw = await readWith(rawLatencyQueries(sel, range), at);
    return raw.ok ? { ok: true, value: groupBuckets(raw.value) } : raw;
  };
  const latency = async (): Promise<PromResult<LatencyReading | undefined>> => {
    if (!params.latency) return { ok: true, value: undefined };
    if (deps.latencyCache) {
      const view = `${params.namespaces.join(',')}|${params.duration}`;
      return deps.latencyCache.get(view, time, params.queryTime !== undefined, readBuckets);
    }
    const r = await readBuckets(time);
    return r.ok ? { ok: true, value: { time, groups: r.value } } : r;
  };
  const t0 = performance.now();
  // As soon as the rates are in, while latency may still be read: walk them into nodes and edges, and
  // (with every namespace asked for) read the config of the namespaces that actually have traffic.
  const walked = requestsRead.then(
    (r): PromResult<Walk> =>
      r.ok
        ? {
            ok: true,
            value: walkRequests(
              {
                graphType: params.graphType,
                injectServiceNodes: params.injectServiceNodes,
                includeIdleEdges: params.includeIdleEdges,
                requests: r.value,
              },
              params.latency,
            ),
          }
        : r,
  );
  const configRead =
    earlyConfig ?? requestsRead.then((r) => (r.ok ? configFor(namespacesOf(r.value)) : undefined));
  const [walk, buckets, ...live] = await Promise.all([
    walked,
    latency(),
    ...liveStats.map((s) => deps.prometheus.instant(liveStatQuery(s, range), time)),
  ]);
  if (!walk.ok) return { ok: false, error: walk.error };

  const warnings: GraphWarning[] = [];
  if (!buckets.ok) warnings.push({ code: 'latency_unavailable', message: buckets.error.message });
  const liveAnswers: Partial<Record<LiveStat, Sample[]>> = {};
  const liveFailure = live.find((r) => !r.ok);
  if (liveFailure && !liveFailure.ok) {
    warnings.push({ code: 'envoy_stats_unavailable', message: liveFailure.error.message });
  } else {
    live.forEach((r, i) => {
      if (r.ok) liveAnswers[liveStats[i] as LiveStat] = r.value;
    });
  }

  const t1 = performance.now();
  const config = await configRead;
  const t2 = performance.now();
  if (config && !config.ok) warnings.push({ code: 'control_plane_unavailable', message: config.message });
  const cfg = config?.ok ? config.value : undefined;

  addLatency(walk.value, buckets.ok ? (buckets.value?.groups ?? []) : []);
  const assembled = finishAssembly(walk.value, {
    namespaces: params.namespaces,
    thresholds: deps.thresholds,
    serviceEntries: cfg ? serviceEntryLocations(cfg.serviceEntries) : undefined,
  });
  applyBadges(
    assembled,
    cfg ? configBadges(cfg) : undefined,
    liveFailure ? undefined : foldLiveStats(liveAnswers),
  );
  const timings = { prometheus: t1 - t0, config: t2 - t1, assemble: performance.now() - t2 };
  return {
    ok: true,
    timings,
    graph: {
      timestamp: time,
      duration: params.duration,
      graphType: params.graphType,
      elements: {
        nodes: assembled.nodes.map((data) => ({ data })),
        edges: assembled.edges.map((data) => ({ data })),
      },
      warnings,
      ...(params.latency ? {} : { latency: 'omitted' as const }),
      ...(buckets.ok && buckets.value ? { latencyTime: buckets.value.time } : {}),
    },
  };
}

/** Every namespace a request series names (callers, services, workloads). */
export function namespacesOf(samples: readonly Sample[]): string[] {
  const out = new Set<string>();
  for (const s of samples) {
    for (const k of [
      'source_workload_namespace',
      'destination_service_namespace',
      'destination_workload_namespace',
    ]) {
      const v = s.labels[k];
      if (v && v !== 'unknown' && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v)) out.add(v);
    }
  }
  return [...out].sort();
}

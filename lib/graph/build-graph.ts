// Builds the graph for some parameters: starts every read (`graph-reads.ts`), walks the request rates into
// the traffic map as soon as they arrive, then runs the appenders on the other reads (`assemble.ts`).
// Prometheus failing for the request rates is an error; latency, Envoy stats and the control plane
// failing are warnings on a graph that still draws.
import type { PromError, PromResult } from '../prometheus/client';
import { assembleGraph, prepareLatency, prepareLatencyMerge, trafficGraph } from './assemble';
import { graphElements } from './elements';
import { type ReadDeps, seriesViewOf, startReads } from './graph-reads';
import type { HealthThresholds } from './health';
import type { GraphParams } from './params';
import type { TrafficMap } from './traffic-map';
import type { Graph, GraphWarning } from './types';
import type { WalkLease } from './walk-lease';

export interface GraphDeps extends ReadDeps {
  thresholds?: HealthThresholds;
  /** Unix seconds; the default query time. */
  now?: () => number;
  /** The build's lease on its walk objects (`walk-lease.ts`, `shared-builds.ts`); none: objects of its own. */
  lease?: WalkLease;
}

/**
 * Milliseconds per phase, for a `Server-Timing` header: what a slow graph spent its time on. `reads` is from the
 * build's start to the last byte of the last Prometheus answer it waited for (what follows is ours); `prometheus`
 * from the reads' start until every read is in (the rates are walked into the graph as soon as they arrive,
 * meanwhile).
 */
export type GraphTimings = Record<'reads' | 'prometheus' | 'config' | 'assemble', number>;

export type GraphResult = { ok: true; graph: Graph; timings: GraphTimings } | { ok: false; error: PromError };

export async function buildGraph(params: GraphParams, deps: GraphDeps): Promise<GraphResult> {
  const time = params.queryTime ?? Math.floor(deps.now?.() ?? Date.now() / 1000);
  const start = performance.now();
  const reads = startReads(params, deps, time);
  const t0 = performance.now();
  // Whether the latency reading is in (a polled graph's kept one is at once; a cold graph's lands after the rates).
  let latencyLanded = false;
  const traffic = reads.requests.then(
    (r): PromResult<TrafficMap> =>
      r.ok
        ? {
            ok: true,
            value: trafficGraph({
              graphType: params.graphType,
              injectServiceNodes: params.injectServiceNodes,
              includeIdleEdges: params.includeIdleEdges,
              requests: r.value,
              // Not kept: a polled graph takes its latency from the graph before (its 20,000 hop lists a
              // build unused), and a cold one finds each series' hops from its kept route when it needs them.
              keepHops: false,
              namespaces: params.namespaces,
              view: seriesViewOf(params),
              thresholds: deps.thresholds,
              lease: deps.lease,
            }),
          }
        : r,
  );
  // Each answer worked on as it lands: the latency reading's index made while the rates may still be in flight,
  // and the map's side of the latency merge while the latency is still read.
  const latencyIn = reads.latency.then((r) => {
    latencyLanded = true;
    if (r.ok && r.value) prepareLatency(r.value.groups);
    return r;
  });
  const mapIn = traffic.then((m) => {
    if (m.ok && params.latency && !latencyLanded) prepareLatencyMerge(m.value);
    return m;
  });
  const [map, latency, live] = await Promise.all([mapIn, latencyIn, reads.live]);
  if (!map.ok) return { ok: false, error: map.error };
  const t1 = performance.now();
  // The reads waited for: not one that lands later (a latency reading read again for the next graphs).
  const lastAnswer = reads.lastAnswer();
  const config = await reads.config;
  const t2 = performance.now();

  const warnings: GraphWarning[] = [];
  if (!latency.ok) warnings.push({ code: 'latency_unavailable', message: latency.error.message });
  if (!live.ok) warnings.push({ code: 'envoy_stats_unavailable', message: live.error.message });
  if (config && !config.ok) warnings.push({ code: 'control_plane_unavailable', message: config.message });

  const assembled = assembleGraph(map.value, {
    latencyGroups: latency.ok ? latency.value?.groups : undefined,
    config: config?.ok ? config.value : undefined,
    live: live.ok ? live.value : undefined,
  });
  const timings = {
    reads: lastAnswer - start,
    prometheus: t1 - t0,
    config: t2 - t1,
    assemble: performance.now() - t2,
  };
  return {
    ok: true,
    timings,
    graph: {
      timestamp: time,
      duration: params.duration,
      graphType: params.graphType,
      // Its arrays made when first read; the streamed answer is written without them (`graphElements`).
      elements: graphElements(assembled),
      warnings,
      ...(params.latency ? {} : { latency: 'omitted' as const }),
      ...(latency.ok && latency.value ? { latencyTime: latency.value.time } : {}),
      ...(assembled.namespaceMtls ? { namespaceMtls: assembled.namespaceMtls } : {}),
    },
  };
}

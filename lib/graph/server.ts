// The graph backend's dependencies from the environment (server only): Prometheus (`PROMETHEUS_URL`),
// the control plane (`MESH_CONTROL_URL`, token from `MESH_CONTROL_TOKEN` or `.meshlens/control-plane.token`)
// and the health thresholds (`MESHLENS_HEALTH_THRESHOLDS`, JSON).
import 'server-only';
import { controlPlaneClient } from '../mesh-config/server';
import {
  createPrometheusClient,
  maxAnswerBytesFromEnv,
  type PromClient,
  prometheusUrlFromEnv,
} from '../prometheus/client';
import { prometheus } from '../prometheus/server';
import type { GraphDeps } from './build-graph';
import { parseHealthThresholds } from './health';
import { DEFAULT_LATENCY_CACHE_BUCKETS, LatencyCache } from './latency-cache';
import { LATENCY_READ_TIMEOUT_MS } from './latency-read';
import { fetchMeshConfig } from './mesh-config-source';
import { cachedDetection, RULES_PROBE_QUERY, rulesPresent } from './recording-rules';
import { DEFAULT_GRAPH_REFRESH_S, DEFAULT_SHARED_GRAPHS, SharedBuilds } from './shared-builds';

/**
 * Whether Prometheus records the graph's rules: probed at the graph's time, at most once a minute for each
 * minute of graph time (the live graphs' one probe a minute; a graph pinned at another time, its own, so its
 * latency's source does not depend on which time was asked first); a graph at a time the rules did not cover
 * falls back to the raw histogram anyway.
 */
const recordedLatency = cachedDetection(
  async (timeSec: number) => {
    const r = await prometheus().instant(RULES_PROBE_QUERY, timeSec);
    return r.ok ? rulesPresent(r.value) : undefined;
  },
  60_000,
  Date.now,
  (timeSec) => Math.floor(timeSec / 60),
);

/** The server's latency readings, shared by every graph request (see `latency-cache.ts`). */
const latencyCache = new LatencyCache({
  freshS: secondsFromEnv('MESHLENS_GRAPH_LATENCY_FRESH', 15),
  maxAgeS: secondsFromEnv('MESHLENS_GRAPH_LATENCY_MAX_AGE', 60),
  maxBuckets: positiveIntFromEnv('MESHLENS_GRAPH_LATENCY_BUCKETS', DEFAULT_LATENCY_CACHE_BUCKETS),
});

/** The latency cache's reads: no graph waits for them past `LATENCY_WAIT_MS`, so they get a longer timeout. */
let latencyClient: PromClient | undefined;
function latencyPrometheus(): PromClient {
  latencyClient ??= createPrometheusClient({
    baseUrl: prometheusUrlFromEnv(),
    maxAnswerBytes: maxAnswerBytesFromEnv(),
    timeoutMs: LATENCY_READ_TIMEOUT_MS,
  });
  return latencyClient;
}

/** Live graphs shared per refresh period by the API's requests (see `shared-builds.ts`). */
export const sharedBuilds = new SharedBuilds({
  refreshS: positiveIntFromEnv('MESHLENS_GRAPH_REFRESH_S', DEFAULT_GRAPH_REFRESH_S),
  maxGraphs: positiveIntFromEnv('MESHLENS_GRAPH_SHARED_BUILDS', DEFAULT_SHARED_GRAPHS),
});

function positiveIntFromEnv(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
}

function secondsFromEnv(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v >= 0 ? v : fallback;
}

export function graphDeps(): GraphDeps {
  const client = controlPlaneClient(undefined, 3_000);
  return {
    prometheus: prometheus(),
    meshConfig: (namespaces) => fetchMeshConfig(client, namespaces),
    thresholds: parseHealthThresholds(process.env.MESHLENS_HEALTH_THRESHOLDS),
    recordedLatency,
    latencyCache,
    latencyPrometheus: latencyPrometheus(),
  };
}

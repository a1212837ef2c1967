// What the graph-assembly bench runs, bundled by esbuild: the graph's own modules, no Next.js.
import { graphJsonStream } from '../../../lib/graph/graph-json';
import type { Graph } from '../../../lib/graph/types';

export { buildGraph } from '../../../lib/graph/build-graph';
export {
  fullElementWrites,
  programMemory,
  programReplays,
  programReplaysByWalk,
} from '../../../lib/graph/elements';
export { LatencyCache } from '../../../lib/graph/latency-cache';
export { parseGraphParams } from '../../../lib/graph/params';
export { JOIN_SEPARATOR, LATENCY_EDGE_LABELS, REQUEST_LABELS } from '../../../lib/graph/promql';
export {
  cachedDetection,
  RECORDED_EDGE_LABELS,
  RULES_PROBE_QUERY,
  rulesPresent,
} from '../../../lib/graph/recording-rules';
export { walkObjectsReused } from '../../../lib/graph/traffic-map';
export { WalkLease } from '../../../lib/graph/walk-lease';
export { createPrometheusClient } from '../../../lib/prometheus/client';

/** The graph's JSON as `/api/graph` sends it (streamed, UTF-8); answers its length in bytes. */
export async function graphJson(graph: Graph): Promise<number> {
  const reader = graphJsonStream(graph).getReader();
  let bytes = 0;
  for (let r = await reader.read(); !r.done; r = await reader.read()) bytes += r.value.length;
  return bytes;
}

/** The same JSON in one `JSON.stringify` and one UTF-8 copy (how the route answered before streaming). */
export function graphJsonWhole(graph: Graph): number {
  return new TextEncoder().encode(JSON.stringify(graph)).length;
}

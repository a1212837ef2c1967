// Which traces are failing requests of a graph node or edge, and the span that failed there: the error
// hops whose graph path passes through the node (or takes the edge), deepest span first.
import type { Trace } from '@/lib/jaeger/model';
import type { FailingRequest } from './api-types';
import { type GraphPathOptions, hopPath, traceHops } from './graph-path';
import { grpcStatusOf } from './span-facts';
import { buildSpanTree, type SpanNode } from './span-tree';
import { tagNumber, tagString } from './tags';
import { summarizeTrace } from './trace-summary';

/** A node (`app:default:ratings:v1`, an app box `box:default:ratings`…) or an edge (`source` → `target`). */
export type GraphElement = { node: string } | { source: string; target: string };

/** Does a path of node ids pass through `id`? An app box holds every version of its app. */
function pathHas(path: readonly string[], id: string): boolean {
  if (id.startsWith('box:')) {
    const prefix = `app:${id.slice('box:'.length)}`;
    return path.some((p) => p === prefix || p.startsWith(`${prefix}:`));
  }
  return path.includes(id);
}

function pathTakes(path: readonly string[], source: string, target: string): boolean {
  for (let i = 1; i < path.length; i++) {
    if (pathHas([path[i - 1] as string], source) && pathHas([path[i] as string], target)) return true;
  }
  return false;
}

/** The failing request in `trace` on `element`, or undefined when the trace did not fail there. */
export function failingRequestOf(
  trace: Trace,
  element: GraphElement,
  options: GraphPathOptions,
): FailingRequest | undefined {
  const tree = buildSpanTree(trace);
  const hops = traceHops(tree);
  let failing: SpanNode | undefined;
  for (const hop of hops) {
    if (!hop.error) continue;
    const path = hopPath(hop, hops, options);
    const matches =
      'node' in element ? pathHas(path, element.node) : pathTakes(path, element.source, element.target);
    if (!matches) continue;
    // The callee's span when it failed too (it knows more), else the caller's.
    const server = hop.serverKey === undefined ? undefined : tree.byKey.get(hop.serverKey);
    const client = hop.clientKey === undefined ? undefined : tree.byKey.get(hop.clientKey);
    const span = server?.isError ? server : (client ?? server);
    if (span && (!failing || span.depth > failing.depth)) failing = span;
  }
  if (!failing) return undefined;
  return {
    ...summarizeTrace(trace),
    failingSpan: {
      spanID: failing.span.spanID,
      serviceName: failing.serviceName,
      operationName: failing.span.operationName,
      statusCode: tagNumber(failing.span.tags, 'http.status_code'),
      grpcStatus: grpcStatusOf(failing.span.tags)?.code,
      responseFlags: tagString(failing.span.tags, 'response_flags'),
    },
  };
}

/** The failing requests among `traces` on `element`, newest first. */
export function failingRequests(
  traces: readonly Trace[],
  element: GraphElement,
  options: GraphPathOptions,
  limit: number,
): FailingRequest[] {
  const out: FailingRequest[] = [];
  const seen = new Set<string>();
  for (const t of traces) {
    if (seen.has(t.traceID)) continue;
    seen.add(t.traceID);
    const f = failingRequestOf(t, element, options);
    if (f) out.push(f);
  }
  return out.sort((a, b) => b.startTime - a.startTime).slice(0, limit);
}

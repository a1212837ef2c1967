// One line of the search results per trace: root service and operation, spans, services, duration, errors.
import type { Trace } from '@/lib/jaeger/model';
import { buildSpanTree } from './span-tree';
import { tagString } from './tags';

export interface TraceSummary {
  traceID: string;
  rootService: string;
  rootOperation: string;
  /** The root span's HTTP status and response flags, when it has them. */
  rootStatusCode?: string;
  rootResponseFlags?: string;
  /** µs since the epoch. */
  startTime: number;
  /** µs. */
  duration: number;
  spanCount: number;
  errorCount: number;
  services: { name: string; spanCount: number; errorCount: number }[];
}

export function summarizeTrace(trace: Trace): TraceSummary {
  const tree = buildSpanTree(trace);
  const root = tree.nodes[0];
  const errorsByService = new Map<string, number>();
  for (const n of tree.nodes) {
    if (n.isError) errorsByService.set(n.serviceName, (errorsByService.get(n.serviceName) ?? 0) + 1);
  }
  const flags = root ? tagString(root.span.tags, 'response_flags') : undefined;
  return {
    traceID: trace.traceID,
    rootService: root?.serviceName ?? 'unknown',
    rootOperation: root?.span.operationName ?? 'missing root span',
    rootStatusCode: root ? tagString(root.span.tags, 'http.status_code') : undefined,
    rootResponseFlags: flags === '-' ? undefined : flags,
    startTime: tree.startTime,
    duration: tree.duration,
    spanCount: tree.nodes.length,
    errorCount: tree.errorCount,
    services: tree.services
      .map((s) => ({ ...s, errorCount: errorsByService.get(s.name) ?? 0 }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}

/** Newest first, as Jaeger answers; one entry per trace id (fanned-out searches find a trace twice). */
export function mergeSearchResults(
  lists: readonly (readonly TraceSummary[])[],
  limit: number,
): TraceSummary[] {
  const byId = new Map<string, TraceSummary>();
  for (const list of lists) {
    for (const t of list) {
      const seen = byId.get(t.traceID);
      // The same trace read twice can differ when spans arrived between the reads: keep the fuller one.
      if (!seen || t.spanCount > seen.spanCount) byId.set(t.traceID, t);
    }
  }
  return [...byId.values()].sort((a, b) => b.startTime - a.startTime).slice(0, limit);
}

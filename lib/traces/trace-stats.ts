// The trace statistics table: per service and operation, how many spans, their total time and their self
// time (the part of a span not covered by any of its children), as Jaeger UI's "Trace Statistics" view.
import type { SpanNode, TraceTree } from './span-tree';

export interface OperationStats {
  service: string;
  operation: string;
  count: number;
  errors: number;
  /** µs, summed over the spans. */
  total: number;
  self: number;
  max: number;
}

/** µs of [start, end] not covered by the children's intervals (children clipped to the parent). */
export function selfTime(node: SpanNode, children: readonly SpanNode[]): number {
  const intervals = children
    .map((c) => [Math.max(node.startTime, c.startTime), Math.min(node.endTime, c.endTime)] as const)
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  let covered = 0;
  let curStart = Number.NaN;
  let curEnd = Number.NaN;
  for (const [s, e] of intervals) {
    if (Number.isNaN(curEnd) || s > curEnd) {
      if (!Number.isNaN(curEnd)) covered += curEnd - curStart;
      curStart = s;
      curEnd = e;
    } else if (e > curEnd) curEnd = e;
  }
  if (!Number.isNaN(curEnd)) covered += curEnd - curStart;
  return Math.max(0, node.endTime - node.startTime - covered);
}

/** One row per service and operation, by total time, longest first. O(n log n). */
export function traceStats(tree: TraceTree): OperationStats[] {
  const rows = new Map<string, OperationStats>();
  for (const node of tree.nodes) {
    const children = node.childKeys.map((k) => tree.byKey.get(k)).filter((c): c is SpanNode => !!c);
    const key = `${node.serviceName}\u0000${node.span.operationName}`;
    let row = rows.get(key);
    if (!row) {
      row = {
        service: node.serviceName,
        operation: node.span.operationName,
        count: 0,
        errors: 0,
        total: 0,
        self: 0,
        max: 0,
      };
      rows.set(key, row);
    }
    const duration = node.endTime - node.startTime;
    row.count++;
    if (node.isError) row.errors++;
    row.total += duration;
    row.self += selfTime(node, children);
    if (duration > row.max) row.max = duration;
  }
  return [...rows.values()].sort((a, b) => b.total - a.total || a.service.localeCompare(b.service));
}

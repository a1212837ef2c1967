// The critical path of a trace, computed as Jaeger UI does: from each root, follow the last-finishing
// child; on the way back up, take the child that finished last before the one just visited started.
// Children are first clipped to their parent's time range; non-blocking spans (FOLLOWS_FROM, producer,
// consumer) and their subtrees are left out.
import type { SpanNode, TraceTree } from './span-tree';
import { tagString } from './tags';

export interface CriticalPathSection {
  key: string;
  /** µs since the epoch. */
  start: number;
  end: number;
}

function isBlocking(node: SpanNode): boolean {
  if (node.refType === 'FOLLOWS_FROM') return false;
  const kind = tagString(node.span.tags, 'span.kind');
  return kind !== 'producer' && kind !== 'consumer';
}

/**
 * Critical path sections, latest first within each root (Jaeger UI's order). On index arrays over the tree's
 * depth-first order (a 100,000-span trace: typed arrays, no object or map per span): each node's parent is
 * the last node one level up before it; children are clipped in that order (parents come first). Only the
 * nodes the walk reaches have their children sorted by end (latest first) and their tags read (blocking or
 * not: reading every span's tags was most of the time); a cursor per node walks its children — the times a
 * node is returned to only fall, so every child is passed once, however wide the fan.
 */
export function criticalPath(tree: TraceTree): CriticalPathSection[] {
  const nodes = tree.nodes;
  const n = nodes.length;
  const parent = new Int32Array(n).fill(-1);
  const start = new Float64Array(n);
  const end = new Float64Array(n);
  /** 1 where the span overlaps its parent, clipped, and so on up to its root. */
  const kept = new Uint8Array(n);
  const lastAtDepth = new Int32Array(tree.maxDepth + 1).fill(-1);
  const childCount = new Int32Array(n + 1);
  for (let k = 0; k < n; k++) {
    const node = nodes[k] as SpanNode;
    const p = node.depth > 0 ? (lastAtDepth[node.depth - 1] as number) : -1;
    lastAtDepth[node.depth] = k;
    parent[k] = p;
    if (p < 0) {
      kept[k] = 1;
      start[k] = node.startTime;
      end[k] = node.endTime;
      continue;
    }
    // Entirely outside the parent: dropped with its subtree.
    if (kept[p] === 0 || node.startTime >= (end[p] as number) || node.endTime <= (start[p] as number))
      continue;
    kept[k] = 1;
    start[k] = Math.max(node.startTime, start[p] as number);
    end[k] = Math.min(node.endTime, end[p] as number);
    (childCount[p + 1] as number)++;
  }
  // Kept children in one array (counting sort by parent, in sibling order).
  for (let k = 0; k < n; k++) childCount[k + 1] = (childCount[k + 1] as number) + (childCount[k] as number);
  const first = childCount;
  const fill = first.slice(0, n);
  const children = new Int32Array(first[n] as number);
  for (let k = 0; k < n; k++) {
    const p = parent[k] as number;
    if (p >= 0 && kept[k] === 1) children[(fill[p] as number)++] = k;
  }
  const cursor = first.slice(0, n);
  const sorted = new Uint8Array(n);

  const sections: CriticalPathSection[] = [];
  for (let root = 0; root < n; root++) {
    if (parent[root] !== -1) continue;
    let current = root;
    let returningChildStart: number | undefined;
    // Both of Jaeger's recursive calls are tail calls: a loop walks the same path without a deep stack.
    while (current >= 0) {
      // The child finishing last; returning from a child, the one finishing last before that child started.
      const stop = first[current + 1] as number;
      let c = cursor[current] as number;
      if (sorted[current] === 0) {
        sorted[current] = 1;
        // Latest end first; among equal ends the earlier sibling (Jaeger keeps the first it meets).
        if (stop - c > 1)
          children.subarray(c, stop).sort((a, b) => (end[b] as number) - (end[a] as number) || a - b);
      }
      for (; c < stop; c++) {
        const child = children[c] as number;
        if (returningChildStart !== undefined && (end[child] as number) >= returningChildStart) continue;
        // A span that does not block its parent is passed for good, with its subtree.
        if (isBlocking(nodes[child] as SpanNode)) break;
      }
      cursor[current] = c;
      const lfc = c < stop ? (children[c] as number) : -1;
      const until = returningChildStart ?? (end[current] as number);
      const key = (nodes[current] as SpanNode).key;
      if (lfc >= 0) {
        if (end[lfc] !== until) sections.push({ key, start: end[lfc] as number, end: until });
        current = lfc;
        returningChildStart = undefined;
      } else {
        if (start[current] !== until) sections.push({ key, start: start[current] as number, end: until });
        returningChildStart = start[current] as number;
        current = parent[current] as number;
      }
    }
  }
  return sections;
}

/** The sections grouped by span key, for drawing them on each span's bar. */
export function sectionsBySpan(sections: readonly CriticalPathSection[]): Map<string, CriticalPathSection[]> {
  const out = new Map<string, CriticalPathSection[]>();
  for (const s of sections) {
    const list = out.get(s.key);
    if (list) list.push(s);
    else out.set(s.key, [s]);
  }
  return out;
}

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

interface CpSpan {
  key: string;
  parentKey?: string;
  start: number;
  end: number;
  childKeys: string[];
}

function isBlocking(node: SpanNode): boolean {
  if (node.refType === 'FOLLOWS_FROM') return false;
  const kind = tagString(node.span.tags, 'span.kind');
  return kind !== 'producer' && kind !== 'consumer';
}

/** The root's blocking subtree with every child clipped to its (already clipped) parent; parents first. */
function sanitizedSubtree(tree: TraceTree, rootKey: string): Map<string, CpSpan> {
  const map = new Map<string, CpSpan>();
  const root = tree.byKey.get(rootKey);
  if (!root) return map;
  map.set(root.key, { key: root.key, start: root.startTime, end: root.endTime, childKeys: [] });
  const queue: SpanNode[] = [root];
  for (let i = 0; i < queue.length; i++) {
    const parentNode = queue[i] as SpanNode;
    const parent = map.get(parentNode.key) as CpSpan;
    for (const childKey of parentNode.childKeys) {
      const child = tree.byKey.get(childKey);
      if (!child || !isBlocking(child)) continue;
      // Entirely outside the parent: dropped with its subtree.
      if (child.startTime >= parent.end || child.endTime <= parent.start) continue;
      map.set(child.key, {
        key: child.key,
        parentKey: parent.key,
        start: Math.max(child.startTime, parent.start),
        end: Math.min(child.endTime, parent.end),
        childKeys: [],
      });
      parent.childKeys.push(child.key);
      queue.push(child);
    }
  }
  return map;
}

/** The child finishing last; with `before`, the one finishing last strictly before that time. */
function lastFinishingChild(map: Map<string, CpSpan>, span: CpSpan, before?: number): CpSpan | undefined {
  let best: CpSpan | undefined;
  for (const key of span.childKeys) {
    const child = map.get(key);
    if (!child) continue;
    if (before !== undefined && child.end >= before) continue;
    if (best === undefined || child.end > best.end) best = child;
  }
  return best;
}

/** Critical path sections, latest first within each root (Jaeger UI's order). */
export function criticalPath(tree: TraceTree): CriticalPathSection[] {
  const sections: CriticalPathSection[] = [];
  for (const rootKey of tree.rootKeys) {
    const map = sanitizedSubtree(tree, rootKey);
    let current = map.get(rootKey);
    let returningChildStart: number | undefined;
    // Both of Jaeger's recursive calls are tail calls: a loop walks the same path without a deep stack.
    while (current !== undefined) {
      const lfc = lastFinishingChild(map, current, returningChildStart);
      const end = returningChildStart ?? current.end;
      if (lfc !== undefined) {
        if (lfc.end !== end) sections.push({ key: current.key, start: lfc.end, end });
        current = lfc;
        returningChildStart = undefined;
      } else {
        if (current.start !== end) sections.push({ key: current.key, start: current.start, end });
        returningChildStart = current.start;
        current = current.parentKey === undefined ? undefined : map.get(current.parentKey);
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

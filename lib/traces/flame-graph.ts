// The flame graph of a trace: spans merged by their path of "service: operation" from the root (as a
// profiler merges call stacks), each frame as wide as the time spent in it, children left to right by name.
import type { SpanNode, TraceTree } from './span-tree';

export interface FlameFrame {
  /** The path's names joined, unique in the graph. */
  id: string;
  name: string;
  service: string;
  depth: number;
  /** µs summed over the merged spans, and the part not in children. */
  total: number;
  self: number;
  spanCount: number;
  /** Fractions of the root's width, 0..1. */
  left: number;
  width: number;
}

interface Agg {
  name: string;
  service: string;
  total: number;
  self: number;
  spanCount: number;
  children: Map<string, Agg>;
}

/** Frames narrower than this fraction are not laid out (they would be under a pixel). */
export const MIN_FRAME_WIDTH = 0.001;

export function flameGraph(tree: TraceTree, selfOf: (node: SpanNode) => number): FlameFrame[] {
  const root: Agg = { name: 'all', service: '', total: 0, self: 0, spanCount: 0, children: new Map() };
  // Nodes are in depth-first order: each span's aggregate is its parent's child of the same name.
  const aggOf = new Map<string, Agg>();
  for (const node of tree.nodes) {
    const parent = node.parentKey === undefined ? root : (aggOf.get(node.parentKey) ?? root);
    const name = `${node.serviceName}: ${node.span.operationName}`;
    let agg = parent.children.get(name);
    if (!agg) {
      agg = { name, service: node.serviceName, total: 0, self: 0, spanCount: 0, children: new Map() };
      parent.children.set(name, agg);
    }
    const duration = node.endTime - node.startTime;
    agg.total += duration;
    agg.self += selfOf(node);
    agg.spanCount++;
    if (parent === root) root.total += duration;
    aggOf.set(node.key, agg);
  }
  const frames: FlameFrame[] = [];
  if (root.total <= 0) return frames;
  const walk = (agg: Agg, id: string, depth: number, left: number) => {
    let x = left;
    for (const child of [...agg.children.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      const width = child.total / root.total;
      const childId = `${id}/${child.name}`;
      if (width >= MIN_FRAME_WIDTH) {
        frames.push({
          id: childId,
          name: child.name,
          service: child.service,
          depth,
          total: child.total,
          self: child.self,
          spanCount: child.spanCount,
          left: x,
          width,
        });
        walk(child, childId, depth + 1, x);
      }
      x += width;
    }
  };
  walk(root, '', 0, 0);
  return frames;
}

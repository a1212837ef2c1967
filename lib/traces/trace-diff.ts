// Comparing two traces as Jaeger UI's trace diff does: spans matched by their path of "service: operation"
// from the root, counted on each side; a path only in B is added, only in A removed, and where both have
// it, the mean duration tells slower or faster.
import type { TraceTree } from './span-tree';

export type DiffState = 'same' | 'added' | 'removed' | 'slower' | 'faster' | 'more' | 'fewer';

export interface DiffRow {
  /** The path's id (shared by both traces). */
  id: number;
  name: string;
  service: string;
  depth: number;
  countA: number;
  countB: number;
  /** Mean duration in µs on each side (0 where absent). */
  meanA: number;
  meanB: number;
  state: DiffState;
}

/** Mean durations closer than this ratio are "same". */
export const DIFF_SLOWER_RATIO = 1.2;

interface PathInfo {
  id: number;
  parent: number;
  name: string;
  service: string;
  depth: number;
  a: { count: number; total: number };
  b: { count: number; total: number };
  children: number[];
}

/** Paths are interned as (parent path id, name): a deep trace costs one entry per path, not its text. */
function addTree(tree: TraceTree, side: 'a' | 'b', byKey: Map<string, PathInfo>, list: PathInfo[]): void {
  const pathOfSpan = new Map<string, number>();
  for (const node of tree.nodes) {
    const name = `${node.serviceName}: ${node.span.operationName}`;
    const parent = node.parentKey === undefined ? -1 : (pathOfSpan.get(node.parentKey) ?? -1);
    const key = `${parent}\u0000${name}`;
    let info = byKey.get(key);
    if (!info) {
      info = {
        id: list.length,
        parent,
        name,
        service: node.serviceName,
        depth: node.depth,
        a: { count: 0, total: 0 },
        b: { count: 0, total: 0 },
        children: [],
      };
      byKey.set(key, info);
      list.push(info);
      if (parent >= 0) list[parent]?.children.push(info.id);
    }
    pathOfSpan.set(node.key, info.id);
    info[side].count++;
    info[side].total += node.endTime - node.startTime;
  }
}

function stateOf(info: PathInfo, meanA: number, meanB: number): DiffState {
  if (info.a.count === 0) return 'added';
  if (info.b.count === 0) return 'removed';
  if (meanB > meanA * DIFF_SLOWER_RATIO && meanB - meanA >= 1) return 'slower';
  if (meanA > meanB * DIFF_SLOWER_RATIO && meanA - meanB >= 1) return 'faster';
  if (info.b.count > info.a.count) return 'more';
  if (info.b.count < info.a.count) return 'fewer';
  return 'same';
}

/** Rows in tree order (B's paths first as met, then A's), each after its parent path. */
export function diffTraces(a: TraceTree, b: TraceTree): DiffRow[] {
  const byKey = new Map<string, PathInfo>();
  const list: PathInfo[] = [];
  addTree(b, 'b', byKey, list);
  addTree(a, 'a', byKey, list);
  const rows: DiffRow[] = [];
  const stack = list.filter((p) => p.parent < 0).reverse();
  while (stack.length > 0) {
    const info = stack.pop() as PathInfo;
    const meanA = info.a.count ? info.a.total / info.a.count : 0;
    const meanB = info.b.count ? info.b.total / info.b.count : 0;
    rows.push({
      id: info.id,
      name: info.name,
      service: info.service,
      depth: info.depth,
      countA: info.a.count,
      countB: info.b.count,
      meanA,
      meanB,
      state: stateOf(info, meanA, meanB),
    });
    for (let i = info.children.length - 1; i >= 0; i--)
      stack.push(list[info.children[i] as number] as PathInfo);
  }
  return rows;
}

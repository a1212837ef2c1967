// The span tree of a Jaeger trace, as the waterfall draws it: spans in depth-first order, children by
// start time, each with its depth, parent and service. Tolerates what real traces hold: parents that
// never arrived, repeated span ids, reference cycles.
import type { Process, Span, Trace } from '@/lib/jaeger/model';
import { parentRef } from '@/lib/jaeger/parent-ref';
import { takeRepairedStructure } from '@/lib/jaeger/trace-structure';
import { isErrorSpan } from './tags';

export interface SpanNode {
  /** Unique within the tree: the span id, suffixed `~2`, `~3`… when the trace repeats an id (Jaeger keeps both). */
  key: string;
  span: Span;
  /** The span's process; a placeholder named after the process id when the trace lacks it. */
  process: Process;
  serviceName: string;
  depth: number;
  parentKey?: string;
  /** How the span hangs from its parent (undefined for a root). */
  refType?: 'CHILD_OF' | 'FOLLOWS_FROM';
  childKeys: string[];
  /** How many spans hang below this one (its whole subtree), shown on a collapsed row. */
  descendants: number;
  /** Absolute times in µs since the epoch. */
  startTime: number;
  endTime: number;
  isError: boolean;
}

export interface TraceTree {
  traceID: string;
  /** Depth-first order: each span right after its parent, siblings by start time. */
  nodes: SpanNode[];
  byKey: ReadonlyMap<string, SpanNode>;
  /** Spans with no parent in the trace (normally one), by start time. */
  rootKeys: string[];
  /** µs since the epoch: the earliest start and the latest end of any span. */
  startTime: number;
  endTime: number;
  /** µs. */
  duration: number;
  /** Services in order of first appearance in the tree, with their span counts. */
  services: { name: string; spanCount: number }[];
  errorCount: number;
  maxDepth: number;
}

/** Leaves share one empty, frozen child list: half the nodes of a big trace are leaves. */
const NO_CHILDREN: readonly string[] = Object.freeze([]);

/** Sorts `ids[from, to)` by start time, then by position in the trace (stable, as Jaeger UI orders). */
function sortByStart(ids: Int32Array, from: number, to: number, start: Float64Array): void {
  if (to - from < 2) return;
  // Children mostly arrive in order: check before sorting.
  let sorted = true;
  for (let i = from + 1; i < to && sorted; i++) {
    const a = ids[i - 1] as number;
    const b = ids[i] as number;
    sorted = (start[a] as number) < (start[b] as number) || (start[a] === start[b] && a < b);
  }
  if (sorted) return;
  const part = Array.from(ids.subarray(from, to));
  part.sort((a, b) => (start[a] as number) - (start[b] as number) || a - b);
  ids.set(part, from);
}

/** Each span's parent index by its references (-1 for a root), cycles broken: a span whose ancestor chain
 * comes back to itself becomes a root. */
function resolveParents(spans: readonly Span[], firstById: ReadonlyMap<string, number>): Int32Array {
  const n = spans.length;
  const has = (id: string) => firstById.has(id);
  const parent = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const ref = parentRef(spans[i] as Span, has);
    const p = ref === undefined ? -1 : (firstById.get(ref.spanID) as number);
    if (p >= 0 && p !== i) parent[i] = p;
  }
  const state = new Uint8Array(n); // 0 unseen, 1 on the chain being walked, 2 done
  const chain = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    let len = 0;
    let cur = s;
    while (cur >= 0 && state[cur] === 0) {
      state[cur] = 1;
      chain[len++] = cur;
      cur = parent[cur] as number;
    }
    if (cur >= 0 && state[cur] === 1) parent[cur] = -1;
    for (let k = 0; k < len; k++) state[chain[k] as number] = 2;
  }
  return parent;
}

/** 1 where a span hangs from its parent by FOLLOWS_FROM only. */
function followsFlags(
  spans: readonly Span[],
  firstById: ReadonlyMap<string, number>,
  parent: Int32Array,
): Uint8Array {
  const has = (id: string) => firstById.has(id);
  const out = new Uint8Array(spans.length);
  for (let i = 0; i < spans.length; i++) {
    if ((parent[i] as number) >= 0 && parentRef(spans[i] as Span, has)?.refType === 'FOLLOWS_FROM')
      out[i] = 1;
  }
  return out;
}

/**
 * Builds the tree of `trace`. Pure; O(n log n) in the number of spans. Index arrays rather than an object
 * per span while building: a 100,000-span trace allocates its nodes and a few typed arrays, little else.
 */
export function buildSpanTree(trace: Trace): TraceTree {
  const spans = trace.spans;
  const n = spans.length;
  // A reference by span id means the first span that has it; a repeated id gets the key `id~2`, `id~3`…
  // A trace read by `readTraces` comes with that resolved already (`takeRepairedStructure`).
  const known = takeRepairedStructure(trace);
  const firstById = known ? known.firstById : new Map<string, number>();
  const keys: string[] = new Array(n);
  let repeats: Map<string, number> | undefined;
  for (let i = 0; i < n; i++) {
    const id = (spans[i] as Span).spanID;
    const first = firstById.get(id);
    if (first === i || (first === undefined && !known)) {
      if (!known) (firstById as Map<string, number>).set(id, i);
      keys[i] = id;
    } else {
      repeats ??= new Map();
      const count = (repeats.get(id) ?? 1) + 1;
      repeats.set(id, count);
      keys[i] = `${id}~${count}`;
    }
  }
  // Per-span facts read in the spans' own order (the order they sit in memory), not the tree's.
  const start = new Float64Array(n);
  const isError = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const span = spans[i] as Span;
    start[i] = span.startTime;
    if (isErrorSpan(span)) isError[i] = 1;
  }
  const parent = known ? known.parent : resolveParents(spans, firstById);
  const follows = known ? known.followsOnly : followsFlags(spans, firstById, parent);

  // Children in one array (counting sort by parent), each run then ordered by start time.
  const childStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++)
    if ((parent[i] as number) >= 0) (childStart[(parent[i] as number) + 1] as number)++;
  for (let i = 0; i < n; i++) childStart[i + 1] = (childStart[i + 1] as number) + (childStart[i] as number);
  const fill = childStart.slice(0, n);
  const children = new Int32Array(n);
  const rootList: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = parent[i] as number;
    if (p < 0) rootList.push(i);
    else children[(fill[p] as number)++] = i;
  }
  for (let i = 0; i < n; i++)
    sortByStart(children, childStart[i] as number, childStart[i + 1] as number, start);
  const roots = Int32Array.from(rootList);
  sortByStart(roots, 0, roots.length, start);

  const nodes: SpanNode[] = [];
  const byKey = new Map<string, SpanNode>();
  const services = new Map<string, number>();
  const nodeOf: SpanNode[] = new Array(n);
  const order = new Int32Array(n);
  let errorCount = 0;
  let maxDepth = 0;
  let startTime = Number.POSITIVE_INFINITY;
  let endTime = Number.NEGATIVE_INFINITY;
  // Iterative depth-first walk: a 2,000-span chain must not overflow the stack.
  const stack = new Int32Array(n);
  const depthOf = new Int32Array(n);
  let top = 0;
  for (let r = roots.length - 1; r >= 0; r--) stack[top++] = roots[r] as number;
  while (top > 0) {
    const i = stack[--top] as number;
    const span = spans[i] as Span;
    const depth = depthOf[i] as number;
    const p = parent[i] as number;
    const process = trace.processes[span.processID] ?? { serviceName: span.processID || 'unknown', tags: [] };
    const from = childStart[i] as number;
    const to = childStart[i + 1] as number;
    let childKeys = NO_CHILDREN as string[];
    if (to > from) {
      childKeys = new Array(to - from);
      for (let c = from; c < to; c++) childKeys[c - from] = keys[children[c] as number] as string;
    }
    const node: SpanNode = {
      key: keys[i] as string,
      span,
      process,
      serviceName: process.serviceName,
      depth,
      parentKey: p >= 0 ? keys[p] : undefined,
      refType: p >= 0 ? (follows[i] ? 'FOLLOWS_FROM' : 'CHILD_OF') : undefined,
      childKeys,
      descendants: to - from,
      startTime: span.startTime,
      endTime: span.startTime + Math.max(0, span.duration),
      isError: isError[i] === 1,
    };
    order[nodes.length] = i;
    nodes.push(node);
    nodeOf[i] = node;
    byKey.set(node.key, node);
    services.set(node.serviceName, (services.get(node.serviceName) ?? 0) + 1);
    if (node.isError) errorCount++;
    if (depth > maxDepth) maxDepth = depth;
    if (node.startTime < startTime) startTime = node.startTime;
    if (node.endTime > endTime) endTime = node.endTime;
    for (let c = to - 1; c >= from; c--) {
      const child = children[c] as number;
      depthOf[child] = depth + 1;
      stack[top++] = child;
    }
  }
  if (nodes.length === 0) startTime = endTime = 0;
  // Depth-first order puts each subtree after its root: summing from the end counts every subtree once
  // (each node starts with its own child count, grandchildren and below are added here).
  for (let k = nodes.length - 1; k >= 0; k--) {
    const i = order[k] as number;
    const p = parent[i] as number;
    if (p >= 0) (nodeOf[p] as SpanNode).descendants += (nodeOf[i] as SpanNode).descendants;
  }

  return {
    traceID: trace.traceID,
    nodes,
    byKey,
    rootKeys: Array.from(roots, (r) => keys[r] as string),
    startTime,
    endTime,
    duration: endTime - startTime,
    services: [...services].map(([name, spanCount]) => ({ name, spanCount })),
    errorCount,
    maxDepth,
  };
}

/** The keys of `key`'s ancestors, nearest first. */
export function ancestorKeys(tree: TraceTree, key: string): string[] {
  const out: string[] = [];
  let cur = tree.byKey.get(key)?.parentKey;
  while (cur !== undefined) {
    out.push(cur);
    cur = tree.byKey.get(cur)?.parentKey;
  }
  return out;
}

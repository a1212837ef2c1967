// The span tree of a Jaeger trace, as the waterfall draws it: spans in depth-first order, children by
// start time, each with its depth, parent and service. Tolerates what real traces hold: parents that
// never arrived, repeated span ids, reference cycles.
import type { Process, Span, Trace } from '@/lib/jaeger/model';
import { parentRef } from '@/lib/jaeger/parent-ref';
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

interface Draft {
  key: string;
  index: number;
  span: Span;
  parent?: Draft;
  refType?: 'CHILD_OF' | 'FOLLOWS_FROM';
  children: Draft[];
  state: 0 | 1 | 2;
}

const byStart = (a: Draft, b: Draft): number => a.span.startTime - b.span.startTime || a.index - b.index;

function uniqueKeys(spans: readonly Span[]): string[] {
  const seen = new Map<string, number>();
  return spans.map((s) => {
    const n = (seen.get(s.spanID) ?? 0) + 1;
    seen.set(s.spanID, n);
    return n === 1 ? s.spanID : `${s.spanID}~${n}`;
  });
}

/** Builds the tree of `trace`. Pure; O(n log n) in the number of spans. */
export function buildSpanTree(trace: Trace): TraceTree {
  const keys = uniqueKeys(trace.spans);
  const drafts: Draft[] = trace.spans.map((span, index) => ({
    key: keys[index] as string,
    index,
    span,
    children: [],
    state: 0,
  }));
  // A reference by span id means the first span that has it.
  const firstById = new Map<string, Draft>();
  for (const d of drafts) if (!firstById.has(d.span.spanID)) firstById.set(d.span.spanID, d);
  const has = (id: string) => firstById.has(id);

  for (const d of drafts) {
    const ref = parentRef(d.span, has);
    const parent = ref === undefined ? undefined : firstById.get(ref.spanID);
    if (ref !== undefined && parent !== undefined && parent !== d) {
      d.parent = parent;
      d.refType = ref.refType;
    }
  }
  // Break reference cycles: a span whose ancestor chain comes back to itself becomes a root.
  // (0 unseen, 1 on the chain being walked, 2 done; kept on the drafts, no map of 100,000 keys.)
  const chain: Draft[] = [];
  for (const start of drafts) {
    chain.length = 0;
    let cur: Draft | undefined = start;
    while (cur !== undefined && cur.state === 0) {
      cur.state = 1;
      chain.push(cur);
      cur = cur.parent;
    }
    if (cur !== undefined && cur.state === 1) {
      cur.parent = undefined;
      cur.refType = undefined;
    }
    for (const c of chain) c.state = 2;
  }

  const roots: Draft[] = [];
  for (const d of drafts) {
    if (d.parent) d.parent.children.push(d);
    else roots.push(d);
  }
  roots.sort(byStart);

  const nodes: SpanNode[] = [];
  const byKey = new Map<string, SpanNode>();
  const services = new Map<string, number>();
  let errorCount = 0;
  let maxDepth = 0;
  let startTime = Number.POSITIVE_INFINITY;
  let endTime = Number.NEGATIVE_INFINITY;
  // Iterative depth-first walk: a 2,000-span chain must not overflow the stack.
  const stack: { draft: Draft; depth: number }[] = [];
  for (let i = roots.length - 1; i >= 0; i--) stack.push({ draft: roots[i] as Draft, depth: 0 });
  while (stack.length > 0) {
    const { draft, depth } = stack.pop() as { draft: Draft; depth: number };
    draft.children.sort(byStart);
    const span = draft.span;
    const process = trace.processes[span.processID] ?? { serviceName: span.processID || 'unknown', tags: [] };
    const node: SpanNode = {
      key: draft.key,
      span,
      process,
      serviceName: process.serviceName,
      depth,
      parentKey: draft.parent?.key,
      refType: draft.refType,
      childKeys: draft.children.map((c) => c.key),
      descendants: 0,
      startTime: span.startTime,
      endTime: span.startTime + Math.max(0, span.duration),
      isError: isErrorSpan(span),
    };
    nodes.push(node);
    byKey.set(node.key, node);
    services.set(node.serviceName, (services.get(node.serviceName) ?? 0) + 1);
    if (node.isError) errorCount++;
    if (depth > maxDepth) maxDepth = depth;
    if (node.startTime < startTime) startTime = node.startTime;
    if (node.endTime > endTime) endTime = node.endTime;
    for (let i = draft.children.length - 1; i >= 0; i--) {
      stack.push({ draft: draft.children[i] as Draft, depth: depth + 1 });
    }
  }
  if (nodes.length === 0) startTime = endTime = 0;
  // Depth-first order puts each subtree after its root: summing from the end counts every subtree once.
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i] as SpanNode;
    const parent = node.parentKey === undefined ? undefined : byKey.get(node.parentKey);
    if (parent) parent.descendants += node.descendants + 1;
  }

  return {
    traceID: trace.traceID,
    nodes,
    byKey,
    rootKeys: roots.map((r) => r.key),
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

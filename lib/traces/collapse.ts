// Which rows of the waterfall are visible given the collapsed spans: pure set operations on span keys.
import { ancestorKeys, type SpanNode, type TraceTree } from './span-tree';

export type Collapsed = ReadonlySet<string>;

/** The nodes to draw, in order: every node whose ancestors are all expanded. O(n). */
export function visibleNodes(tree: TraceTree, collapsed: Collapsed): SpanNode[] {
  if (collapsed.size === 0) return tree.nodes;
  const out: SpanNode[] = [];
  // Depth-first order: a collapsed node's descendants are the run of deeper nodes right after it.
  let hideDeeperThan = Number.POSITIVE_INFINITY;
  for (const node of tree.nodes) {
    if (node.depth > hideDeeperThan) continue;
    hideDeeperThan = Number.POSITIVE_INFINITY;
    out.push(node);
    if (collapsed.has(node.key) && node.childKeys.length > 0) hideDeeperThan = node.depth;
  }
  return out;
}

/** Collapses `key` when expanded, expands it when collapsed. */
export function toggleCollapsed(collapsed: Collapsed, key: string): Set<string> {
  const next = new Set(collapsed);
  if (next.has(key)) next.delete(key);
  else next.add(key);
  return next;
}

/** Every span with children collapsed: only the roots remain visible. */
export function collapseAll(tree: TraceTree): Set<string> {
  return new Set(tree.nodes.filter((n) => n.childKeys.length > 0).map((n) => n.key));
}

/** Shows the tree down to `depth` (0: roots only), collapsing the spans at that depth. */
export function collapseToDepth(tree: TraceTree, depth: number): Set<string> {
  return new Set(tree.nodes.filter((n) => n.childKeys.length > 0 && n.depth >= depth).map((n) => n.key));
}

/** Expands the ancestors of `key` so that it is visible (e.g. the span a link or a search points at). */
export function reveal(tree: TraceTree, collapsed: Collapsed, key: string): Set<string> {
  const next = new Set(collapsed);
  for (const a of ancestorKeys(tree, key)) next.delete(a);
  return next;
}

/** How many descendants a node has (shown on a collapsed row). */
export function descendantCount(tree: TraceTree, key: string): number {
  return tree.byKey.get(key)?.descendants ?? 0;
}

/** Above this many spans a trace opens collapsed below `DEFAULT_OPEN_DEPTH` (flag: `?expand=all`). */
export const COLLAPSE_ABOVE_SPANS = 2_000;
/** How deep a big trace opens: the root and this many levels below it. */
export const DEFAULT_OPEN_DEPTH = 3;
/** Below the root, a span with more children than this opens collapsed in a big trace, whatever its depth. */
export const COLLAPSE_ABOVE_CHILDREN = 50;

/** The spans collapsed when a trace opens: none for a small trace; for a big one, below a depth and wide fans. */
export function defaultCollapsed(
  tree: TraceTree,
  limits = {
    aboveSpans: COLLAPSE_ABOVE_SPANS,
    depth: DEFAULT_OPEN_DEPTH,
    aboveChildren: COLLAPSE_ABOVE_CHILDREN,
  },
): Set<string> {
  if (tree.nodes.length <= limits.aboveSpans) return new Set();
  const out = new Set<string>();
  for (const n of tree.nodes) {
    if (n.childKeys.length === 0) continue;
    // The roots stay open, whatever their fan: a trace opened to its root alone shows nothing.
    if (n.depth >= limits.depth || (n.depth > 0 && n.childKeys.length > limits.aboveChildren)) out.add(n.key);
  }
  return out;
}

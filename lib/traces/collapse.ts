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
  const start = tree.nodes.findIndex((n) => n.key === key);
  if (start < 0) return 0;
  const depth = (tree.nodes[start] as SpanNode).depth;
  let i = start + 1;
  while (i < tree.nodes.length && (tree.nodes[i] as SpanNode).depth > depth) i++;
  return i - start - 1;
}

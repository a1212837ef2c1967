// How a trace's waterfall opens: the span selected, the spans folded and the rows of the first screen.
// One reckoning for the timeline in the tab and for the server's preview of a big trace, so the rows the
// server draws are the rows the tab then draws in their place.
import { defaultCollapsed, reveal, visibleNodes } from './collapse';
import type { SpanNode, TraceTree } from './span-tree';

/** Rows the server's preview draws: a tall window's worth (28 px rows). */
export const FIRST_SCREEN_ROWS = 40;

/** The span selected when the trace opens: the one asked for, else the deepest error, else the first. */
export function initialSelection(tree: TraceTree, spanId?: string): string | undefined {
  const wanted = spanId === undefined ? undefined : tree.nodes.find((n) => n.span.spanID === spanId);
  if (wanted) return wanted.key;
  // Without a span asked for, open on the deepest error: usually where the request failed.
  let deepest: SpanNode | undefined;
  for (const n of tree.nodes) if (n.isError && (!deepest || n.depth > deepest.depth)) deepest = n;
  return (deepest ?? tree.nodes[0])?.key;
}

/** The spans folded when the trace opens (a big trace below a depth), the selected span unfolded. */
export function initialCollapsed(tree: TraceTree, selectedKey: string | undefined): Set<string> {
  const folded = defaultCollapsed(tree);
  return selectedKey === undefined || folded.size === 0 ? folded : reveal(tree, folded, selectedKey);
}

export interface FirstScreen {
  selectedKey?: string;
  collapsed: ReadonlySet<string>;
  /** The rows in view: the top of the list, or a window that ends at the selected row when it is lower. */
  rows: SpanNode[];
  /** Rows visible in the whole (folded) tree. */
  visibleCount: number;
}

export function firstScreen(tree: TraceTree, spanId?: string, rowCount = FIRST_SCREEN_ROWS): FirstScreen {
  const selectedKey = initialSelection(tree, spanId);
  const collapsed = initialCollapsed(tree, selectedKey);
  const visible = visibleNodes(tree, collapsed);
  const at = selectedKey === undefined ? -1 : visible.findIndex((n) => n.key === selectedKey);
  // As the waterfall reveals the selected row: scrolled just enough to bring it to the bottom.
  const start = at < rowCount ? 0 : at - rowCount + 1;
  return {
    selectedKey,
    collapsed,
    rows: visible.slice(start, start + rowCount),
    visibleCount: visible.length,
  };
}

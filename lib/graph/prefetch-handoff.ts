// A graph the page built for its first request, too large to hand to the browser inside the page (React's
// payload of a 15,000-node graph costs the page seconds and the server gigabytes): kept here for a few
// seconds so the browser's own request for it is answered at once, streamed, instead of built again.

import type { Graph } from './types';

/** How long a handed-off graph waits for the browser's request. */
export const HANDOFF_TTL_MS = 15_000;
/** Most graphs waiting at once (one per page being opened). */
export const MAX_HANDOFFS = 4;

interface Waiting {
  graph: Graph;
  at: number;
}

// On globalThis: the page and the route handler may be bundled apart, each with its own module copy.
const KEY = Symbol.for('meshlens.graph.prefetchHandoff');
function store(): Map<string, Waiting> {
  const g = globalThis as unknown as Record<symbol, Map<string, Waiting> | undefined>;
  let s = g[KEY];
  if (!s) {
    s = new Map();
    g[KEY] = s;
  }
  return s;
}

/** Leaves `graph` for the request whose query string is `search` (`graphSearch`'s output). */
export function offerGraph(search: string, graph: Graph, now = Date.now()): void {
  const s = store();
  for (const [k, w] of s) if (now - w.at > HANDOFF_TTL_MS) s.delete(k);
  s.delete(search);
  while (s.size >= MAX_HANDOFFS) s.delete(s.keys().next().value as string);
  s.set(search, { graph, at: now });
}

/** The graph left for this query string, once; undefined when none is waiting or it is too old. */
export function takeGraph(search: string, now = Date.now()): Graph | undefined {
  const s = store();
  const w = s.get(search);
  if (!w) return undefined;
  s.delete(search);
  return now - w.at <= HANDOFF_TTL_MS ? w.graph : undefined;
}

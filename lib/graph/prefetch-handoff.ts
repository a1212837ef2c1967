// A graph the page built for its first request, too large to hand to the browser inside the page (React's
// payload of a 15,000-node graph costs the page seconds and the server gigabytes): kept here for a few
// seconds so the browser's own request for it is answered at once, streamed, instead of built again. It
// may be offered while it is still being built (a promise): the browser's request, sent as soon as the
// page's head asks for it, then waits for that build instead of starting its own.

import type { Graph } from './types';

/** How long a handed-off graph waits for the browser's request (from when it was built). */
export const HANDOFF_TTL_MS = 15_000;
/** Most graphs waiting at once (one per page being opened). */
export const MAX_HANDOFFS = 4;

interface Waiting {
  graph: Graph | Promise<Graph>;
  /** When it was offered, then when its build ended. */
  at: number;
  /** Still being built: not forgotten for its age (a build ends, by its reads' timeouts). */
  pending: boolean;
}

const expired = (w: Waiting, now: number) => !w.pending && now - w.at > HANDOFF_TTL_MS;

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

/**
 * Leaves `graph` for the request whose query string is `search` (`graphSearch`'s output). A graph still
 * being built is given as its promise; one that fails is withdrawn (the request then builds its own).
 */
export function offerGraph(search: string, graph: Graph | Promise<Graph>, now = Date.now()): void {
  const s = store();
  for (const [k, w] of s) if (expired(w, now)) s.delete(k);
  s.delete(search);
  while (s.size >= MAX_HANDOFFS) s.delete(s.keys().next().value as string);
  const waiting: Waiting = { graph, at: now, pending: graph instanceof Promise };
  s.set(search, waiting);
  if (graph instanceof Promise) {
    graph.then(
      () => {
        waiting.at = Date.now();
        waiting.pending = false;
      },
      () => {
        if (s.get(search) === waiting) s.delete(search);
      },
    );
  }
}

/**
 * The graph left for this query string, once (a promise while it is being built); undefined when none is
 * waiting or it is too old.
 */
export function takeGraph(search: string, now = Date.now()): Graph | Promise<Graph> | undefined {
  const s = store();
  const w = s.get(search);
  if (!w) return undefined;
  s.delete(search);
  return expired(w, now) ? undefined : w.graph;
}

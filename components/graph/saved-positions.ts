// Node positions a user dragged, kept per graph view (graph type and namespaces) in localStorage, so a
// hand-made arrangement survives refreshes and reloads (kiali-ui#1896). Pinned nodes keep their place when
// the layout runs again; new nodes go where the layout puts them.

export type Positions = Record<string, { x: number; y: number }>;

/** Most positions kept for one view: past it the oldest drags are dropped (a bounded store). */
export const MAX_SAVED_POSITIONS = 10_000;
const PREFIX = 'meshlens.graph.positions.v1:';

/** The storage key of a graph view. */
export function positionsKey(view: { graphType: string; namespaces: readonly string[] }): string {
  return `${PREFIX}${view.graphType}|${[...view.namespaces].sort().join(',')}`;
}

/** The saved positions of a view; anything unreadable counts as none (it is only a convenience). */
export function loadPositions(storage: Pick<Storage, 'getItem'> | undefined, key: string): Positions {
  let raw: string | null = null;
  try {
    raw = storage?.getItem(key) ?? null;
  } catch {
    return {};
  }
  if (!raw) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    const out: Positions = {};
    if (typeof parsed !== 'object' || parsed === null) return {};
    for (const [id, p] of Object.entries(parsed as Record<string, unknown>)) {
      const { x, y } = (p ?? {}) as { x?: unknown; y?: unknown };
      if (typeof x === 'number' && typeof y === 'number' && Number.isFinite(x) && Number.isFinite(y))
        out[id] = { x, y };
    }
    return out;
  } catch {
    return {};
  }
}

/** Adds or moves one node's position (the latest last); keeps at most MAX_SAVED_POSITIONS. */
export function withPosition(
  saved: Positions,
  id: string,
  p: { x: number; y: number },
  max = MAX_SAVED_POSITIONS,
): Positions {
  const { [id]: _old, ...rest } = saved;
  const entries = Object.entries(rest);
  const kept = entries.length >= max ? entries.slice(entries.length - max + 1) : entries;
  return { ...Object.fromEntries(kept), [id]: { x: Math.round(p.x), y: Math.round(p.y) } };
}

export function storePositions(
  storage: Pick<Storage, 'setItem' | 'removeItem'> | undefined,
  key: string,
  p: Positions,
): void {
  try {
    if (Object.keys(p).length === 0) storage?.removeItem(key);
    else storage?.setItem(key, JSON.stringify(p));
  } catch {
    // Storage full or refused (private mode): the arrangement lasts until the page is left.
  }
}

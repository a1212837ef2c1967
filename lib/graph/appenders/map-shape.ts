// A traffic map's shape — its nodes' specs and its edges' ids, in its order — which a polled map of the same walk
// plan (the same series drawn by the same routes, `traffic-map.ts`) has again: what the last appenders derive from
// the shape alone (`badges.ts`, `egress.ts`) is kept with it, not worked out from every node and edge each poll.
// Only the specs and ids are checked: what else is kept with a shape (a node's services, an edge's response flags)
// must follow from the plan's series, which a map shares its routes array with (never from a rate).
import type { NodeSpec } from '../nodes';
import type { TrafficMap } from '../traffic-map';

export interface MapShape {
  specs: readonly NodeSpec[];
  edgeIds: readonly string[];
}

/** The shape of the last map of each walk plan, by the plan's routes array (shared by its maps). */
const byRoutes = new WeakMap<readonly unknown[], MapShape>();
/** Each map's, found once for its appenders (none adds or moves an element). */
const ofMap = new WeakMap<TrafficMap, MapShape>();

/**
 * The map's shape: the one kept for its plan when every element is at its place (the same spec object, the same
 * id), else its own, kept for the next.
 */
export function shapeOf(map: TrafficMap): MapShape {
  const known = ofMap.get(map);
  if (known && known.specs.length === map.nodes.size && known.edgeIds.length === map.edges.size) return known;
  const kept = byRoutes.get(map.routes);
  const shape = kept && sameShape(kept, map) ? kept : newShape(map);
  byRoutes.set(map.routes, shape);
  ofMap.set(map, shape);
  return shape;
}

function sameShape(s: MapShape, map: TrafficMap): boolean {
  if (s.specs.length !== map.nodes.size || s.edgeIds.length !== map.edges.size) return false;
  let i = 0;
  for (const n of map.nodes.values()) if (n.spec !== s.specs[i++]) return false;
  i = 0;
  for (const e of map.edges.values()) if (e.id !== s.edgeIds[i++]) return false;
  return true;
}

function newShape(map: TrafficMap): MapShape {
  const specs: NodeSpec[] = [];
  const edgeIds: string[] = [];
  for (const n of map.nodes.values()) specs.push(n.spec);
  for (const e of map.edges.values()) edgeIds.push(e.id);
  return { specs, edgeIds };
}

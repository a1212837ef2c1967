// App boxes, as Kiali draws them in a versioned-app graph: a compound node per app holding its versions,
// and the app's service node when it is drawn next to them.
import type { NodeSpec } from '../nodes';
import { type TrafficMap, type TrafficNode, walkOf } from '../traffic-map';

type Box = NonNullable<NodeSpec['box']>;

/**
 * Per walk program (the same nodes in the same order: `walkOf`): the boxes in the order met and each node's parent
 * by its place, worked out once for every walk of it (the nodes' specs are the program's).
 */
interface Placed {
  boxes: Box[];
  parents: (string | undefined)[];
}
const placedBy = new WeakMap<object, Placed>();

export function appendBoxes(map: TrafficMap): void {
  const walk = walkOf(map);
  if (walk === undefined || walk.nodes.length !== map.nodes.size) {
    boxNodes(map, map.nodes.values());
    return;
  }
  let placed = placedBy.get(walk.program);
  if (placed === undefined) {
    boxNodes(map, walk.nodes);
    placed = { boxes: [...map.boxes.values()], parents: walk.nodes.map((n) => n.parent) };
    placedBy.set(walk.program, placed);
    return;
  }
  for (const box of placed.boxes) map.boxes.set(box.id, box);
  const { parents } = placed;
  for (let n = 0; n < parents.length; n++) {
    const parent = parents[n];
    if (parent !== undefined) (walk.nodes[n] as TrafficNode).parent = parent;
  }
}

function boxNodes(map: TrafficMap, nodes: Iterable<TrafficNode>): void {
  for (const n of nodes) {
    const box = n.spec.box;
    if (!box) continue;
    if (!map.boxes.has(box.id)) map.boxes.set(box.id, box);
    n.parent = box.id;
  }
  if (map.boxes.size === 0) return;
  for (const n of map.nodes.values()) {
    if (n.spec.nodeType !== 'service' || n.isServiceEntry) continue;
    // The box's own id (kept with its route, `internedSpec`), not this build's copy of it.
    const box = map.boxes.get(`box:${n.spec.namespace}:${n.spec.service}`);
    if (box) n.parent = box.id;
  }
}

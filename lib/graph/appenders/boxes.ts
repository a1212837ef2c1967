// App boxes, as Kiali draws them in a versioned-app graph: a compound node per app holding its versions,
// and the app's service node when it is drawn next to them.
import type { TrafficMap } from '../traffic-map';

export function appendBoxes(map: TrafficMap): void {
  for (const n of map.nodes.values()) {
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

// A layered layout for large graphs in linear time: layers by breadth-first depth from the roots (callers
// nobody calls; cycles entered at their first node), each layer ordered by where its callers sit (one
// barycentre pass, fewer crossings), left to right like the ELK layout, and tall layers wrapped into
// several columns so the whole graph keeps a readable aspect. Pure: ids and edges in, positions out.

export interface Position {
  x: number;
  y: number;
}

export interface LayeredOptions {
  /** Gap between layers, px. */
  layerGap?: number;
  /** Gap between nodes of a layer, px. */
  nodeGap?: number;
  /** Gap between the columns a tall layer wraps into, px: room for a label (`app-0438 v1`) beside its neighbour's. */
  columnGap?: number;
}

export function layeredPositions(
  nodeIds: readonly string[],
  edges: readonly { source: string; target: string }[],
  options: LayeredOptions = {},
): Map<string, Position> {
  const layerGap = options.layerGap ?? 220;
  const nodeGap = options.nodeGap ?? 60;
  const columnGap = options.columnGap ?? Math.max(nodeGap, 100);
  // Nodes by index (arrays, not maps keyed by id: this runs on 10,000 nodes before the first frame).
  const n = nodeIds.length;
  const index = new Map(nodeIds.map((id, i) => [id, i]));
  const out: number[][] = Array.from({ length: n }, () => []);
  const inDegree = new Int32Array(n);
  for (const e of edges) {
    const s = index.get(e.source);
    const t = index.get(e.target);
    if (t === undefined || s === undefined || e.source === e.target) continue;
    (out[s] as number[]).push(t);
    inDegree[t] = (inDegree[t] as number) + 1;
  }

  // Breadth-first depth from the roots; whatever is left (cycles without a root) from its first node.
  const depth = new Int32Array(n).fill(-1);
  const order: number[] = [];
  const visit = (starts: number[]) => {
    const queue = starts.filter((i) => depth[i] === -1);
    for (const i of queue) depth[i] = 0;
    for (let head = 0; head < queue.length; head++) {
      const i = queue[head] as number;
      order.push(i);
      for (const t of out[i] as number[]) {
        if (depth[t] !== -1) continue;
        depth[t] = (depth[i] as number) + 1;
        queue.push(t);
      }
    }
  };
  const roots: number[] = [];
  for (let i = 0; i < n; i++) if (inDegree[i] === 0) roots.push(i);
  visit(roots);
  for (let i = 0; i < n; i++) if (depth[i] === -1) visit([i]);

  // Layers in visiting order, then each ordered by the mean rank of its callers in the layer before.
  const layers: number[][] = [];
  for (const i of order) {
    const d = depth[i] as number;
    const layer = layers[d];
    if (layer) layer.push(i);
    else layers[d] = [i];
  }
  // Callers' ranks summed in the order they are met (the same mean as summing the list of them).
  const rankSum = new Float64Array(n);
  const rankCount = new Int32Array(n);
  const keys = new Float64Array(n);
  for (const layer of layers) {
    for (const i of layer) {
      const c = rankCount[i] as number;
      keys[i] = c > 0 ? (rankSum[i] as number) / c : Number.POSITIVE_INFINITY;
    }
    layer.sort((a, b) => (keys[a] as number) - (keys[b] as number) || a - b);
    layer.forEach((i, r) => {
      for (const t of out[i] as number[]) {
        rankSum[t] = (rankSum[t] as number) + r;
        rankCount[t] = (rankCount[t] as number) + 1;
      }
    });
  }

  // Tall layers wrap into columns: at most ~1.5·√n nodes a column.
  const maxRows = Math.max(10, Math.ceil(1.5 * Math.sqrt(n)));
  const positions = new Map<string, Position>();
  let x = 0;
  for (const layer of layers) {
    const columns = Math.ceil(layer.length / maxRows);
    const rows = Math.ceil(layer.length / columns);
    layer.forEach((i, r) => {
      const column = Math.floor(r / rows);
      const row = r % rows;
      positions.set(nodeIds[i] as string, { x: x + column * columnGap, y: (row - (rows - 1) / 2) * nodeGap });
    });
    x += (columns - 1) * columnGap + layerGap;
  }
  return positions;
}

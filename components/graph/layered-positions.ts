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
  const out = new Map<string, number[]>();
  const inDegree = new Map<string, number>();
  for (const id of nodeIds) {
    out.set(id, []);
    inDegree.set(id, 0);
  }
  const index = new Map(nodeIds.map((id, i) => [id, i]));
  for (const e of edges) {
    const t = index.get(e.target);
    const from = out.get(e.source);
    if (t === undefined || from === undefined || e.source === e.target) continue;
    from.push(t);
    inDegree.set(e.target, (inDegree.get(e.target) ?? 0) + 1);
  }

  // Breadth-first depth from the roots; whatever is left (cycles without a root) from its first node.
  const depth = new Array<number>(nodeIds.length).fill(-1);
  const order: number[] = [];
  const visit = (starts: number[]) => {
    const queue = starts.filter((i) => depth[i] === -1);
    for (const i of queue) depth[i] = 0;
    for (let head = 0; head < queue.length; head++) {
      const i = queue[head] as number;
      order.push(i);
      for (const t of out.get(nodeIds[i] as string) ?? []) {
        if (depth[t] !== -1) continue;
        depth[t] = (depth[i] as number) + 1;
        queue.push(t);
      }
    }
  };
  visit(nodeIds.flatMap((id, i) => (inDegree.get(id) === 0 ? [i] : [])));
  for (let i = 0; i < nodeIds.length; i++) if (depth[i] === -1) visit([i]);

  // Layers in visiting order, then each ordered by the mean rank of its callers in the layer before.
  const layers: number[][] = [];
  for (const i of order) {
    const d = depth[i] as number;
    const layer = layers[d];
    if (layer) layer.push(i);
    else layers[d] = [i];
  }
  const callerRanks = new Map<number, number[]>();
  for (const layer of layers) {
    const key = (i: number) => {
      const r = callerRanks.get(i);
      return r && r.length > 0 ? r.reduce((a, b) => a + b, 0) / r.length : Number.POSITIVE_INFINITY;
    };
    const keys = new Map(layer.map((i) => [i, key(i)]));
    layer.sort((a, b) => (keys.get(a) as number) - (keys.get(b) as number) || a - b);
    layer.forEach((i, r) => {
      for (const t of out.get(nodeIds[i] as string) ?? []) {
        const list = callerRanks.get(t);
        if (list) list.push(r);
        else callerRanks.set(t, [r]);
      }
    });
  }

  // Tall layers wrap into columns: at most ~1.5·√n nodes a column.
  const maxRows = Math.max(10, Math.ceil(1.5 * Math.sqrt(nodeIds.length)));
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

// Layout options: layered (ELK, left to right, compound-aware) by default, force-directed (fCoSE).
import type { LayoutOptions } from 'cytoscape';
import { layeredPositions, type Position } from './layered-positions';

export type LayoutName = 'layered' | 'force';

/**
 * Past this many nodes the graph is drawn without app boxes and laid out by our own linear-time layered
 * layout (`layered-positions.ts`, placed as a preset) or a draft-quality force layout: ELK and full fCoSE
 * take tens of seconds on the main thread there, cytoscape's breadth-first half a second (Grafana's node
 * graph likewise drops its layered layout past 500 nodes).
 */
export const LARGE_GRAPH_NODES = 500;

export function layoutOptions(name: LayoutName, firstRun: boolean, nodeCount = 0): LayoutOptions {
  const large = nodeCount > LARGE_GRAPH_NODES;
  if (name === 'force') {
    return {
      name: 'fcose',
      quality: large ? 'draft' : 'default',
      // After the first run, start from the current positions so nodes stay where they were.
      randomize: firstRun,
      animate: false,
      fit: firstRun,
      padding: 30,
      nodeDimensionsIncludeLabels: true,
      idealEdgeLength: 110,
      nodeSeparation: 90,
    } as LayoutOptions;
  }
  return {
    name: 'elk',
    fit: firstRun,
    padding: 30,
    animate: false,
    nodeDimensionsIncludeLabels: true,
    elk: {
      algorithm: 'layered',
      'elk.direction': 'RIGHT',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.layered.spacing.nodeNodeBetweenLayers': 90,
      'elk.spacing.nodeNode': 45,
    },
  } as LayoutOptions;
}

/** The large-graph layered layout: positions computed at once, placed as a preset. */
export function largeLayeredLayout(
  nodeIds: readonly string[],
  edges: readonly { source: string; target: string }[],
  firstRun: boolean,
  viewportSize?: { width: number; height: number },
  /** Positions already computed for exactly these nodes and edges (the preview's). */
  computed?: ReadonlyMap<string, Position>,
): LayoutOptions {
  const positions = computed ?? layeredPositions(nodeIds, edges);
  // Fitting from the positions we computed, not with cytoscape's `fit`: that measures every element's
  // rendered bounding box (labels, edges), over half a second at a few thousand elements.
  const view = firstRun && viewportSize ? viewportFor(positions.values(), viewportSize) : undefined;
  return {
    name: 'preset',
    positions: Object.fromEntries(positions),
    fit: firstRun && view === undefined,
    ...(view ? { zoom: view.zoom, pan: view.pan } : {}),
    padding: 30,
    animate: false,
  } as LayoutOptions;
}

export interface Viewport {
  zoom: number;
  pan: { x: number; y: number };
}

/**
 * The zoom and pan that show every position in a viewport of `size`, `padding` pixels from its edges;
 * `margin` model units are kept around the positions for the nodes' own size. Zoom within [minZoom, maxZoom].
 * Undefined for no positions or an empty viewport.
 */
export function viewportFor(
  positions: Iterable<{ x: number; y: number }>,
  size: { width: number; height: number },
  { padding = 30, margin = 40, minZoom = 0.05, maxZoom = 1.5 } = {},
): Viewport | undefined {
  let x1 = Number.POSITIVE_INFINITY;
  let y1 = Number.POSITIVE_INFINITY;
  let x2 = Number.NEGATIVE_INFINITY;
  let y2 = Number.NEGATIVE_INFINITY;
  for (const p of positions) {
    if (p.x < x1) x1 = p.x;
    if (p.x > x2) x2 = p.x;
    if (p.y < y1) y1 = p.y;
    if (p.y > y2) y2 = p.y;
  }
  const w = size.width - 2 * padding;
  const h = size.height - 2 * padding;
  if (!Number.isFinite(x1) || w <= 0 || h <= 0) return undefined;
  x1 -= margin;
  y1 -= margin;
  x2 += margin;
  y2 += margin;
  const zoom = Math.min(maxZoom, Math.max(minZoom, Math.min(w / (x2 - x1), h / (y2 - y1))));
  return {
    zoom,
    pan: { x: size.width / 2 - zoom * ((x1 + x2) / 2), y: size.height / 2 - zoom * ((y1 + y2) / 2) },
  };
}

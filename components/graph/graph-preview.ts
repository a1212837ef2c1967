// The preview of a very large graph: every node and edge painted at its layout position on a plain 2D
// canvas, in the colours cytoscape's stylesheet gives them, while cytoscape adds the elements and draws its
// own first frame (seconds at 10,000 nodes in software rendering). Progressive rendering, as large-graph
// tools do: the whole graph is seen first, interaction comes when cytoscape's canvas replaces this one.
import type { ElementDefinition } from 'cytoscape';
import { HEALTH_COLOURS, TCP_COLOUR } from './cy-style';
import type { Position } from './layered-positions';
import type { Viewport } from './layouts';

/**
 * From this many nodes the page paints the preview first. Below it cytoscape's own first frame comes
 * soon enough (~1 s at 2,000 nodes) that a second painter is not worth its frame.
 */
export const PREVIEW_MIN_NODES = 3000;

/**
 * Most nodes in one path. Chromium's canvas fills and strokes one path of ~9,000 small circles (a
 * 5,000-workload graph's healthy nodes) in ~80 ms, the same circles in paths of 256 in ~10 ms: the preview's
 * paint and its frame 214 -> 131 ms (medians of 7, software rendering). The pixels are the same (compared at
 * 5,000 workloads, light and dark, pixel ratio 1 and 2, with a focus): the layered layout's nodes never
 * overlap (60 px apart for 30 px nodes), so no path's fill covers another's border.
 */
export const NODE_PATH_MAX = 256;

/** Node size and border in model units, as in `graphStyle` (30 px nodes, 3 px borders). */
const NODE_SIZE = 30;
const BORDER = 3;

type Shape = 'ellipse' | 'rectangle' | 'triangle' | 'diamond';

/** The part of a 2D context the painter uses (a fake in unit tests). */
export type PreviewContext = Pick<
  CanvasRenderingContext2D,
  | 'beginPath'
  | 'moveTo'
  | 'lineTo'
  | 'arc'
  | 'rect'
  | 'closePath'
  | 'fill'
  | 'stroke'
  | 'fillRect'
  | 'setLineDash'
  | 'setTransform'
  | 'fillStyle'
  | 'strokeStyle'
  | 'lineWidth'
  | 'globalAlpha'
>;

export interface PreviewTheme {
  dark: boolean;
  /** The canvas' background (the container's, so cytoscape's canvas below does not show through). */
  background: string;
}

/** An element's classes, tested by name without allocating (30,000 elements are tested before the frame). */
class Classes {
  private readonly list: string;
  constructor(classes: ElementDefinition['classes']) {
    this.list = typeof classes === 'string' ? classes : (classes ?? []).join(' ');
  }
  has(name: string): boolean {
    const s = this.list;
    for (let i = s.indexOf(name); i !== -1; i = s.indexOf(name, i + 1)) {
      const end = i + name.length;
      if ((i === 0 || s.charCodeAt(i - 1) === 32) && (end === s.length || s.charCodeAt(end) === 32))
        return true;
    }
    return false;
  }
}

const HEALTH_CLASSES = (['failure', 'degraded', 'healthy', 'idle'] as const).map(
  (h) => [h, `health-${h}`] as const,
);

function healthOf(classes: { has(name: string): boolean }): keyof typeof HEALTH_COLOURS {
  for (const [h, name] of HEALTH_CLASSES) if (classes.has(name)) return h;
  return 'idle';
}

/** The stylesheet's node shape for the preview (shapes it has no path for drawn as the nearest one). */
function shapeOf(classes: Classes): Shape {
  if (classes.has('egressgateway')) return 'ellipse';
  if (classes.has('serviceentry')) return 'diamond';
  if (classes.has('app')) return 'rectangle';
  if (classes.has('service')) return 'triangle';
  return 'ellipse';
}

/** Edge colour as the stylesheet gives it: TCP blue, else by health (healthy lighter in the dark theme). */
export function edgeColour(classes: { has(name: string): boolean }, dark: boolean): string {
  if (classes.has('tcp')) return TCP_COLOUR;
  const h = healthOf(classes);
  if (h === 'healthy') return dark ? '#4ade80' : '#16a34a';
  return HEALTH_COLOURS[h];
}

/** Opacity as the stylesheet gives it: dimmed outside a focus, faint outside the mesh. */
function alphaOf(classes: Classes): number {
  if (classes.has('dimmed')) return 0.12;
  if (classes.has('outside')) return 0.75;
  return 1;
}

function shapePath(ctx: PreviewContext, shape: Shape, x: number, y: number, r: number): void {
  if (shape === 'rectangle') ctx.rect(x - r, y - r, 2 * r, 2 * r);
  else if (shape === 'triangle') {
    ctx.moveTo(x, y - r);
    ctx.lineTo(x + r, y + r);
    ctx.lineTo(x - r, y + r);
    ctx.closePath();
  } else if (shape === 'diamond') {
    ctx.moveTo(x, y - r);
    ctx.lineTo(x + r, y);
    ctx.lineTo(x, y + r);
    ctx.lineTo(x - r, y);
    ctx.closePath();
  } else {
    ctx.moveTo(x + r, y);
    ctx.arc(x, y, r, 0, 2 * Math.PI);
  }
}

/**
 * Paints `elements` at `positions` seen through `view` (cytoscape's zoom and pan: screen = model × zoom +
 * pan) on a canvas of `size` CSS pixels at `pixelRatio`. Edges first, then nodes, each batched into one path
 * per colour, width and opacity (nodes in paths of at most `NODE_PATH_MAX`): some tens of fills and strokes
 * for 30,000 elements. Answers how many nodes
 * and edges it painted (those without a position are left out).
 */
export function paintPreview(
  ctx: PreviewContext,
  elements: readonly ElementDefinition[],
  positions: ReadonlyMap<string, Position>,
  view: Viewport,
  size: { width: number; height: number },
  theme: PreviewTheme,
  pixelRatio = 1,
): { nodes: number; edges: number } {
  const { zoom, pan } = view;
  ctx.setTransform(pixelRatio, 0, 0, pixelRatio, 0, 0);
  ctx.globalAlpha = 1;
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, size.width, size.height);
  const sx = (p: Position) => p.x * zoom + pan.x;
  const sy = (p: Position) => p.y * zoom + pan.y;

  // Edges: one path per colour, width (to a tenth of a pixel), dash and opacity.
  const edgeGroups = new Map<
    string,
    { colour: string; width: number; dash: boolean; alpha: number; lines: number[] }
  >();
  let edges = 0;
  for (const def of elements) {
    if (def.group !== 'edges') continue;
    const s = positions.get(def.data.source as string);
    const t = positions.get(def.data.target as string);
    if (!s || !t) continue;
    const classes = new Classes(def.classes);
    const colour = edgeColour(classes, theme.dark);
    const width = Math.round(((def.data.width as number | undefined) ?? 1) * zoom * 10) / 10;
    const dash = classes.has('tcp') || classes.has('plaintext');
    const alpha = alphaOf(classes);
    const key = `${colour}|${width}|${dash}|${alpha}`;
    let g = edgeGroups.get(key);
    if (!g) {
      g = { colour, width, dash, alpha, lines: [] };
      edgeGroups.set(key, g);
    }
    g.lines.push(sx(s), sy(s), sx(t), sy(t));
    edges++;
  }
  for (const g of edgeGroups.values()) {
    ctx.beginPath();
    for (let i = 0; i < g.lines.length; i += 4) {
      ctx.moveTo(g.lines[i] as number, g.lines[i + 1] as number);
      ctx.lineTo(g.lines[i + 2] as number, g.lines[i + 3] as number);
    }
    ctx.strokeStyle = g.colour;
    // Cytoscape draws a line thinner than a pixel as it is (faint); so does the preview.
    ctx.lineWidth = Math.max(g.width, 0.1);
    ctx.globalAlpha = g.alpha;
    ctx.setLineDash(g.dash ? [6 * zoom, 3 * zoom] : []);
    ctx.stroke();
  }
  ctx.setLineDash([]);

  // Nodes: filled with the theme's fill, bordered in their health colour; one path per shape, colour, opacity.
  const r = (NODE_SIZE / 2) * zoom;
  const nodeGroups = new Map<string, { shape: Shape; colour: string; alpha: number; points: number[] }>();
  let nodes = 0;
  for (const def of elements) {
    if (def.group !== 'nodes') continue;
    const p = positions.get(def.data.id as string);
    if (!p) continue;
    const classes = new Classes(def.classes);
    const shape = shapeOf(classes);
    const colour = HEALTH_COLOURS[healthOf(classes)];
    const alpha = alphaOf(classes);
    const key = `${shape}|${colour}|${alpha}`;
    let g = nodeGroups.get(key);
    if (!g) {
      g = { shape, colour, alpha, points: [] };
      nodeGroups.set(key, g);
    }
    g.points.push(sx(p), sy(p));
    nodes++;
  }
  const fill = theme.dark ? '#1e293b' : '#ffffff';
  for (const g of nodeGroups.values()) {
    ctx.globalAlpha = g.alpha;
    ctx.fillStyle = fill;
    ctx.strokeStyle = g.colour;
    ctx.lineWidth = Math.max(BORDER * zoom, 0.5);
    for (let from = 0; from < g.points.length; from += 2 * NODE_PATH_MAX) {
      ctx.beginPath();
      const to = Math.min(g.points.length, from + 2 * NODE_PATH_MAX);
      for (let i = from; i < to; i += 2)
        shapePath(ctx, g.shape, g.points[i] as number, g.points[i + 1] as number, r);
      ctx.fill();
      ctx.stroke();
    }
  }
  ctx.globalAlpha = 1;
  return { nodes, edges };
}

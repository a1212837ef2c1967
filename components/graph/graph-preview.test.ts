import type { ElementDefinition } from 'cytoscape';
import { describe, expect, it } from 'vitest';
import { HEALTH_COLOURS, TCP_COLOUR } from './cy-style';
import { edgeColour, NODE_PATH_MAX, type PreviewContext, paintPreview } from './graph-preview';

/** A 2D context that records what is stroked and filled: each path's segments with its style. */
function recorder() {
  const strokes: { colour: string; width: number; alpha: number; dash: number[]; moves: number[][] }[] = [];
  const fills: { colour: string; alpha: number; shapes: number }[] = [];
  let moves: number[][] = [];
  let shapes = 0;
  let dash: number[] = [];
  const ctx = {
    fillStyle: '',
    strokeStyle: '',
    lineWidth: 1,
    globalAlpha: 1,
    beginPath() {
      moves = [];
      shapes = 0;
    },
    moveTo(x: number, y: number) {
      moves.push([x, y]);
      shapes++;
    },
    lineTo() {},
    arc() {},
    rect() {
      shapes++;
    },
    closePath() {},
    fill() {
      fills.push({ colour: String(ctx.fillStyle), alpha: ctx.globalAlpha, shapes });
    },
    stroke() {
      strokes.push({
        colour: String(ctx.strokeStyle),
        width: ctx.lineWidth,
        alpha: ctx.globalAlpha,
        dash,
        moves,
      });
    },
    fillRect() {},
    setLineDash(d: number[]) {
      dash = d;
    },
    setTransform() {},
  };
  return { ctx: ctx as unknown as PreviewContext, strokes, fills };
}

const node = (id: string, classes: string): ElementDefinition => ({ group: 'nodes', data: { id }, classes });
const edge = (id: string, source: string, target: string, classes: string, width = 2): ElementDefinition => ({
  group: 'edges',
  data: { id, source, target, width },
  classes,
});

describe('paintPreview', () => {
  const positions = new Map([
    ['a', { x: 0, y: 0 }],
    ['b', { x: 100, y: 0 }],
    ['c', { x: 100, y: 50 }],
  ]);
  const view = { zoom: 0.5, pan: { x: 10, y: 20 } };
  const size = { width: 200, height: 100 };
  const theme = { dark: false, background: '#f8fafc' };

  it('paints every node and edge with a position, at their screen positions, edges before nodes', () => {
    const { ctx, strokes, fills } = recorder();
    const painted = paintPreview(
      ctx,
      [
        node('a', 'workload health-healthy'),
        node('b', 'workload health-failure'),
        node('c', 'service health-healthy'),
        edge('a>b', 'a', 'b', 'health-failure'),
        edge('a>c', 'a', 'c', 'health-healthy'),
        edge('a>x', 'a', 'x', 'health-healthy'),
      ],
      positions,
      view,
      size,
      theme,
    );
    expect(painted).toEqual({ nodes: 3, edges: 2 });
    // Edges: one stroke per colour, starting at the source's screen position (model × zoom + pan).
    const failing = strokes.find((s) => s.colour === HEALTH_COLOURS.failure && s.moves.length === 1);
    expect(failing?.moves).toEqual([[10, 20]]);
    expect(failing?.width).toBe(1);
    expect(strokes.find((s) => s.colour === '#16a34a' && s.moves.length === 1)).toBeDefined();
    // Nodes: filled white, bordered by health, grouped by shape and colour (two healthy shapes, one failing).
    expect(fills).toHaveLength(3);
    expect(fills.every((f) => f.colour === '#ffffff')).toBe(true);
    const borders = strokes.slice(2).map((s) => s.colour);
    expect(borders.sort()).toEqual(
      [HEALTH_COLOURS.failure, HEALTH_COLOURS.healthy, HEALTH_COLOURS.healthy].sort(),
    );
  });

  it('batches thousands of elements into a few paths, nodes at most NODE_PATH_MAX a path', () => {
    const { ctx, strokes, fills } = recorder();
    const many = new Map<string, { x: number; y: number }>();
    const elements: ElementDefinition[] = [];
    for (let i = 0; i < 3000; i++) {
      many.set(`n${i}`, { x: i, y: i % 7 });
      elements.push(node(`n${i}`, `workload health-${i % 10 === 0 ? 'failure' : 'healthy'}`));
    }
    for (let i = 1; i < 3000; i++)
      elements.push(edge(`e${i}`, `n${i - 1}`, `n${i}`, 'health-healthy', 1 + (i % 3)));
    expect(paintPreview(ctx, elements, many, view, size, theme)).toEqual({ nodes: 3000, edges: 2999 });
    // Edges: one path per width (three) and colour; nodes: the 2,700 healthy and 300 failing ones in paths
    // of at most NODE_PATH_MAX, each filled then bordered.
    const nodePaths = Math.ceil(2700 / NODE_PATH_MAX) + Math.ceil(300 / NODE_PATH_MAX);
    expect(fills.length).toBe(nodePaths);
    expect(fills.every((f) => f.shapes <= NODE_PATH_MAX)).toBe(true);
    expect(fills.reduce((n, f) => n + f.shapes, 0)).toBe(3000);
    expect(strokes.length - nodePaths).toBeLessThanOrEqual(5);
  });

  it('draws dimmed elements faint, TCP edges blue and dashed, as the stylesheet does', () => {
    const { ctx, strokes } = recorder();
    paintPreview(
      ctx,
      [
        node('a', 'workload health-healthy dimmed'),
        node('b', 'workload health-healthy'),
        edge('t', 'a', 'b', 'tcp'),
      ],
      positions,
      view,
      size,
      theme,
    );
    const tcp = strokes.find((s) => s.colour === TCP_COLOUR);
    expect(tcp?.dash.length).toBe(2);
    expect(strokes.some((s) => s.alpha === 0.12)).toBe(true);
  });
});

describe('edgeColour', () => {
  it('follows the theme for healthy edges and health for the rest', () => {
    expect(edgeColour(new Set(['health-healthy']), true)).toBe('#4ade80');
    expect(edgeColour(new Set(['health-degraded']), false)).toBe(HEALTH_COLOURS.degraded);
    expect(edgeColour(new Set([]), false)).toBe(HEALTH_COLOURS.idle);
  });
});

describe('the preview reads classes by whole name', () => {
  it('does not take serviceentry for service, nor health-healthy for another health', () => {
    const positions = new Map([
      ['a', { x: 0, y: 0 }],
      ['b', { x: 10, y: 0 }],
    ]);
    const shapes: string[] = [];
    const { ctx } = recorder();
    const c = ctx as unknown as { rect(): void; closePath(): void };
    c.rect = () => shapes.push('rect');
    c.closePath = () => shapes.push('closed');
    paintPreview(
      ctx,
      [node('a', 'serviceentry service health-idle'), node('b', 'app health-healthy')],
      positions,
      { zoom: 1, pan: { x: 0, y: 0 } },
      { width: 10, height: 10 },
      { dark: false, background: '#fff' },
    );
    // A diamond (closed path) and a rectangle: neither a triangle nor an ellipse.
    expect(shapes.sort()).toEqual(['closed', 'rect']);
  });
});

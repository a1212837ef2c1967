// Exports of what the canvas shows: PNG (cytoscape's own picture, with the legend drawn beside it), SVG
// (written from the drawn positions, see `graph-svg.ts`) and the graph's data as JSON; each downloaded as a file.
import type { Core } from 'cytoscape';
import type { Graph } from '@/lib/graph/types';
import { graphSvg, legendRows } from './graph-svg';

/** The largest PNG side, in pixels: a 5,000-node graph at full size would be a 100-megapixel image. */
export const MAX_PNG_SIDE = 8000;
const LEGEND_WIDTH = 180;

export function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked after the click has been handled.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export function fileStem(g: Graph): string {
  return `meshlens-graph-${g.graphType}-${new Date(g.timestamp * 1000).toISOString().replace(/[:.]/g, '-')}`;
}

export function exportJson(g: Graph): void {
  download(new Blob([JSON.stringify(g, null, 2)], { type: 'application/json' }), `${fileStem(g)}.json`);
}

export function svgOf(cy: Core, dark: boolean, title: string): string {
  const kinds = ['app', 'workload', 'service', 'serviceentry', 'unknown', 'box'];
  return graphSvg({
    title,
    dark,
    nodes: cy.nodes().map((n) => ({
      id: n.id(),
      label: String(n.data('label') ?? n.id()),
      x: n.position('x'),
      y: n.position('y'),
      size: n.width(),
      kind: n.hasClass('serviceentry') ? 'serviceentry' : (kinds.find((k) => n.hasClass(k)) ?? 'app'),
      colour: String(n.style('border-color')),
      dimmed: n.hasClass('dimmed'),
    })),
    edges: cy.edges().map((e) => ({
      id: e.id(),
      from: e.sourceEndpoint(),
      to: e.targetEndpoint(),
      colour: String(e.style('line-color')),
      width: Number(e.data('width') ?? 1),
      dimmed: e.hasClass('dimmed'),
    })),
  });
}

export function exportSvg(cy: Core, g: Graph, dark: boolean, title: string): void {
  download(new Blob([svgOf(cy, dark, title)], { type: 'image/svg+xml' }), `${fileStem(g)}.svg`);
}

/** The whole graph as cytoscape draws it, the legend drawn in a column on its left. */
export async function exportPng(cy: Core, g: Graph, dark: boolean): Promise<void> {
  const bg = dark ? '#0f172a' : '#f8fafc';
  const picture = await cy.png({
    output: 'blob-promise',
    full: true,
    bg,
    maxWidth: MAX_PNG_SIDE - LEGEND_WIDTH,
    maxHeight: MAX_PNG_SIDE,
  });
  const image = await createImageBitmap(picture);
  const canvas = document.createElement('canvas');
  canvas.width = image.width + LEGEND_WIDTH;
  canvas.height = Math.max(image.height, 140);
  const ctx = canvas.getContext('2d');
  if (!ctx) return download(picture, `${fileStem(g)}.png`);
  ctx.fillStyle = bg;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(image, LEGEND_WIDTH, 0);
  ctx.fillStyle = dark ? '#e2e8f0' : '#0f172a';
  ctx.font = 'bold 13px sans-serif';
  ctx.fillText('Legend', 12, 22);
  ctx.font = '12px sans-serif';
  legendRows().forEach((row, i) => {
    const y = 44 + i * 20;
    ctx.strokeStyle = row.colour;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(18, y - 4, 5, 0, Math.PI * 2);
    ctx.stroke();
    ctx.fillText(row.label, 30, y);
  });
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  download(blob ?? picture, `${fileStem(g)}.png`);
}

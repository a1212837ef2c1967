// The graph as a standalone SVG document, from the positions the canvas drew (cytoscape has no SVG output
// of its own for this renderer): nodes by shape and health colour, edges with arrows, labels, a legend.
// Pure, so the export is tested without a browser.
import { HEALTH_COLOURS } from './cy-style';

export interface SvgNode {
  id: string;
  label: string;
  x: number;
  y: number;
  size: number;
  /** Node kind class (`app`, `workload`, `service`, `serviceentry`, `unknown`, `box`). */
  kind: string;
  colour: string;
  dimmed: boolean;
}

export interface SvgEdge {
  id: string;
  from: { x: number; y: number };
  to: { x: number; y: number };
  colour: string;
  width: number;
  dimmed: boolean;
}

export interface SvgInput {
  nodes: SvgNode[];
  edges: SvgEdge[];
  dark: boolean;
  title: string;
}

const PADDING = 40;
const LEGEND_WIDTH = 170;

export function escapeXml(s: string): string {
  return s.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string,
  );
}

/** The legend's rows: health colours and what they mean (the same words as the page's legend). */
export function legendRows(): { colour: string; label: string }[] {
  return (Object.entries(HEALTH_COLOURS) as [string, string][]).map(([h, colour]) => ({
    colour,
    label: h === 'failure' ? 'failing' : h === 'idle' ? 'no traffic' : h,
  }));
}

function shape(n: SvgNode, fill: string): string {
  const r = n.size / 2;
  const common = `fill="${fill}" stroke="${escapeXml(n.colour)}" stroke-width="3"`;
  const { x, y } = n;
  const pts = (p: [number, number][]) =>
    p.map(([a, b]) => `${(x + a * r).toFixed(1)},${(y + b * r).toFixed(1)}`).join(' ');
  switch (n.kind) {
    case 'workload':
      return `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${r.toFixed(1)}" ${common}/>`;
    case 'service':
      return `<polygon points="${pts([
        [0, -1],
        [1, 1],
        [-1, 1],
      ])}" ${common}/>`;
    case 'serviceentry':
      return `<polygon points="${pts([
        [0, -1],
        [1, 0],
        [0, 1],
        [-1, 0],
      ])}" ${common}/>`;
    case 'unknown':
      return `<polygon points="${pts([
        [-0.5, -1],
        [0.5, -1],
        [1, 0],
        [0.5, 1],
        [-0.5, 1],
        [-1, 0],
      ])}" ${common}/>`;
    default:
      return `<rect x="${(x - r).toFixed(1)}" y="${(y - r).toFixed(1)}" width="${n.size.toFixed(1)}" height="${n.size.toFixed(1)}" rx="4" ${common}/>`;
  }
}

export function graphSvg(input: SvgInput): string {
  const drawn = input.nodes.filter((n) => n.kind !== 'box');
  const xs = drawn.flatMap((n) => [n.x - n.size, n.x + n.size]);
  const ys = drawn.flatMap((n) => [n.y - n.size, n.y + n.size + 16]);
  const minX = (xs.length ? Math.min(...xs) : 0) - PADDING - LEGEND_WIDTH;
  const minY = (ys.length ? Math.min(...ys) : 0) - PADDING;
  const width = (xs.length ? Math.max(...xs) : 0) + PADDING - minX;
  const height = Math.max((ys.length ? Math.max(...ys) : 0) + PADDING - minY, 140);
  const bg = input.dark ? '#0f172a' : '#f8fafc';
  const fill = input.dark ? '#1e293b' : '#ffffff';
  const text = input.dark ? '#e2e8f0' : '#0f172a';
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${minX.toFixed(1)} ${minY.toFixed(1)} ${width.toFixed(1)} ${height.toFixed(1)}" width="${Math.ceil(width)}" height="${Math.ceil(height)}" font-family="sans-serif" font-size="11">`,
    `<title>${escapeXml(input.title)}</title>`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="context-stroke"/></marker></defs>',
    `<rect x="${minX.toFixed(1)}" y="${minY.toFixed(1)}" width="${width.toFixed(1)}" height="${height.toFixed(1)}" fill="${bg}"/>`,
    '<g class="edges">',
  ];
  for (const e of input.edges) {
    out.push(
      `<line data-id="${escapeXml(e.id)}" x1="${e.from.x.toFixed(1)}" y1="${e.from.y.toFixed(1)}" x2="${e.to.x.toFixed(1)}" y2="${e.to.y.toFixed(1)}" stroke="${escapeXml(e.colour)}" stroke-width="${e.width.toFixed(1)}" marker-end="url(#arrow)"${e.dimmed ? ' opacity="0.12"' : ''}/>`,
    );
  }
  out.push('</g>', '<g class="nodes">');
  for (const n of drawn) {
    const lines = n.label.split('\n');
    const label = lines
      .map((l, i) => `<tspan x="${n.x.toFixed(1)}" dy="${i === 0 ? 0 : 13}">${escapeXml(l)}</tspan>`)
      .join('');
    out.push(
      `<g data-id="${escapeXml(n.id)}"${n.dimmed ? ' opacity="0.12"' : ''}><title>${escapeXml(n.id)}</title>${shape(n, fill)}` +
        `<text x="${n.x.toFixed(1)}" y="${(n.y + n.size / 2 + 14).toFixed(1)}" text-anchor="middle" fill="${text}">${label}</text></g>`,
    );
  }
  out.push('</g>');
  // The legend, top left, outside the drawing.
  const lx = minX + 12;
  let ly = minY + 20;
  out.push(`<g class="legend"><text x="${lx}" y="${ly}" font-weight="bold" fill="${text}">Legend</text>`);
  for (const row of legendRows()) {
    ly += 18;
    out.push(
      `<circle cx="${lx + 6}" cy="${ly - 4}" r="5" fill="none" stroke="${row.colour}" stroke-width="2"/><text x="${lx + 18}" y="${ly}" fill="${text}">${escapeXml(row.label)}</text>`,
    );
  }
  out.push(`<text x="${lx}" y="${ly + 20}" fill="${text}">□ app ○ workload △ service</text></g>`, '</svg>');
  return out.join('\n');
}

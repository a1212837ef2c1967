// The cytoscape stylesheet: shapes by node kind, health colours, app boxes, edge widths and labels,
// found/selected highlights; colours follow the light or dark theme.
import type { StylesheetJson } from 'cytoscape';

export const HEALTH_COLOURS = {
  healthy: '#16a34a',
  degraded: '#d97706',
  failure: '#dc2626',
  idle: '#94a3b8',
} as const;

/** An edge carrying plaintext where mTLS was expected. */
export const PLAINTEXT_COLOUR = '#d97706';
/** Kiali's TCP edge colour (PatternFly blue). */
export const TCP_COLOUR = '#0066cc';

/** The zoom from which a large graph is drawn with node labels and arrows (11 px labels reach 7 px there). */
export const DETAIL_ZOOM = 0.6;

export const NODE_SHAPES = {
  app: 'round-rectangle',
  workload: 'ellipse',
  service: 'triangle',
  serviceentry: 'diamond',
  unknown: 'hexagon',
} as const;

/**
 * `large`: past LARGE_GRAPH_NODES the styles that cost seconds at a thousand nodes are left out —
 * haystack edges instead of bundled beziers (no control points to solve; the arrow drawn mid-edge), edge labels only
 * on found and selected edges (each label is measured and part of every bounding box). `detail` false
 * (a large graph zoomed out below DETAIL_ZOOM): no node labels, text backgrounds or arrows either — at that zoom labels are below `min-zoomed-font-size` and arrows under a pixel, yet each label
 * would still be measured and each arrow drawn (a second of the first frame at 2,000 nodes).
 */
export function graphStyle(dark: boolean, large = false, detail = true): StylesheetJson {
  const sparse = large && !detail;
  const text = dark ? '#e2e8f0' : '#0f172a';
  const fill = dark ? '#1e293b' : '#ffffff';
  const textBg = dark ? '#020617' : '#ffffff';
  const nodeText = {
    'text-wrap': 'wrap',
    'text-valign': 'bottom',
    'text-margin-y': 4,
    'font-size': 11,
    color: text,
    'text-background-color': textBg,
    'text-background-opacity': 0.7,
    'text-background-padding': '1px',
    // Labels only where they are readable: zoomed out over a large mesh, drawing them costs seconds.
    'min-zoomed-font-size': 7,
  };
  const edgeText = {
    label: 'data(label)',
    'font-size': 10,
    'min-zoomed-font-size': 7,
    color: text,
    'text-background-color': textBg,
    'text-background-opacity': 0.8,
    'text-background-padding': '1px',
  };
  return [
    {
      selector: 'node',
      style: {
        label: sparse ? '' : 'data(label)',
        // Zoomed out over a large mesh no node has a label: its text properties are left out, since each
        // property is applied to each of 10,000 nodes on the first frame.
        ...(sparse ? {} : nodeText),
        'background-color': fill,
        'border-width': 3,
        'border-color': HEALTH_COLOURS.idle,
        width: 30,
        height: 30,
      },
    },
    ...Object.entries(NODE_SHAPES).map(([cls, shape]) => ({ selector: `node.${cls}`, style: { shape } })),
    ...Object.entries(HEALTH_COLOURS).map(([h, colour]) => ({
      selector: `node.health-${h}`,
      style: { 'border-color': colour },
    })),
    { selector: 'node.outside', style: { 'border-style': 'dashed', opacity: 0.75 } },
    // Kiali's egress clusters: service triangles marked with a double border; the egress gateway a pentagon.
    { selector: 'node.egresscluster', style: { 'border-style': 'double', 'border-width': 5 } },
    { selector: 'node.egressgateway', style: { shape: 'round-pentagon' } },
    {
      selector: 'node.box',
      style: {
        shape: 'round-rectangle',
        'background-color': dark ? '#0f172a' : '#f1f5f9',
        'background-opacity': 0.6,
        'border-width': 1,
        'border-style': 'dashed',
        'border-color': dark ? '#475569' : '#94a3b8',
        'text-valign': 'top',
        'text-halign': 'center',
        'text-margin-y': -4,
        'font-weight': 'bold',
        padding: '14px',
      },
    },
    {
      selector: 'edge',
      style: {
        width: 'data(width)',
        'curve-style': large ? 'haystack' : 'bezier',
        'haystack-radius': 0,
        // Haystack edges draw mid arrows only: the direction is still shown, at the middle. Zoomed out
        // over a large mesh there are none, and no arrow colours to apply to 20,000 edges.
        ...(sparse
          ? {}
          : {
              'target-arrow-shape': large ? 'none' : 'triangle',
              'mid-target-arrow-shape': large ? 'triangle' : 'none',
              'mid-target-arrow-color': HEALTH_COLOURS.idle,
              'arrow-scale': 0.9,
              'target-arrow-color': HEALTH_COLOURS.idle,
            }),
        'line-color': HEALTH_COLOURS.idle,
        // A large graph's edge labels are on found and selected edges only (below).
        ...(large ? {} : edgeText),
      },
    },
    ...Object.entries(HEALTH_COLOURS).map(([h, colour]) => ({
      selector: `edge.health-${h}`,
      style: sparse
        ? { 'line-color': colour }
        : { 'line-color': colour, 'target-arrow-color': colour, 'mid-target-arrow-color': colour },
    })),
    { selector: 'edge.health-healthy', style: { 'line-color': dark ? '#4ade80' : '#16a34a' } },
    // Plaintext where mTLS was expected: the open lock's label in amber, the line dotted.
    { selector: 'edge.plaintext', style: { color: PLAINTEXT_COLOUR, 'line-style': 'dotted' } },
    // Kiali draws TCP edges blue and dashed, whatever their health (TCP has no response codes).
    {
      selector: 'edge.tcp',
      style: sparse
        ? { 'line-color': TCP_COLOUR, 'line-style': 'dashed' }
        : {
            'line-color': TCP_COLOUR,
            'target-arrow-color': TCP_COLOUR,
            'mid-target-arrow-color': TCP_COLOUR,
            'line-style': 'dashed',
          },
    },
    ...(large ? [{ selector: 'edge.found, edge:selected', style: edgeText }] : []),
    ...(sparse
      ? [{ selector: 'node.found, node:selected', style: { label: 'data(label)', ...nodeText } }]
      : []),
    {
      selector: '.found',
      style: { 'underlay-color': '#0ea5e9', 'underlay-opacity': 0.35, 'underlay-padding': 8 },
    },
    {
      selector: ':selected',
      style: { 'overlay-color': '#0ea5e9', 'overlay-opacity': 0.25, 'overlay-padding': 6 },
    },
    // Outside a focus: still there for context, without labels, faint.
    { selector: '.dimmed', style: { opacity: 0.12, label: '', events: 'no' } },
  ] as StylesheetJson;
}

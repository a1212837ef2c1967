// The graph JSON → cytoscape element definitions: display labels, badges as glyphs, edge widths by
// traffic, and the find/hide classes. Pure, so the canvas only diffs and draws.
import type { ElementDefinition } from 'cytoscape';
import { type Expression, matches } from '@/lib/graph/expression';
import { formatBytesRate, formatMs, formatPercent, formatRps } from '@/lib/graph/format';
import type { Badges, EdgeData, Graph, NodeData } from '@/lib/graph/types';
import { LARGE_GRAPH_NODES } from './layouts';

export type EdgeLabelMode = 'rps' | 'percent' | 'p95' | 'none';

export const BADGE_GLYPHS = {
  canary: '◐',
  retries: '↻',
  fault: '⚠',
  circuitBreaker: '⚡',
  ejections: '⊘',
  // Istio Config validations on the node's config (DejaVu Sans has both; no emoji font on Debian).
  validationErrors: '✗',
  validationWarnings: '△',
} as const;

export function badgeGlyphs(b: Badges): string {
  const out: string[] = [];
  if (b.canary) out.push(BADGE_GLYPHS.canary);
  if (b.retries) out.push(BADGE_GLYPHS.retries);
  if (b.fault) out.push(BADGE_GLYPHS.fault);
  if (b.circuitBreaker) out.push(BADGE_GLYPHS.circuitBreaker);
  if (b.live?.reported && (b.live.ejectionsActive ?? 0) > 0)
    out.push(`${BADGE_GLYPHS.ejections}${b.live.ejectionsActive}`);
  if (b.validation?.errors) out.push(`${BADGE_GLYPHS.validationErrors}${b.validation.errors}`);
  if (b.validation?.warnings) out.push(`${BADGE_GLYPHS.validationWarnings}${b.validation.warnings}`);
  return out.join(' ');
}

export function nodeLabel(n: NodeData, graphType: Graph['graphType'], boxed = true): string {
  if (n.nodeType === 'box') return n.app ?? '';
  if (n.nodeType === 'unknown') return 'unknown';
  let name: string;
  if (n.nodeType === 'service') name = n.service ?? n.id;
  else if (n.nodeType === 'workload') name = n.workload ?? n.id;
  // Inside its app box a version is named by its version alone.
  else if (graphType === 'versionedApp' && boxed) name = n.version ?? n.app ?? n.id;
  else if (graphType === 'versionedApp') name = `${n.app ?? n.id} ${n.version ?? ''}`.trim();
  else name = n.app ?? n.id;
  const badges = badgeGlyphs(n.badges);
  return badges ? `${name}\n${badges}` : name;
}

/**
 * Kiali's lock on an edge that carries mTLS, and the mark where plaintext should have been mTLS. Edge labels
 * are canvas text: words, since a lock emoji draws as an empty box where no emoji font is installed.
 */
export const MTLS_GLYPH = 'mTLS';
export const PLAINTEXT_GLYPH = 'no mTLS';

/** The last part of a SPIFFE id (`spiffe://td/ns/<ns>/sa/<sa>` → `<sa>`): what fits on an edge. */
export function shortPrincipal(p: string | undefined): string | undefined {
  if (!p) return undefined;
  const m = /\/sa\/([^/]+)$/.exec(p);
  return m ? m[1] : p;
}

export function edgeLabel(e: EdgeData, mode: EdgeLabelMode, security = false): string {
  const badges = [
    e.badges.retries ? BADGE_GLYPHS.retries : '',
    e.badges.canary ? BADGE_GLYPHS.canary : '',
    e.badges.fault ? BADGE_GLYPHS.fault : '',
  ]
    .filter(Boolean)
    .join('');
  let text = '';
  // A TCP edge's number is its throughput (Kiali labels TCP edges in bytes/s); its share and p95 do not exist.
  if (e.protocol === 'tcp') text = mode === 'none' ? '' : formatBytesRate(e.tcp ?? 0);
  else if (mode === 'rps') text = formatRps(e.rps);
  else if (mode === 'percent') text = formatPercent(e.percentReq);
  else if (mode === 'p95') text = e.latency.p95 === undefined ? '' : formatMs(e.latency.p95);
  const lock = e.mtlsWarning ? PLAINTEXT_GLYPH : (e.isMTLS ?? 0) > 0 ? MTLS_GLYPH : '';
  const label = [lock, text, badges].filter(Boolean).join(' ');
  if (!security) return label;
  // The Security display option: who talks to whom, by identity (Kiali's principals).
  const from = shortPrincipal(e.sourcePrincipal);
  const to = shortPrincipal(e.destPrincipal);
  return from || to ? `${label}\n${from ?? 'unknown'} → ${to ?? 'unknown'}` : label;
}

/** The edge's classes for the stylesheet: mTLS, plaintext-that-should-not-be, refused, protocol. */
export function edgeClasses(e: EdgeData): string[] {
  return [
    e.refusal ? 'refused' : '',
    (e.isMTLS ?? 0) > 0 ? 'mtls' : '',
    e.mtlsWarning ? 'plaintext' : '',
    e.protocol === 'tcp' ? 'tcp' : e.protocol === 'grpc' ? 'grpc' : '',
  ].filter(Boolean);
}

/**
 * Edge width 1–`max` px (8 by default) on a log scale of its rate relative to the busiest edge. A large
 * graph's edges go up to 3 px: thousands of 8 px edges zoomed in are a wall that hides the nodes.
 */
export function edgeWidth(rps: number, maxRps: number, max = 8): number {
  if (!(rps > 0) || !(maxRps > 0)) return 1;
  return 1 + (max - 1) * (Math.log1p(rps) / Math.log1p(maxRps));
}

export interface ElementOptions {
  edgeLabels: EdgeLabelMode;
  find: Expression;
  hide: Expression;
  /** A focus (see `focus.ts`): elements outside it are dimmed. Absent or empty: no focus. */
  focus?: ReadonlySet<string>;
  /** The Security display option: principals on the edge labels. */
  security?: boolean;
  /** Kiali's traffic selector: edges of other protocols are left out. Absent: every protocol. */
  protocols?: readonly string[];
}

/** The box Kiali groups what is outside the mesh in: external hosts, PassthroughCluster, BlackHoleCluster. */
export const OUTSIDE_MESH_BOX = 'box:outside-mesh';

export function isOutsideMesh(n: NodeData): boolean {
  return n.isServiceEntry === 'MESH_EXTERNAL' || n.isEgressCluster === true;
}

export function toElements(g: Graph, o: ElementOptions): ElementDefinition[] {
  // Large graphs are drawn without app boxes (see LARGE_GRAPH_NODES).
  const boxed = g.elements.nodes.length <= LARGE_GRAPH_NODES;
  const hiddenNodes = new Set<string>();
  for (const { data } of g.elements.nodes) if (matches(o.hide, data)) hiddenNodes.add(data.id);
  const maxRps = Math.max(0, ...g.elements.edges.map((e) => e.data.rps));
  const maxWidth = boxed ? 8 : 3;
  const dimmed = (id: string) => (o.focus && o.focus.size > 0 && !o.focus.has(id) ? 'dimmed' : '');
  const out: ElementDefinition[] = [];
  let outside = false;
  for (const { data: full } of g.elements.nodes) {
    if (hiddenNodes.has(full.id) || (!boxed && full.nodeType === 'box')) continue;
    // Kiali's "outside the mesh": external hosts and the egress clusters, grouped in one box.
    const outsideMesh = boxed && isOutsideMesh(full) && full.parent === undefined;
    if (outsideMesh) outside = true;
    const data = boxed
      ? outsideMesh
        ? { ...full, parent: OUTSIDE_MESH_BOX }
        : full
      : { ...full, parent: undefined };
    const classes = [
      data.nodeType,
      data.isServiceEntry ? 'serviceentry' : '',
      data.isEgressCluster ? 'egresscluster' : '',
      data.isEgressGateway ? 'egressgateway' : '',
      `health-${data.health}`,
      data.isOutside ? 'outside' : '',
      matches(o.find, data) ? 'found' : '',
      dimmed(data.id),
    ].filter(Boolean);
    out.push({
      group: 'nodes',
      data: { ...data, label: nodeLabel(data, g.graphType, boxed) },
      classes: classes.join(' '),
    });
  }
  if (outside)
    out.unshift({
      group: 'nodes',
      data: { id: OUTSIDE_MESH_BOX, nodeType: 'box', label: 'outside the mesh' },
      classes: 'box outsidemesh',
    });
  for (const { data } of g.elements.edges) {
    if (hiddenNodes.has(data.source) || hiddenNodes.has(data.target) || matches(o.hide, data)) continue;
    if (o.protocols && !o.protocols.includes(data.protocol)) continue;
    out.push({
      group: 'edges',
      data: {
        ...data,
        label: edgeLabel(data, o.edgeLabels, o.security),
        width: edgeWidth(data.rps, maxRps, maxWidth),
      },
      classes: [
        `health-${data.health}`,
        ...edgeClasses(data),
        matches(o.find, data) ? 'found' : '',
        dimmed(data.id),
      ]
        .filter(Boolean)
        .join(' '),
    });
  }
  return out;
}

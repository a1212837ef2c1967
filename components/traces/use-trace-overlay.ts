'use client';
import { useQuery } from '@tanstack/react-query';
// Draws the overlaid trace's path on the cytoscape graph: its nodes and edges stand out, failed hops in
// red, the rest of the graph fades. Styles are element bypasses, so the graph's own stylesheet and class
// updates on refresh leave them alone; elements added later are styled as they arrive.
import type { Core, EdgeSingular, NodeSingular } from 'cytoscape';
import { useSearchParams } from 'next/navigation';
import { type RefObject, useEffect, useMemo } from 'react';
import { GRAPH_TYPES, type GraphType } from '@/lib/graph/types';
import { traceOptions } from '@/lib/queries/traces';
import { type GraphPath, traceToGraphPath } from '@/lib/traces/graph-path';
import { useOverlayTraceId } from './trace-overlay-store';

const OVERLAY_PROPS = [
  'opacity',
  'line-color',
  'target-arrow-color',
  'width',
  'border-width',
  'border-color',
  'z-index',
];
const PATH = '#0284c7';
const FAILED = '#dc2626';

/** The graph type and service-node injection the graph page shows (from its URL). */
export function useGraphKind(): { graphType: GraphType; injectServiceNodes: boolean } {
  const params = useSearchParams();
  const raw = params.get('graphType');
  const graphType = (GRAPH_TYPES as readonly string[]).includes(raw ?? '')
    ? (raw as GraphType)
    : 'versionedApp';
  return { graphType, injectServiceNodes: params.get('injectServiceNodes') !== 'false' };
}

/** The overlaid trace's path in the current graph's ids, once the trace is loaded. */
export function useTraceGraphPath(): { traceId?: string; path?: GraphPath; error?: Error } {
  const traceId = useOverlayTraceId();
  const kind = useGraphKind();
  const trace = useQuery(traceOptions(traceId ?? ''));
  const data = traceId ? trace.data : undefined;
  const path = useMemo(() => (data ? traceToGraphPath(data.trace, kind) : undefined), [data, kind]);
  return { traceId, path, error: traceId ? (trace.error ?? undefined) : undefined };
}

function style(cy: Core, path: GraphPath | undefined): void {
  cy.batch(() => {
    cy.elements().removeStyle(OVERLAY_PROPS.join(' '));
    if (!path) return;
    const nodes = new Set(path.nodeIds);
    const edges = new Set(path.edgeIds);
    const failedEdges = new Set(path.errorEdgeIds);
    const failedNodes = new Set(path.errorNodeIds);
    cy.nodes().forEach((n: NodeSingular) => {
      if (n.data('nodeType') === 'box') return;
      if (nodes.has(n.id())) {
        n.style({
          'border-width': 4,
          'border-color': failedNodes.has(n.id()) ? FAILED : PATH,
          'z-index': 10,
        });
      } else n.style({ opacity: 0.25 });
    });
    cy.edges().forEach((e: EdgeSingular) => {
      if (edges.has(e.id())) {
        const colour = failedEdges.has(e.id()) ? FAILED : PATH;
        e.style({ 'line-color': colour, 'target-arrow-color': colour, width: 5, 'z-index': 10 });
      } else e.style({ opacity: 0.2 });
    });
  });
}

/** Mount in the graph canvas: `useTraceOverlay(cyRef)`. */
export function useTraceOverlay(cyRef: RefObject<Core | undefined>): void {
  const { path } = useTraceGraphPath();
  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    style(cy, path);
    if (!path) return;
    // A refresh adds elements one by one: restyle once, on the next frame.
    let frame = 0;
    const restyle = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => style(cy, path));
    };
    cy.on('add', restyle);
    return () => {
      cancelAnimationFrame(frame);
      cy.removeListener('add', restyle);
    };
  }, [cyRef, path]);
}

'use client';
// The detail page's mini-graph (Kiali's): the item and its neighbours cut out of its namespace's graph,
// drawn read-only with the graph's own elements and style; the link opens the full graph focused on it.
// The neighbours list beside it is its text alternative.
import { useQuery } from '@tanstack/react-query';
import cytoscape, { type Core } from 'cytoscape';
import Link from 'next/link';
import { useEffect, useMemo, useRef } from 'react';
import { graphStyle } from '@/components/graph/cy-style';
import { toElements } from '@/components/graph/elements';
import { layoutOptions } from '@/components/graph/layouts';
import { runLayout } from '@/components/graph/run-layout';
import { useDarkTheme } from '@/components/graph/use-dark-theme';
import { QueryView } from '@/components/ui/query-view';
import type { Graph } from '@/lib/graph/types';
import type { ItemKind } from '@/lib/inventory/types';
import { graphQueryOptions } from '@/lib/queries/graph';
import { LINK_CLASS } from './links';
import { focusedGraph, fullGraphHref, miniGraphView } from './mini-graph-view';

/** How often the mini-graph is read again while shown (the full graph has its own refresh choice). */
const MINI_GRAPH_POLL_MS = 30_000;

function Canvas({ graph, center, label }: { graph: Graph; center: string; label: string }) {
  const container = useRef<HTMLDivElement>(null);
  const cyRef = useRef<Core | undefined>(undefined);
  const dark = useDarkTheme();
  const elements = useMemo(() => toElements(graph, { edgeLabels: 'rps', find: [], hide: [] }), [graph]);

  useEffect(() => {
    const cy = cytoscape({
      container: container.current,
      elements,
      style: graphStyle(false),
      userZoomingEnabled: false,
      userPanningEnabled: false,
      boxSelectionEnabled: false,
      autoungrabify: true,
      autounselectify: true,
    });
    cy.$id(center).addClass('found');
    cyRef.current = cy;
    // The graph page's own layered layout (callers left, callees right, labels given room).
    runLayout(cy, layoutOptions('layered', true, cy.nodes().length), {
      isCurrent: () => cyRef.current === cy,
      onStop: () => container.current?.setAttribute('data-layout', 'ready'),
    });
    return () => {
      cy.destroy();
      cyRef.current = undefined;
    };
  }, [elements, center]);

  useEffect(() => {
    cyRef.current?.style(graphStyle(dark));
  }, [dark]);

  return (
    <div
      ref={container}
      role="img"
      aria-label={label}
      data-testid="mini-graph"
      className="h-72 w-full rounded border border-slate-200 dark:border-slate-800"
    />
  );
}

export function MiniGraph({
  kind,
  namespace,
  name,
  duration,
}: {
  kind: ItemKind;
  namespace: string;
  name: string;
  duration: string;
}) {
  const view = miniGraphView(kind, namespace, name);
  const query = useQuery({
    ...graphQueryOptions({ namespaces: [namespace], graphType: view.graphType, duration, latency: false }),
    refetchInterval: MINI_GRAPH_POLL_MS,
  });
  const cut = useMemo(
    () => (query.data ? focusedGraph(query.data, view.center, view.hops) : undefined),
    [query.data, view.center, view.hops],
  );
  return (
    <div className="flex flex-col gap-1">
      <QueryView query={{ ...query, data: cut }} loading="Loading the graph…" failed="Graph unavailable">
        {(g) =>
          g.elements.nodes.length === 0 ? (
            <p className="text-sm">Not in the graph of the last {duration} (no traffic).</p>
          ) : (
            <Canvas
              graph={g}
              center={view.center}
              label={`Graph of ${name} and its neighbours: ${g.elements.nodes.filter((n) => n.data.nodeType !== 'box').length} nodes, ${g.elements.edges.length} edges (listed below)`}
            />
          )
        }
      </QueryView>
      <Link href={fullGraphHref(view, namespace, duration)} className={`${LINK_CLASS} text-sm`}>
        Open the graph focused on {name}
      </Link>
    </div>
  );
}

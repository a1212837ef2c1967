'use client';
// The graph page: toolbar, live cytoscape canvas, side panel; polling with react-query (paused while the
// tab is hidden), state in the URL, errors from the backend shown as a banner over the last graph. On a
// narrow screen the controls fold into a menu and the side panel (legend, details) is a drawer.
import type { Core } from 'cytoscape';
import { useDeferredValue, useId, useMemo, useRef, useState } from 'react';
import { TraceOverlayNotice } from '@/components/traces/trace-overlay-notice';
import { Button } from '@/components/ui/button';
import { parseExpression } from '@/lib/graph/expression';
import type { Graph } from '@/lib/graph/types';
import { aggregateGraph, namespaceOfAggregate, resolveAggregation } from './aggregate';
import { toElements } from './elements';
import { focusSet } from './focus';
import { GoTo } from './go-to';
import { GraphCanvas } from './graph-canvas';
import { GraphNotices, graphNotices } from './graph-notices';
import { GraphToolbar } from './graph-toolbar';
import { GraphTools } from './graph-tools';
import { positionsKey } from './saved-positions';
import { SidePanel } from './side-panel';
import { useDarkTheme } from './use-dark-theme';
import { useGraphData } from './use-graph-data';
import { useGraphUrlState } from './use-graph-url-state';

/** `exposeCy`: put the cytoscape instance on `window.__meshlensCy` (end-to-end tests only). */
export function GraphView({ exposeCy = false }: { exposeCy?: boolean }) {
  const [state, update] = useGraphUrlState();
  const dark = useDarkTheme();
  const [fitRequest, setFitRequest] = useState(0);
  const [resetRequest, setResetRequest] = useState(0);
  const [centerRequest, setCenterRequest] = useState<{ id: string; n: number }>();
  const [menuOpen, setMenuOpen] = useState(false);
  const [drawerOpen, setDrawerOpen] = useState(false);
  const cy = useRef<Core | undefined>(undefined);
  const menuId = useId();
  const drawerId = useId();
  // Whether the canvas has laid out a graph yet: the latency query waits for the first drawing.
  const [drawn, setDrawn] = useState(false);
  // A graph pinned at a moment does not change: no polling.
  const refreshMs = state.refresh > 0 && state.at === undefined ? state.refresh * 1000 : false;
  const graph = useGraphData(
    {
      namespaces: state.namespaces,
      graphType: state.graphType,
      duration: state.duration,
      queryTime: state.at,
      rateGrpc: state.grpcRate,
    },
    refreshMs,
    drawn,
  );
  const find = useMemo(() => parseExpression(state.find), [state.find]);
  const hide = useMemo(() => parseExpression(state.hide), [state.hide]);
  // What is drawn: the graph, or its namespaces or apps as one node each.
  const grouping = graph.data ? resolveAggregation(graph.data, state.group) : 'none';
  const shown = useMemo(() => graph.data && aggregateGraph(graph.data, grouping), [graph.data, grouping]);
  // The go-to and find lists (thousands of options at scale) render after the canvas has its elements.
  const listShown = useDeferredValue(shown);
  const listAll = useDeferredValue(graph.data);
  const focus = useMemo(
    () => (shown && state.focus ? focusSet(shown, state.focus, state.hops) : undefined),
    [shown, state.focus, state.hops],
  );
  const elements = useMemo(
    () =>
      shown
        ? toElements(shown, {
            edgeLabels: state.labels,
            find: find.ok ? find.value : [],
            hide: hide.ok ? hide.value : [],
            focus,
            security: state.security,
            protocols: state.traffic,
          })
        : [],
    [shown, state.labels, find, hide, focus, state.security, state.traffic],
  );
  const select = (selected: string | undefined) => {
    // A namespace drawn as one node opens: that namespace, every node of it.
    const namespace = selected && namespaceOfAggregate(selected);
    if (namespace)
      return update({ namespaces: [namespace], group: 'none', selected: undefined, focus: undefined });
    update({ selected });
    if (selected) setDrawerOpen(true);
  };
  const jump = (id: string) => {
    // A node found inside a namespace or app drawn as one node: its namespace opens, the node selected.
    if (grouping !== 'none' && !shown?.elements.nodes.some((n) => n.data.id === id)) {
      const namespace = graph.data?.elements.nodes.find((n) => n.data.id === id)?.data.namespace;
      if (namespace) update({ namespaces: [namespace], group: 'none', selected: id, focus: undefined });
      else return;
    } else select(id);
    setCenterRequest((c) => ({ id, n: (c?.n ?? 0) + 1 }));
  };
  const nodes = (graph.data?.elements.nodes ?? []).map((n) => n.data).filter((n) => n.nodeType !== 'box');
  // The page's first graph of a very large mesh is its namespaces: the counts are the mesh's.
  const nodeCount = graph.data?.aggregateOf?.nodes ?? nodes.length;
  const edgeCount = graph.data?.aggregateOf?.edges ?? graph.data?.elements.edges.length ?? 0;
  const status =
    (graph.data ? statusLine(graph.data, nodeCount, edgeCount) : '') +
    (state.group === 'auto' && grouping !== 'none'
      ? ` · drawn by ${grouping} (Group: None draws every node)`
      : '');
  const notices = graphNotices({
    at: state.at,
    onLive: () => update({ at: undefined }),
    error: graph.error,
    stale: graph.data !== undefined,
    warnings: graph.data?.warnings,
  });
  const summary = `Service graph: ${nodeCount} nodes and ${edgeCount} edges. Select one with the keyboard from the node and edge lists.`;

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <div className="flex items-center gap-2 border-b border-slate-200 px-2 py-1 md:hidden dark:border-slate-800">
        <Button aria-expanded={menuOpen} aria-controls={menuId} onClick={() => setMenuOpen((o) => !o)}>
          {menuOpen ? 'Hide controls' : 'Controls'}
        </Button>
        <Button aria-expanded={drawerOpen} aria-controls={drawerId} onClick={() => setDrawerOpen((o) => !o)}>
          {state.selected ? 'Details' : 'Legend'}
        </Button>
        <Button onClick={() => setFitRequest((n) => n + 1)} aria-label="Zoom to fit the whole graph">
          Fit
        </Button>
      </div>
      <div
        id={menuId}
        className={menuOpen ? 'max-h-[60vh] overflow-y-auto md:max-h-none' : 'hidden md:block'}
      >
        <GraphToolbar
          state={state}
          update={update}
          onFit={() => setFitRequest((n) => n + 1)}
          onRefresh={() => graph.refetch()}
          fetching={graph.isFetching}
        />
        <div className="flex flex-wrap items-center gap-x-3 gap-y-2 border-b border-slate-200 px-4 py-2 dark:border-slate-800">
          <GoTo graph={listShown} selected={state.selected} onSelect={select} />
          <GraphTools
            graph={listShown}
            findIn={listAll}
            state={state}
            update={update}
            cy={cy}
            dark={dark}
            onJump={jump}
            onResetPositions={() => setResetRequest((n) => n + 1)}
          />
        </div>
      </div>
      <div className="relative flex min-h-0 flex-1">
        <div className="relative min-w-0 flex-1">
          <GraphCanvas
            elements={elements}
            layout={state.layout}
            dark={dark}
            selected={state.selected}
            fitRequest={fitRequest}
            onSelect={select}
            onLaidOut={() => setDrawn(true)}
            summary={summary}
            exposeCy={exposeCy}
            positionsKey={positionsKey({ ...state, graphType: `${state.graphType}/${grouping}` })}
            resetRequest={resetRequest}
            centerRequest={centerRequest}
            onCy={(c) => {
              cy.current = c;
            }}
            waiting={graph.isPending}
            grouped={grouping !== 'none'}
          />
          <TraceOverlayNotice />
          <GraphNotices status={status} notices={notices} mtls={graph.data?.namespaceMtls} />
          {graph.isPending ? (
            <p className="absolute inset-0 flex items-center justify-center text-sm text-slate-600 dark:text-slate-400">
              Loading the graph…
            </p>
          ) : graph.data && nodes.length === 0 ? (
            <p className="absolute inset-0 flex items-center justify-center text-sm text-slate-600 dark:text-slate-400">
              No traffic in the last {state.duration}
              {state.namespaces.length > 0 ? ` in ${state.namespaces.join(', ')}` : ''}.
            </p>
          ) : null}
        </div>
        <div
          id={drawerId}
          className={`${drawerOpen ? 'flex' : 'hidden'} absolute inset-x-0 bottom-0 z-20 max-h-[60%] bg-white shadow-lg md:static md:flex md:max-h-none md:shadow-none dark:bg-slate-950`}
        >
          <SidePanel
            graph={graph.data}
            selected={state.selected}
            duration={state.duration}
            at={state.at}
            refreshMs={refreshMs}
            dark={dark}
            onClose={() => {
              update({ selected: undefined });
              setDrawerOpen(false);
            }}
          />
        </div>
      </div>
    </div>
  );
}

/** `N nodes · M edges · time`, and how old the latency is when it was read earlier than the rates. */
export function statusLine(g: Graph, nodes: number, edges: number): string {
  const time = (s: number) => new Date(s * 1000).toLocaleTimeString();
  const base = `${nodes} nodes · ${edges} edges · ${time(g.timestamp)}`;
  if (g.latencyTime === undefined || g.timestamp - g.latencyTime < 1) return base;
  return `${base} (latency as of ${time(g.latencyTime)})`;
}

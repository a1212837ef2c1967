'use client';
// The graph page: toolbar, live cytoscape canvas, side panel; polling with react-query (paused while the
// tab is hidden), state in the URL, errors from the backend shown as a banner over the last graph.
import { useDeferredValue, useMemo, useState } from 'react';
import { TraceOverlayNotice } from '@/components/traces/trace-overlay-notice';
import { Banner } from '@/components/ui/banner';
import { parseExpression } from '@/lib/graph/expression';
import type { Graph } from '@/lib/graph/types';
import { toElements } from './elements';
import { GoTo } from './go-to';
import { GraphCanvas } from './graph-canvas';
import { GraphToolbar } from './graph-toolbar';
import { SidePanel } from './side-panel';
import { useDarkTheme } from './use-dark-theme';
import { useGraphData } from './use-graph-data';
import { useGraphUrlState } from './use-graph-url-state';

/** `exposeCy`: put the cytoscape instance on `window.__meshlensCy` (end-to-end tests only). */
export function GraphView({ exposeCy = false }: { exposeCy?: boolean }) {
  const [state, update] = useGraphUrlState();
  const dark = useDarkTheme();
  const [fitRequest, setFitRequest] = useState(0);
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
    },
    refreshMs,
    drawn,
  );
  // The go-to lists (thousands of options at scale) render after the canvas has its elements.
  const listGraph = useDeferredValue(graph.data);
  const find = useMemo(() => parseExpression(state.find), [state.find]);
  const hide = useMemo(() => parseExpression(state.hide), [state.hide]);
  const elements = useMemo(
    () =>
      graph.data
        ? toElements(graph.data, {
            edgeLabels: state.labels,
            find: find.ok ? find.value : [],
            hide: hide.ok ? hide.value : [],
          })
        : [],
    [graph.data, state.labels, find, hide],
  );
  const nodes = (graph.data?.elements.nodes ?? []).map((n) => n.data).filter((n) => n.nodeType !== 'box');
  const edgeCount = graph.data?.elements.edges.length ?? 0;
  const summary = `Service graph: ${nodes.length} nodes and ${edgeCount} edges. Select one with the keyboard from the node and edge lists.`;

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <GraphToolbar
        state={state}
        update={update}
        onFit={() => setFitRequest((n) => n + 1)}
        onRefresh={() => graph.refetch()}
        fetching={graph.isFetching}
      />
      {state.at !== undefined ? (
        <Banner tone="warning" title={`Pinned at ${new Date(state.at * 1000).toLocaleString()}.`}>
          <button type="button" className="underline" onClick={() => update({ at: undefined })}>
            Back to live
          </button>
        </Banner>
      ) : null}
      {graph.error ? (
        <Banner tone="error" title="The graph cannot be updated.">
          {graph.error.message}
          {graph.data ? ' Showing the last graph received.' : ''}
        </Banner>
      ) : null}
      {graph.data?.warnings.map((w) => (
        <Banner key={w.code} tone="warning" title={w.code.replace(/_/g, ' ')}>
          {w.message}
        </Banner>
      ))}
      <div className="flex min-h-0 flex-1">
        <div className="relative min-w-0 flex-1">
          <GraphCanvas
            elements={elements}
            layout={state.layout}
            dark={dark}
            selected={state.selected}
            fitRequest={fitRequest}
            onSelect={(selected) => update({ selected })}
            onLaidOut={() => setDrawn(true)}
            summary={summary}
            exposeCy={exposeCy}
          />
          <TraceOverlayNotice />
          <div className="absolute top-2 left-2 flex items-center gap-2 rounded bg-white/80 px-2 py-1 dark:bg-slate-950/80">
            <GoTo graph={listGraph} selected={state.selected} onSelect={(selected) => update({ selected })} />
            <span className="text-xs text-slate-500 dark:text-slate-400" aria-live="polite">
              {graph.data ? statusLine(graph.data, nodes.length, edgeCount) : ''}
            </span>
          </div>
          {graph.isPending ? (
            <p className="absolute inset-0 flex items-center justify-center text-sm text-slate-500">
              Loading the graph…
            </p>
          ) : graph.data && nodes.length === 0 ? (
            <p className="absolute inset-0 flex items-center justify-center text-sm text-slate-500">
              No traffic in the last {state.duration}
              {state.namespaces.length > 0 ? ` in ${state.namespaces.join(', ')}` : ''}.
            </p>
          ) : null}
        </div>
        <SidePanel
          graph={graph.data}
          selected={state.selected}
          duration={state.duration}
          at={state.at}
          refreshMs={refreshMs}
          dark={dark}
          onClose={() => update({ selected: undefined })}
        />
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

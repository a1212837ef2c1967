'use client';
// Working with a big graph: find a node by name, focus on it and N hops, reset dragged positions, export
// the view (PNG, SVG) and the data (JSON).
import type { Core } from 'cytoscape';
import type { RefObject } from 'react';
import { Button } from '@/components/ui/button';
import { SelectField } from '@/components/ui/select-field';
import type { Graph } from '@/lib/graph/types';
import { isPartial } from '@/lib/graph-page/lean-graph';
import { FindNode } from './find-node';
import { exportJson, exportPng, exportSvg } from './graph-export';
import { FOCUS_HOPS, type GraphViewState } from './graph-view-state';

export function GraphTools({
  graph,
  findIn = graph,
  state,
  update,
  cy,
  dark,
  onJump,
  onResetPositions,
}: {
  graph?: Graph;
  /** The graph Find node searches: every node, also when the view draws them grouped. */
  findIn?: Graph;
  state: GraphViewState;
  update: (patch: Partial<GraphViewState>) => void;
  cy: RefObject<Core | undefined>;
  dark: boolean;
  onJump: (id: string) => void;
  onResetPositions: () => void;
}) {
  const target = state.focus ?? state.selected;
  const focusable = target !== undefined && !target.includes('->');
  const title = `Meshlens service graph (${state.graphType}, last ${state.duration})`;
  return (
    <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
      <FindNode graph={findIn} onJump={onJump} />
      <fieldset className="flex items-center gap-1" aria-label="Focus">
        <SelectField
          label="Hops"
          value={String(state.hops) as `${(typeof FOCUS_HOPS)[number]}`}
          options={FOCUS_HOPS.map((h) => ({ value: String(h) as `${typeof h}`, label: String(h) }))}
          onChange={(v) => update({ hops: Number(v) as GraphViewState['hops'] })}
        />
        {state.focus ? (
          <Button onClick={() => update({ focus: undefined })} aria-label="Show the whole graph again">
            Unfocus
          </Button>
        ) : (
          <Button
            disabled={!focusable}
            onClick={() => focusable && update({ focus: target })}
            aria-label="Focus on the selected node and its neighbours within the hops"
          >
            Focus
          </Button>
        )}
      </fieldset>
      <Button
        onClick={onResetPositions}
        aria-label="Forget dragged node positions and lay the graph out again"
      >
        Reset layout
      </Button>
      <fieldset className="flex items-center gap-1" aria-label="Export">
        <span className="text-xs text-slate-600 dark:text-slate-300">Export</span>
        <Button
          disabled={!graph}
          aria-label="Export the graph as a PNG image"
          onClick={() => cy.current && graph && void exportPng(cy.current, graph, dark)}
        >
          PNG
        </Button>
        <Button
          disabled={!graph}
          aria-label="Export the graph as an SVG image"
          onClick={() => cy.current && graph && exportSvg(cy.current, graph, dark, title)}
        >
          SVG
        </Button>
        <Button
          disabled={!graph || isPartial(graph)}
          aria-label={
            isPartial(graph)
              ? "Export the graph's data as JSON (once the full graph has arrived)"
              : "Export the graph's data as JSON"
          }
          onClick={() => graph && exportJson(graph)}
        >
          JSON
        </Button>
      </fieldset>
    </div>
  );
}

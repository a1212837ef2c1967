'use client';
// The side panel: the selected node's or edge's details, else the legend.
import { Button } from '@/components/ui/button';
import type { Graph } from '@/lib/graph/types';
import { isPartial } from '@/lib/graph-page/lean-graph';
import { EdgePanel } from './edge-panel';
import { GraphLegend } from './graph-legend';
import { NodePanel } from './node-panel';

export function SidePanel({
  graph,
  selected,
  duration,
  at,
  refreshMs,
  dark,
  onClose,
}: {
  /** A lean first graph (`isPartial`): its elements' details come with the full graph. */
  graph?: Graph;
  selected?: string;
  duration: string;
  at?: number;
  refreshMs: number | false;
  dark: boolean;
  onClose: () => void;
}) {
  const node = graph?.elements.nodes.find((n) => n.data.id === selected)?.data;
  const edge = node ? undefined : graph?.elements.edges.find((e) => e.data.id === selected)?.data;
  const nodeById = (id: string) => graph?.elements.nodes.find((n) => n.data.id === id)?.data;
  return (
    <aside
      // It scrolls: keyboard users must be able to reach it (axe: scrollable-region-focusable).
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region takes focus to scroll by keyboard
      tabIndex={0}
      aria-label={node || edge ? 'Details' : 'Legend'}
      className="w-full shrink-0 overflow-y-auto md:w-[420px] border-l border-slate-200 p-4 dark:border-slate-800"
      data-testid="side-panel"
    >
      {node || edge ? (
        <div className="mb-2 flex justify-end">
          <Button onClick={onClose} aria-label="Close the details and show the legend">
            Close
          </Button>
        </div>
      ) : null}
      {(node || edge) && isPartial(graph) ? (
        <p role="status" className="text-sm text-slate-600 dark:text-slate-400">
          The details of {node ? `node ${node.id}` : `edge ${edge?.id}`} (response codes, identities, traffic)
          arrive with the full graph, which is being read.
        </p>
      ) : node ? (
        <NodePanel key={node.id} node={node} duration={duration} at={at} refreshMs={refreshMs} dark={dark} />
      ) : edge ? (
        <EdgePanel
          key={edge.id}
          edge={edge}
          source={nodeById(edge.source)}
          target={nodeById(edge.target)}
          duration={duration}
          at={at}
          refreshMs={refreshMs}
          dark={dark}
        />
      ) : (
        <>
          {selected ? (
            <p className="mb-2 text-xs text-slate-600 dark:text-slate-400">
              The selected element is not in the current graph.
            </p>
          ) : null}
          <GraphLegend />
        </>
      )}
    </aside>
  );
}

'use client';
// Keyboard access to the canvas: select any node or edge of the graph from a list (a large graph's lists
// hold the selected node's neighbourhood, see `go-to-options.ts`).
import { useMemo } from 'react';
import { SelectField } from '@/components/ui/select-field';
import type { Graph } from '@/lib/graph/types';
import { goToOptions } from './go-to-options';

export function GoTo({
  graph,
  selected,
  onSelect,
}: {
  graph?: Graph;
  selected?: string;
  onSelect: (id: string | undefined) => void;
}) {
  const { nodes, edges, neighbourhood } = useMemo(() => goToOptions(graph, selected), [graph, selected]);
  // Past the limit, the empty choice says where the rest are.
  const none = neighbourhood ? '— find a node by name —' : '—';
  return (
    <>
      <SelectField
        label="Go to node"
        value={nodes.some((n) => n.value === selected) ? (selected as string) : ''}
        options={[{ value: '', label: none }, ...nodes]}
        onChange={(id) => onSelect(id || undefined)}
      />
      <SelectField
        label="Go to edge"
        value={edges.some((e) => e.value === selected) ? (selected as string) : ''}
        options={[{ value: '', label: neighbourhood ? '— the selected node’s edges —' : '—' }, ...edges]}
        onChange={(id) => onSelect(id || undefined)}
      />
    </>
  );
}

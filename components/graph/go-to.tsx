'use client';
// Keyboard access to the canvas: select any node or edge of the graph from a list.
import { SelectField } from '@/components/ui/select-field';
import type { Graph, NodeData } from '@/lib/graph/types';
import { nodeTitle } from './node-panel';

export function GoTo({
  graph,
  selected,
  onSelect,
}: {
  graph?: Graph;
  selected?: string;
  onSelect: (id: string | undefined) => void;
}) {
  const nodes = (graph?.elements.nodes ?? []).map((n) => n.data).filter((n) => n.nodeType !== 'box');
  const byId = new Map<string, NodeData>(nodes.map((n) => [n.id, n]));
  const name = (id: string) => {
    const n = byId.get(id);
    return n ? nodeTitle(n) : id;
  };
  const edges = (graph?.elements.edges ?? []).map((e) => e.data);
  return (
    <>
      <SelectField
        label="Go to node"
        value={byId.has(selected ?? '') ? (selected as string) : ''}
        options={[
          { value: '', label: '—' },
          ...nodes.map((n) => ({ value: n.id, label: `${nodeTitle(n)} (${n.namespace})` })),
        ]}
        onChange={(id) => onSelect(id || undefined)}
      />
      <SelectField
        label="Go to edge"
        value={edges.some((e) => e.id === selected) ? (selected as string) : ''}
        options={[
          { value: '', label: '—' },
          ...edges.map((e) => ({ value: e.id, label: `${name(e.source)} → ${name(e.target)}` })),
        ]}
        onChange={(id) => onSelect(id || undefined)}
      />
    </>
  );
}

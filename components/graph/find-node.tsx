'use client';
// Find a node by name: a text box suggesting the nodes whose names hold what is typed, across every node of
// the graph (the browser's own autocomplete over a datalist, keyboard and screen-reader friendly); picking
// one jumps to it.
import { useId, useMemo, useState } from 'react';
import type { Graph } from '@/lib/graph/types';
import { nodeTitle } from './node-panel';

/** Suggestions shown at once: a datalist of 10,000 options would cost the page its first frame. */
export const MAX_SUGGESTIONS = 50;

/** The suggestions for a typed text: names that start with it first, then names that contain it. */
export function suggestions(
  options: readonly { id: string; label: string }[],
  text: string,
  max = MAX_SUGGESTIONS,
): { id: string; label: string }[] {
  const t = text.trim().toLowerCase();
  if (!t) return options.slice(0, max);
  const starts: { id: string; label: string }[] = [];
  const contains: { id: string; label: string }[] = [];
  for (const o of options) {
    const l = o.label.toLowerCase();
    const at = l.indexOf(t);
    // "app reviews v1": the kind word does not count as the start.
    if (at === 0 || at === l.indexOf(' ') + 1) starts.push(o);
    else if (at > 0) contains.push(o);
    if (starts.length >= max) break;
  }
  return [...starts, ...contains].slice(0, max);
}

export function findNodeOptions(graph: Graph | undefined): { id: string; label: string }[] {
  return (graph?.elements.nodes ?? [])
    .map((n) => n.data)
    .filter((n) => n.nodeType !== 'box')
    .map((n) => ({ id: n.id, label: `${nodeTitle(n)} (${n.namespace})` }));
}

/** The node a typed text names: an exact suggestion, an id, else the first suggestion containing it. */
export function matchNode(
  options: readonly { id: string; label: string }[],
  text: string,
): string | undefined {
  const t = text.trim().toLowerCase();
  if (!t) return undefined;
  const exact = options.find((o) => o.label.toLowerCase() === t || o.id.toLowerCase() === t);
  return (exact ?? options.find((o) => o.label.toLowerCase().includes(t)))?.id;
}

export function FindNode({ graph, onJump }: { graph?: Graph; onJump: (id: string) => void }) {
  const id = useId();
  const [text, setText] = useState('');
  const [missed, setMissed] = useState(false);
  const options = useMemo(() => findNodeOptions(graph), [graph]);
  const shown = useMemo(() => suggestions(options, text), [options, text]);
  const jump = (value: string, onlyExact: boolean) => {
    const exact = options.find((o) => o.label === value);
    const hit = exact?.id ?? (onlyExact ? undefined : matchNode(options, value));
    setMissed(!onlyExact && hit === undefined);
    if (hit) onJump(hit);
  };
  return (
    <span className="flex items-center gap-1 text-xs text-slate-600 dark:text-slate-300">
      <label htmlFor={id}>Find node</label>
      <input
        id={id}
        type="search"
        list={`${id}-nodes`}
        value={text}
        placeholder="name"
        aria-invalid={missed || undefined}
        aria-describedby={missed ? `${id}-missed` : undefined}
        className="w-44 rounded border border-slate-300 bg-white px-1.5 py-1 text-sm text-slate-900 focus-visible:outline-2 focus-visible:outline-sky-500 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
        onChange={(e) => {
          setText(e.target.value);
          setMissed(false);
          // A suggestion picked from the list arrives as a change with its whole text.
          jump(e.target.value, true);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') jump(text, false);
        }}
      />
      <datalist id={`${id}-nodes`}>
        {shown.map((o) => (
          <option key={o.id} value={o.label} />
        ))}
      </datalist>
      {missed ? (
        <span id={`${id}-missed`} role="status" className="text-red-700 dark:text-red-300">
          no such node
        </span>
      ) : null}
    </span>
  );
}

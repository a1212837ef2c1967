'use client';
// The waterfall: the ruler over a windowed list of span rows (only the rows in view are in the DOM, so a
// 2,000-span trace scrolls smoothly). Up/down move the selection, left/right collapse and expand.
import { type KeyboardEvent, useEffect, useMemo, useRef } from 'react';
import { descendantCount } from '@/lib/traces/collapse';
import type { CriticalPathSection } from '@/lib/traces/critical-path';
import type { SpanNode, TraceTree } from '@/lib/traces/span-tree';
import { rulerTicks, type ViewRange } from '@/lib/traces/time-layout';
import { TickLines, TimeRuler } from './time-ruler';
import { useRowWindow } from './use-row-window';
import { ROW_HEIGHT, WaterfallRow } from './waterfall-row';

interface Props {
  tree: TraceTree;
  rows: readonly SpanNode[];
  collapsed: ReadonlySet<string>;
  selectedKey?: string;
  criticalPath?: ReadonlyMap<string, CriticalPathSection[]>;
  colors: ReadonlyMap<string, string>;
  view: ViewRange;
  onView: (view: ViewRange) => void;
  onToggle: (key: string) => void;
  onSelect: (key: string) => void;
}

export function Waterfall({
  tree,
  rows,
  collapsed,
  selectedKey,
  criticalPath,
  colors,
  view,
  onView,
  onToggle,
  onSelect,
}: Props) {
  const scrollRef = useRef<HTMLElement>(null);
  const { window: win, reveal } = useRowWindow(scrollRef, rows.length, ROW_HEIGHT);
  const tickPositions = useMemo(
    () => rulerTicks(view, tree.startTime, 5).map((t) => t.position),
    [view, tree.startTime],
  );
  const selectedIndex = selectedKey === undefined ? -1 : rows.findIndex((r) => r.key === selectedKey);

  useEffect(() => {
    if (selectedIndex >= 0) reveal(selectedIndex);
  }, [selectedIndex, reveal]);

  const onKeyDown = (e: KeyboardEvent) => {
    const current = rows[selectedIndex];
    const move = (i: number) => {
      const next = rows[Math.min(rows.length - 1, Math.max(0, i))];
      if (next) onSelect(next.key);
    };
    if (e.key === 'ArrowDown') move(selectedIndex + 1);
    else if (e.key === 'ArrowUp') move(selectedIndex < 0 ? 0 : selectedIndex - 1);
    else if (e.key === 'ArrowLeft' && current) {
      if (current.childKeys.length > 0 && !collapsed.has(current.key)) onToggle(current.key);
      else if (current.parentKey) onSelect(current.parentKey);
    } else if (e.key === 'ArrowRight' && current && collapsed.has(current.key)) onToggle(current.key);
    else return;
    e.preventDefault();
  };

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <div className="flex bg-slate-50 dark:bg-slate-900">
        <div className="flex w-[34%] shrink-0 items-center px-2 text-xs font-semibold text-slate-600 dark:text-slate-300">
          Service &amp; operation
        </div>
        <div className="min-w-0 flex-1">
          <TimeRuler view={view} traceStart={tree.startTime} onZoom={onView} />
        </div>
      </div>
      <div className="relative flex min-h-0 flex-1 flex-col">
        {/* The ruler's grid lines, drawn once behind all rows rather than in each. */}
        <div aria-hidden className="pointer-events-none absolute inset-y-0 right-0 left-[34%]">
          <TickLines positions={tickPositions} />
        </div>
        <section
          ref={scrollRef}
          aria-label={`Spans (${rows.length} shown, arrow keys move and fold)`}
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable (WCAG 2.1.1), and it takes the arrow keys
          tabIndex={0}
          onKeyDown={onKeyDown}
          data-testid="waterfall"
          className="min-h-0 flex-1 overflow-y-auto focus-visible:outline-2 focus-visible:outline-sky-500"
        >
          <div style={{ height: win.padTop }} />
          {rows.slice(win.start, win.end).map((node) => (
            <WaterfallRow
              key={node.key}
              node={node}
              color={colors.get(node.serviceName) ?? '#64748b'}
              view={view}
              collapsed={collapsed.has(node.key)}
              hiddenCount={collapsed.has(node.key) ? descendantCount(tree, node.key) : 0}
              selected={node.key === selectedKey}
              criticalSections={criticalPath?.get(node.key)}
              onToggle={onToggle}
              onSelect={onSelect}
            />
          ))}
          <div style={{ height: win.padBottom }} />
        </section>
      </div>
    </div>
  );
}

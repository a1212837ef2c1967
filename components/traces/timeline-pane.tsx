'use client';
// The trace page's timeline view: toolbar, minimap, the windowed waterfall and the span detail pane, with
// the view state (folded spans, selection, zoom). The selected span lives in the URL (`?span=`).
import { useEffect, useMemo, useState } from 'react';
import type { Trace } from '@/lib/jaeger/model';
import {
  COLLAPSE_ABOVE_SPANS,
  collapseAll,
  reveal,
  toggleCollapsed,
  visibleNodes,
} from '@/lib/traces/collapse';
import { criticalPath, sectionsBySpan } from '@/lib/traces/critical-path';
import { initialCollapsed, initialSelection } from '@/lib/traces/first-screen';
import type { TraceTree } from '@/lib/traces/span-tree';
import type { ViewRange } from '@/lib/traces/time-layout';
import { afterPaint } from './after-paint';
import { downloadTrace } from './download-trace';
import { SpanDetail } from './span-detail';
import { TraceMinimap } from './trace-minimap';
import { TraceToolbar } from './trace-toolbar';
import { Waterfall } from './waterfall';

interface Props {
  trace: Trace;
  tree: TraceTree;
  colors: ReadonlyMap<string, string>;
  initialSpanId?: string;
  onShowOnGraph?: () => void;
}

export function TimelinePane({ trace, tree, colors, initialSpanId, onShowOnGraph }: Props) {
  // A big trace's critical path is drawn after the first paint: on 100,000 spans it costs a few hundred
  // ms that the first rows need not wait for. A small one's is drawn at once (and rendered on the server).
  const big = tree.nodes.length > COLLAPSE_ABOVE_SPANS;
  const [sections, setSections] = useState(() => (big ? undefined : sectionsBySpan(criticalPath(tree))));
  useEffect(() => {
    if (!big) return;
    return afterPaint(() => setSections(sectionsBySpan(criticalPath(tree))));
  }, [tree, big]);
  const bounds: ViewRange = useMemo(() => ({ start: tree.startTime, end: tree.endTime }), [tree]);
  const initialKey = useMemo(() => initialSelection(tree, initialSpanId), [tree, initialSpanId]);
  // A big trace opens folded below a depth, the span to show unfolded.
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => initialCollapsed(tree, initialKey));
  const [selectedKey, setSelectedKey] = useState<string | undefined>(initialKey);
  const [showCriticalPath, setShowCriticalPath] = useState(true);
  const [view, setView] = useState<ViewRange>(bounds);
  const rows = useMemo(() => visibleNodes(tree, collapsed), [tree, collapsed]);
  const selected = selectedKey === undefined ? undefined : tree.byKey.get(selectedKey);

  const select = (key: string) => {
    setSelectedKey(key);
    const spanID = tree.byKey.get(key)?.span.spanID;
    if (spanID && typeof window !== 'undefined') {
      const url = new URL(window.location.href);
      url.searchParams.set('span', spanID);
      window.history.replaceState(null, '', url);
    }
  };
  /** Selects a span wherever it is, unfolding its ancestors (links, error stepping). */
  const goTo = (key: string) => {
    setCollapsed((c) => reveal(tree, c, key));
    select(key);
  };
  const jumpToError = (direction: 1 | -1) => {
    const errors = tree.nodes.filter((n) => n.isError);
    if (errors.length === 0) return;
    const at = errors.findIndex((n) => n.key === selectedKey);
    const next = errors[(at + direction + errors.length) % errors.length];
    if (next) goTo(next.key);
  };

  return (
    <>
      <TraceToolbar
        errorCount={tree.errorCount}
        zoomed={view.start !== bounds.start || view.end !== bounds.end}
        showCriticalPath={showCriticalPath}
        onExpandAll={() => setCollapsed(new Set())}
        onCollapseAll={() => setCollapsed(collapseAll(tree))}
        onCriticalPath={setShowCriticalPath}
        onResetZoom={() => setView(bounds)}
        onShowOnGraph={onShowOnGraph}
        onDownload={() => downloadTrace(trace)}
        onNextError={() => jumpToError(1)}
        onPreviousError={() => jumpToError(-1)}
      />
      <TraceMinimap tree={tree} colors={colors} view={view} onView={setView} />
      <div className="flex min-h-0 flex-1">
        <Waterfall
          tree={tree}
          rows={rows}
          collapsed={collapsed}
          selectedKey={selectedKey}
          criticalPath={showCriticalPath ? sections : undefined}
          colors={colors}
          view={view}
          onView={setView}
          onToggle={(key) => setCollapsed((c) => toggleCollapsed(c, key))}
          onSelect={select}
        />
        <div className="flex w-96 shrink-0 flex-col border-l border-slate-200 dark:border-slate-800">
          {selected ? (
            <SpanDetail
              tree={tree}
              node={selected}
              traceStart={tree.startTime}
              color={colors.get(selected.serviceName) ?? '#64748b'}
              onSelectSpan={goTo}
            />
          ) : (
            <p className="p-3 text-sm text-slate-600 dark:text-slate-400">
              Select a span to see its tags, process and events.
            </p>
          )}
        </div>
      </div>
    </>
  );
}

'use client';
import { useQuery } from '@tanstack/react-query';
// The trace page's body: loads one trace, builds its tree and critical path, and keeps the view state
// (collapsed spans, selection, zoom). The selected span lives in the URL (`?span=`) so links can point at it.
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useMemo, useState } from 'react';
import type { Trace } from '@/lib/jaeger/model';
import { traceOptions } from '@/lib/queries/traces';
import { collapseAll, reveal, toggleCollapsed, visibleNodes } from '@/lib/traces/collapse';
import { criticalPath, sectionsBySpan } from '@/lib/traces/critical-path';
import { serviceColors } from '@/lib/traces/service-colors';
import { buildSpanTree } from '@/lib/traces/span-tree';
import type { ViewRange } from '@/lib/traces/time-layout';
import { ApiErrorNotice } from './api-error-notice';
import { SpanDetail } from './span-detail';
import { TraceHeader } from './trace-header';
import { setOverlayTrace } from './trace-overlay-store';
import { TraceToolbar } from './trace-toolbar';
import { Waterfall } from './waterfall';

export function TraceView({ traceId, initialSpanId }: { traceId: string; initialSpanId?: string }) {
  const router = useRouter();
  const { data, error, isPending } = useQuery(traceOptions(traceId));
  if (isPending) return <p className="p-4 text-sm text-slate-500">Loading trace {traceId}…</p>;
  if (error) {
    return (
      <div className="space-y-3 p-4">
        <ApiErrorNotice error={error} />
        <Link href="/traces" className="text-sm text-sky-700 underline dark:text-sky-400">
          Search traces
        </Link>
      </div>
    );
  }
  const showOnGraph = () => {
    setOverlayTrace(data.trace.traceID);
    router.push('/graph');
  };
  return <TraceTimeline trace={data.trace} initialSpanId={initialSpanId} onShowOnGraph={showOnGraph} />;
}

/** The waterfall and detail pane for a loaded trace (also used directly with fixture data). */
export function TraceTimeline({
  trace,
  initialSpanId,
  onShowOnGraph,
}: {
  trace: Trace;
  initialSpanId?: string;
  /** Offered when the page can navigate to the graph. */
  onShowOnGraph?: () => void;
}) {
  const tree = useMemo(() => buildSpanTree(trace), [trace]);
  const sections = useMemo(() => sectionsBySpan(criticalPath(tree)), [tree]);
  const colors = useMemo(() => serviceColors(tree.services.map((s) => s.name)), [tree]);
  const bounds: ViewRange = useMemo(() => ({ start: tree.startTime, end: tree.endTime }), [tree]);
  const initialKey = useMemo(() => {
    const wanted = tree.nodes.find((n) => n.span.spanID === initialSpanId);
    // Without a span asked for, open on the deepest error: usually where the request failed.
    const errors = tree.nodes.filter((n) => n.isError);
    const deepest = errors.reduce<(typeof errors)[number] | undefined>(
      (a, n) => (!a || n.depth > a.depth ? n : a),
      undefined,
    );
    return (wanted ?? deepest ?? tree.nodes[0])?.key;
  }, [tree, initialSpanId]);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());
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
  const jumpToError = (direction: 1 | -1) => {
    const errors = tree.nodes.filter((n) => n.isError);
    if (errors.length === 0) return;
    const at = errors.findIndex((n) => n.key === selectedKey);
    const next = errors[(at + direction + errors.length) % errors.length];
    if (!next) return;
    setCollapsed((c) => reveal(tree, c, next.key));
    select(next.key);
  };

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <TraceHeader tree={tree} colors={colors} />
      <TraceToolbar
        errorCount={tree.errorCount}
        zoomed={view.start !== bounds.start || view.end !== bounds.end}
        showCriticalPath={showCriticalPath}
        onExpandAll={() => setCollapsed(new Set())}
        onCollapseAll={() => setCollapsed(collapseAll(tree))}
        onCriticalPath={setShowCriticalPath}
        onResetZoom={() => setView(bounds)}
        onShowOnGraph={onShowOnGraph}
        onNextError={() => jumpToError(1)}
        onPreviousError={() => jumpToError(-1)}
      />
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
              node={selected}
              traceStart={tree.startTime}
              color={colors.get(selected.serviceName) ?? '#64748b'}
            />
          ) : (
            <p className="p-3 text-sm text-slate-500">Select a span to see its tags, process and events.</p>
          )}
        </div>
      </div>
    </div>
  );
}

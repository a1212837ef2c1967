'use client';
import { useQuery } from '@tanstack/react-query';
// The trace page's body: loads one trace, builds its tree once, and shows it in the chosen view (timeline,
// statistics, flame graph).
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { type ReactNode, useMemo, useState } from 'react';
import type { Trace } from '@/lib/jaeger/model';
import { traceOptions } from '@/lib/queries/traces';
import { serviceColors } from '@/lib/traces/service-colors';
import { buildSpanTree } from '@/lib/traces/span-tree';
import { ApiErrorNotice } from './api-error-notice';
import { FlameGraphView } from './flame-graph-view';
import { TimelinePane } from './timeline-pane';
import { TraceHeader } from './trace-header';
import { setOverlayTrace } from './trace-overlay-store';
import { TraceStatsTable } from './trace-stats-table';
import { TraceTabs, type TraceViewId } from './trace-tabs';

export function TraceView({
  traceId,
  initialSpanId,
  preview,
}: {
  traceId: string;
  initialSpanId?: string;
  /** Shown while the trace loads (the server's first screen of a big trace); by default a line of text. */
  preview?: ReactNode;
}) {
  const router = useRouter();
  const { data, error, isPending } = useQuery(traceOptions(traceId));
  if (isPending) return preview ?? <TraceLoading traceId={traceId} />;
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

export function TraceLoading({ traceId }: { traceId: string }) {
  return <p className="p-4 text-sm text-slate-600 dark:text-slate-400">Loading trace {traceId}…</p>;
}

/** A loaded trace's page body: header, view tabs and the chosen view (also used with fixture data and files). */
export function TraceTimeline({
  trace,
  initialSpanId,
  onShowOnGraph,
  source,
}: {
  trace: Trace;
  initialSpanId?: string;
  /** Offered when the page can navigate to the graph. */
  onShowOnGraph?: () => void;
  /** Where the trace came from when not from the backend (a file's name). */
  source?: string;
}) {
  const tree = useMemo(() => buildSpanTree(trace), [trace]);
  const colors = useMemo(() => serviceColors(tree.services.map((s) => s.name)), [tree]);
  const [tab, setTab] = useState<TraceViewId>('timeline');
  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <TraceHeader tree={tree} colors={colors} warnings={trace.warnings} source={source} />
      <TraceTabs active={tab} onChange={setTab} />
      <div
        id="trace-view-panel"
        role="tabpanel"
        aria-labelledby={`trace-tab-${tab}`}
        className="flex min-h-0 flex-1 flex-col"
      >
        {tab === 'timeline' ? (
          <TimelinePane
            trace={trace}
            tree={tree}
            colors={colors}
            initialSpanId={initialSpanId}
            onShowOnGraph={onShowOnGraph}
          />
        ) : tab === 'stats' ? (
          <TraceStatsTable tree={tree} />
        ) : (
          <FlameGraphView tree={tree} colors={colors} />
        )}
      </div>
    </div>
  );
}

'use client';
// /traces/file/{traceId}: a trace opened from a file, from the tab's memory; after a reload it is gone
// and the page says so.
import Link from 'next/link';
import { getLocalTrace } from './local-traces';
import { TraceTimeline } from './trace-view';

export function LocalTraceView({ traceId, initialSpanId }: { traceId: string; initialSpanId?: string }) {
  const local = getLocalTrace(traceId);
  if (!local) {
    return (
      <div className="space-y-3 p-4 text-sm">
        <p role="alert">
          Trace {traceId} was opened from a file and is no longer in this tab’s memory (a reload forgets it).
          Open the file again from the search page.
        </p>
        <Link href="/traces" className="text-sky-700 underline dark:text-sky-400">
          Search traces
        </Link>
      </div>
    );
  }
  return <TraceTimeline trace={local.trace} initialSpanId={initialSpanId} source={local.fileName} />;
}

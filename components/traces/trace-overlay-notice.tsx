'use client';
// Over the graph while a trace's path is drawn on it: which trace, a link to it, and a way to clear it.
// Mount inside the graph canvas' positioned container: `<TraceOverlayNotice />`.
import Link from 'next/link';
import { setOverlayTrace } from './trace-overlay-store';
import { useTraceGraphPath } from './use-trace-overlay';

export function TraceOverlayNotice() {
  const { traceId, path, error } = useTraceGraphPath();
  if (!traceId) return null;
  return (
    <div
      role="status"
      data-testid="trace-overlay"
      className="absolute bottom-2 left-2 flex items-center gap-3 rounded border border-sky-300 bg-white/90 px-3 py-1.5 text-xs shadow dark:border-sky-800 dark:bg-slate-950/90"
    >
      <span>
        {error
          ? `Trace ${traceId.slice(0, 12)} cannot be shown: ${error.message}`
          : path
            ? `Trace ${traceId.slice(0, 12)}: ${path.edgeIds.length} edges, ${path.errorEdgeIds.length} failed (red)`
            : `Loading trace ${traceId.slice(0, 12)}…`}
      </span>
      <Link href={`/traces/${traceId}`} className="text-sky-700 underline dark:text-sky-400">
        Open trace
      </Link>
      <button type="button" className="underline" onClick={() => setOverlayTrace(undefined)}>
        Clear
      </button>
    </div>
  );
}

// Traces opened from a file, kept in the tab's memory (no backend holds them) so that the file's trace
// page and the compare page can show them after a client-side navigation. A reload forgets them.
import type { Trace } from '@/lib/jaeger/model';

/** How many opened traces the tab keeps; the oldest is forgotten first. */
export const MAX_LOCAL_TRACES = 20;

export interface LocalTrace {
  trace: Trace;
  fileName: string;
}

const traces = new Map<string, LocalTrace>();

export function putLocalTraces(list: readonly Trace[], fileName: string): void {
  for (const trace of list) {
    traces.delete(trace.traceID);
    traces.set(trace.traceID, { trace, fileName });
  }
  while (traces.size > MAX_LOCAL_TRACES) {
    const oldest = traces.keys().next().value;
    if (oldest === undefined) break;
    traces.delete(oldest);
  }
}

export function getLocalTrace(traceId: string): LocalTrace | undefined {
  return traces.get(traceId);
}

/** Where a trace opened from a file is shown. */
export function localTraceHref(traceId: string): string {
  return `/traces/file/${encodeURIComponent(traceId)}`;
}

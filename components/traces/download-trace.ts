// "Download JSON": the trace as `/api/traces/{id}` answers it (Jaeger's envelope), which Jaeger UI and
// the search page's "Open trace file" both read back.
import type { Trace } from '@/lib/jaeger/model';

export function traceFileJson(trace: Trace): string {
  return JSON.stringify({ data: [trace], total: 0, limit: 0, offset: 0, errors: null });
}

export function downloadTrace(trace: Trace): void {
  const url = URL.createObjectURL(new Blob([traceFileJson(trace)], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `trace-${trace.traceID}.json`;
  document.body.append(a);
  a.click();
  a.remove();
  // The click has started the download; the object URL is no longer needed.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

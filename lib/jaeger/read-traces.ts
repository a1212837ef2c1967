// The one door for trace JSON into the dashboard: Jaeger's `/api/traces[/{id}]` envelope, a bare trace or
// list of traces (Jaeger UI's downloads), OTLP JSON (a file, or `/api/v3` under `result`) — all read
// leniently into Jaeger's model with each repair in the span's warnings. Only an answer that holds no trace
// at all is an error, in words.
import { groupIntoTraces, type OtlpTracesData, spansFromOtlp } from './from-otlp';
import { readTrace } from './lenient-trace';
import type { Trace } from './model';
import { repairStructure } from './trace-structure';

export type TracesRead = { ok: true; traces: Trace[] } | { ok: false; message: string };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** One trace object, read and repaired. */
export function normalizeTrace(
  raw: unknown,
  fallbackId?: string,
): { ok: true; trace: Trace } | { ok: false; message: string } {
  const read = readTrace(raw, fallbackId);
  return read.ok ? { ok: true, trace: repairStructure(read.value) } : read;
}

function readList(list: unknown[], where: string): TracesRead {
  const traces: Trace[] = [];
  for (let i = 0; i < list.length; i++) {
    const r = normalizeTrace(list[i], `trace-${i + 1}`);
    if (!r.ok) return { ok: false, message: `${where}[${i}] is ${r.message}` };
    traces.push(r.trace);
  }
  return { ok: true, traces };
}

function fromOtlp(data: OtlpTracesData): TracesRead {
  const converted = spansFromOtlp(data);
  const traces = groupIntoTraces(converted.spans).map((t) =>
    repairStructure({ trace: t, missingStart: new Set() }),
  );
  if (converted.rejectedSpans > 0) {
    const note = `${converted.rejectedSpans} OTLP spans could not be read: ${converted.errors.join('; ')}`;
    for (const t of traces) t.warnings = [...(t.warnings ?? []), note];
    if (traces.length === 0) return { ok: false, message: note };
  }
  return { ok: true, traces };
}

/** Any trace-bearing JSON value. */
export function readTraces(body: unknown): TracesRead {
  if (Array.isArray(body)) return readList(body, 'the list');
  if (!isObject(body)) return { ok: false, message: 'not a trace: expected a JSON object or list' };
  if ('data' in body) {
    // Go writes an empty list as null.
    if (body.data === null) return { ok: true, traces: [] };
    if (Array.isArray(body.data)) return readList(body.data, '"data"');
    if (isObject(body.data)) return readList([body.data], '"data"');
    return { ok: false, message: 'not a trace: "data" is neither a list nor a trace' };
  }
  if (Array.isArray(body.resourceSpans)) return fromOtlp(body as OtlpTracesData);
  if (isObject(body.result) && Array.isArray(body.result.resourceSpans)) {
    return fromOtlp(body.result as OtlpTracesData);
  }
  if ('spans' in body) return readList([body], 'the trace');
  return {
    ok: false,
    message:
      'not a trace: expected Jaeger JSON ({data: [...]} or {traceID, spans}) or OTLP JSON ({resourceSpans})',
  };
}

/** A trace file's text: JSON, then `readTraces`. */
export function readTraceFile(text: string): TracesRead {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    return { ok: false, message: `not JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  const r = readTraces(body);
  if (r.ok && r.traces.length === 0) return { ok: false, message: 'the file holds no trace' };
  return r;
}

'use client';
// "Open trace file" on the search page: a JSON file dropped or picked (Jaeger's /api/traces answer, Jaeger
// UI's download, OTLP JSON) is read in the browser and shown without a backend; a file with several traces
// lists them. What is not a trace is said in words.
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { type DragEvent, useId, useState } from 'react';
import type { Trace } from '@/lib/jaeger/model';
import { readTraceFile } from '@/lib/jaeger/read-traces';
import { formatDuration } from '@/lib/traces/time-layout';
import { summarizeTrace } from '@/lib/traces/trace-summary';
import { compareHref } from './compare-button';
import { localTraceHref, putLocalTraces } from './local-traces';

/** Files above this size are refused before reading (a tab holds the text, then the trace). */
export const MAX_TRACE_FILE_BYTES = 512 * 1024 * 1024;

export function TraceFileOpener() {
  const router = useRouter();
  const inputId = useId();
  const [state, setState] = useState<
    | { kind: 'idle' }
    | { kind: 'reading'; name: string }
    | { kind: 'error'; message: string }
    | { kind: 'many'; traces: Trace[] }
  >({ kind: 'idle' });
  const [over, setOver] = useState(false);

  const open = async (file: File | undefined) => {
    if (!file) return;
    if (file.size > MAX_TRACE_FILE_BYTES) {
      setState({
        kind: 'error',
        message: `${file.name} is ${Math.round(file.size / 2 ** 20)} MiB; at most ${MAX_TRACE_FILE_BYTES / 2 ** 20} MiB can be opened`,
      });
      return;
    }
    setState({ kind: 'reading', name: file.name });
    const read = readTraceFile(await file.text());
    if (!read.ok) {
      setState({ kind: 'error', message: `${file.name}: ${read.message}` });
      return;
    }
    putLocalTraces(read.traces, file.name);
    const [only] = read.traces;
    if (read.traces.length === 1 && only) router.push(localTraceHref(only.traceID));
    else setState({ kind: 'many', traces: read.traces });
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    void open(e.dataTransfer.files[0]);
  };

  return (
    <section
      aria-label="Open trace file"
      className="mt-6 border-t border-slate-200 pt-4 dark:border-slate-800"
    >
      {/* biome-ignore lint/a11y/noStaticElementInteractions: dropping is the pointer's shortcut; the file input inside is the keyboard's way */}
      <div
        data-testid="trace-drop-zone"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        className={`rounded-md border-2 border-dashed p-3 text-xs ${
          over ? 'border-sky-600 bg-sky-50 dark:bg-sky-950' : 'border-slate-300 dark:border-slate-700'
        }`}
      >
        <label htmlFor={inputId} className="block font-medium text-slate-700 dark:text-slate-200">
          Open trace file
        </label>
        <p className="mt-1 text-slate-600 dark:text-slate-300">
          Drop a JSON file here or pick one: Jaeger JSON or OTLP JSON. It is shown without a backend.
        </p>
        <input
          id={inputId}
          type="file"
          accept=".json,application/json"
          onChange={(e) => void open(e.target.files?.[0])}
          className="mt-2 block w-full text-xs file:mr-2 file:rounded file:border file:border-slate-300 file:bg-transparent file:px-2 file:py-0.5 focus-visible:outline-2 focus-visible:outline-sky-500 dark:file:border-slate-700 dark:file:text-slate-200"
        />
      </div>
      {state.kind === 'reading' ? (
        <p className="mt-2 text-xs text-slate-600 dark:text-slate-300">Reading {state.name}…</p>
      ) : null}
      {state.kind === 'error' ? (
        <p
          role="alert"
          className="mt-2 rounded border border-red-300 bg-red-50 px-2 py-1 text-xs text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
        >
          Not opened: {state.message}
        </p>
      ) : null}
      {state.kind === 'many' ? (
        <ul aria-label="Traces in the file" className="mt-2 space-y-1 text-xs">
          {state.traces.map((t) => {
            const s = summarizeTrace(t);
            return (
              <li key={t.traceID}>
                <Link className="text-sky-700 underline dark:text-sky-300" href={localTraceHref(t.traceID)}>
                  {`${s.rootService}: ${s.rootOperation}`}
                </Link>{' '}
                <span className="text-slate-600 dark:text-slate-300">
                  {s.spanCount} spans, {formatDuration(s.duration)}
                </span>
              </li>
            );
          })}
          {state.traces.length >= 2 ? (
            <li>
              <Link
                className="text-sky-700 underline dark:text-sky-300"
                href={compareHref((state.traces[0] as Trace).traceID, (state.traces[1] as Trace).traceID)}
              >
                Compare the first two
              </Link>
            </li>
          ) : null}
        </ul>
      ) : null}
    </section>
  );
}

'use client';
// The search results: one card per trace (root service and operation, duration, spans, services with
// their errors), sortable, each opening its trace; tick two to compare them.
import Link from 'next/link';
import { useState } from 'react';
import { serviceColors } from '@/lib/traces/service-colors';
import { formatDuration } from '@/lib/traces/time-layout';
import type { TraceSummary } from '@/lib/traces/trace-summary';
import { CompareButton } from './compare-button';

const SORTS = {
  recent: { label: 'Most recent', by: (a: TraceSummary, b: TraceSummary) => b.startTime - a.startTime },
  longest: { label: 'Longest first', by: (a: TraceSummary, b: TraceSummary) => b.duration - a.duration },
  shortest: { label: 'Shortest first', by: (a: TraceSummary, b: TraceSummary) => a.duration - b.duration },
  spans: { label: 'Most spans', by: (a: TraceSummary, b: TraceSummary) => b.spanCount - a.spanCount },
  errors: { label: 'Most errors', by: (a: TraceSummary, b: TraceSummary) => b.errorCount - a.errorCount },
} as const;
type SortKey = keyof typeof SORTS;

export function TraceResults({ traces }: { traces: readonly TraceSummary[] }) {
  const [sort, setSort] = useState<SortKey>('recent');
  // Two traces picked for comparing, in the order picked (the first is A, the baseline).
  const [picked, setPicked] = useState<string[]>([]);
  const pick = (id: string, on: boolean) =>
    setPicked((p) => (on ? [...p.filter((x) => x !== id), id].slice(-2) : p.filter((x) => x !== id)));
  const sorted = [...traces].sort(SORTS[sort].by);
  const colors = serviceColors(traces.flatMap((t) => t.services.map((s) => s.name)));
  return (
    <section aria-label="Traces found">
      <div className="mb-2 flex items-center gap-2 text-sm">
        <h2 className="font-semibold">
          {traces.length} trace{traces.length === 1 ? '' : 's'}
        </h2>
        <CompareButton picked={picked} />
        <label className="ml-auto flex items-center gap-1 text-xs">
          Sort
          <select
            value={sort}
            onChange={(e) => setSort(e.target.value as SortKey)}
            className="rounded border border-slate-300 bg-transparent px-1 py-0.5 dark:border-slate-700"
          >
            {Object.entries(SORTS).map(([k, s]) => (
              <option key={k} value={k}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ul className="flex flex-col gap-2">
        {sorted.map((t) => (
          <li
            key={t.traceID}
            data-trace-id={t.traceID}
            data-error-count={t.errorCount}
            className="flex items-start gap-2"
          >
            <input
              type="checkbox"
              aria-label={`Compare ${t.rootService}: ${t.rootOperation} ${t.traceID.slice(0, 12)}`}
              checked={picked.includes(t.traceID)}
              onChange={(e) => pick(t.traceID, e.target.checked)}
              className="mt-3 focus-visible:outline-2 focus-visible:outline-sky-500"
            />
            <Link
              href={`/traces/${t.traceID}`}
              className={`block min-w-0 flex-1 rounded-md border px-3 py-2 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-sky-500 dark:hover:bg-slate-900 ${
                t.errorCount > 0
                  ? 'border-red-300 dark:border-red-900'
                  : 'border-slate-200 dark:border-slate-800'
              }`}
            >
              <div className="flex items-baseline gap-2">
                <span className="font-medium">
                  {t.rootService}: {t.rootOperation}
                </span>
                <span className="font-mono text-xs text-slate-600 dark:text-slate-400">
                  {t.traceID.slice(0, 12)}
                </span>
                <span className="ml-auto text-sm font-semibold">{formatDuration(t.duration)}</span>
              </div>
              <div className="mt-1 flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-slate-600 dark:text-slate-300">
                <span>{t.spanCount} spans</span>
                {t.errorCount > 0 ? (
                  <span className="rounded bg-red-600 px-1.5 font-semibold text-white">
                    {t.errorCount} error{t.errorCount === 1 ? '' : 's'}
                  </span>
                ) : null}
                {t.rootStatusCode ? <span>HTTP {t.rootStatusCode}</span> : null}
                {t.rootResponseFlags ? <span className="font-mono">{t.rootResponseFlags}</span> : null}
                {t.services.map((s) => (
                  <span key={s.name} className="flex items-center gap-1">
                    <span
                      aria-hidden
                      className="h-2 w-2 rounded-sm"
                      style={{ backgroundColor: colors.get(s.name) }}
                    />
                    <span>
                      {`${s.name} (${s.spanCount}`}
                      {s.errorCount > 0 ? (
                        <span className="text-red-700 dark:text-red-300">{`, ${s.errorCount} err`}</span>
                      ) : null}
                      )
                    </span>
                  </span>
                ))}
                <span className="ml-auto text-slate-600 dark:text-slate-400">
                  {new Date(t.startTime / 1000).toLocaleTimeString()}
                </span>
              </div>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

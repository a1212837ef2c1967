'use client';
import { useQuery } from '@tanstack/react-query';
// The /traces page body: the search from the URL, the form, opening a trace file, the duration scatter and
// the results (two of which can be compared).
import { useSearchParams } from 'next/navigation';
import { traceSearchOptions } from '@/lib/queries/traces';
import { parseSearchState, searchStateToParams } from '@/lib/traces/search-params';
import { ApiErrorNotice } from './api-error-notice';
import { DurationScatter } from './duration-scatter';
import { SearchForm } from './search-form';
import { TraceFileOpener } from './trace-file-opener';
import { TraceResults } from './trace-results';

export function TraceSearchPage() {
  const params = useSearchParams();
  const parsed = parseSearchState(new URLSearchParams(params.toString()));
  const query = parsed.ok ? searchStateToParams(parsed.state).toString() : '';
  const search = useQuery({ ...traceSearchOptions(query), enabled: parsed.ok });
  const initial = parsed.ok ? parsed.state : { errorsOnly: false, lookback: '1h' as const, limit: 20 };

  return (
    <div className="flex min-h-0 flex-1">
      <aside className="w-72 shrink-0 overflow-y-auto border-r border-slate-200 p-4 dark:border-slate-800">
        {/* Remount on a new URL (back/forward) so the form shows the search being displayed. */}
        <SearchForm key={query} initial={initial} />
        <TraceFileOpener />
      </aside>
      <div className="flex min-w-0 flex-1 flex-col gap-3 overflow-y-auto p-4">
        {!parsed.ok ? (
          <div
            role="alert"
            className="rounded-md border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
          >
            <p className="font-semibold">Invalid search</p>
            <ul>
              {parsed.errors.map((e) => (
                <li key={`${e.field}${e.message}`}>
                  {e.field}: {e.message}
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        {search.error ? <ApiErrorNotice error={search.error} /> : null}
        {search.isFetching && !search.data ? (
          <p className="text-sm text-slate-600 dark:text-slate-400">Searching…</p>
        ) : null}
        {search.data ? (
          <>
            {search.data.warnings.length > 0 ? (
              <p role="status" className="text-xs text-amber-700 dark:text-amber-400">
                Some services could not be searched: {search.data.warnings.join('; ')}
              </p>
            ) : null}
            {search.data.traces.length > 0 ? <DurationScatter traces={search.data.traces} /> : null}
            {search.data.traces.length === 0 ? (
              <p className="text-sm text-slate-600 dark:text-slate-400">
                No traces match this search in the last {parsed.ok ? parsed.state.lookback : ''}.
              </p>
            ) : (
              <TraceResults traces={search.data.traces} />
            )}
          </>
        ) : null}
      </div>
    </div>
  );
}

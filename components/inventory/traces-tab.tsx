'use client';
// The Traces tab: the trace search scoped to the item's service name in Jaeger (`<app>.<namespace>`),
// its failing traces first, then every recent trace with the duration scatter.
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { ApiErrorNotice } from '@/components/traces/api-error-notice';
import { DurationScatter } from '@/components/traces/duration-scatter';
import { TraceResults } from '@/components/traces/trace-results';
import { traceSearchOptions } from '@/lib/queries/traces';
import { LINK_CLASS } from './links';

/** How far back and how many traces each of the two searches reads. */
const LOOKBACK = '1h';
const LIMIT = 20;

export function TracesTab({ service }: { service: string }) {
  const base = { service, lookback: LOOKBACK, limit: String(LIMIT) };
  const failing = useQuery(traceSearchOptions(new URLSearchParams({ ...base, errors: '1' }).toString()));
  const all = useQuery(traceSearchOptions(new URLSearchParams(base).toString()));
  return (
    <div className="flex flex-col gap-4">
      <p className="text-sm">
        Traces of <span className="font-mono">{service}</span> in the last {LOOKBACK}.{' '}
        <Link href={`/traces?${new URLSearchParams({ service, lookback: LOOKBACK })}`} className={LINK_CLASS}>
          Open in the trace search
        </Link>
      </p>
      <section aria-label="Failing traces" className="flex flex-col gap-2">
        <h2 className="font-semibold">Failing</h2>
        {failing.error ? <ApiErrorNotice error={failing.error} /> : null}
        {failing.isPending ? <p className="text-sm">Searching…</p> : null}
        {failing.data && failing.data.traces.length === 0 ? (
          <p className="text-sm">No failing traces.</p>
        ) : null}
        {failing.data && failing.data.traces.length > 0 ? (
          <TraceResults traces={failing.data.traces} />
        ) : null}
      </section>
      <section aria-label="All traces" className="flex flex-col gap-2">
        <h2 className="font-semibold">All</h2>
        {all.error ? <ApiErrorNotice error={all.error} /> : null}
        {all.isPending ? <p className="text-sm">Searching…</p> : null}
        {all.data && all.data.traces.length === 0 ? <p className="text-sm">No traces.</p> : null}
        {all.data && all.data.traces.length > 0 ? (
          <>
            <DurationScatter traces={all.data.traces} />
            <TraceResults traces={all.data.traces} />
          </>
        ) : null}
      </section>
    </div>
  );
}

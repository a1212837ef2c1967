'use client';
// A graph node's or edge's recent failing requests (error traces through it, with the span that failed
// there, its status and response flags in words); each opens its trace at that span, or shows it on the graph.
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { failingRequestsOptions } from '@/lib/queries/traces';
import { flagsInWords, grpcStatusInWords, grpcStatusOfCode } from '@/lib/traces/span-facts';
import { formatDuration } from '@/lib/traces/time-layout';
import { ApiErrorNotice } from './api-error-notice';
import { setOverlayTrace, useOverlayTraceId } from './trace-overlay-store';
import { useGraphKind } from './use-trace-overlay';

export type FailingRequestsProps = ({ node: string } | { source: string; target: string }) & {
  /** Jaeger lookback (default 1h) and how many to list (default 8). */
  lookback?: '15m' | '1h' | '6h' | '24h';
  limit?: number;
  /** Refetch period in ms (default 15 s); false: never. */
  refetchIntervalMs?: number | false;
};

export function FailingRequests(props: FailingRequestsProps) {
  const { graphType, injectServiceNodes } = useGraphKind();
  const overlaid = useOverlayTraceId();
  const params = new URLSearchParams(
    'node' in props ? { node: props.node } : { source: props.source, target: props.target },
  );
  params.set('graphType', graphType);
  if (!injectServiceNodes) params.set('injectServiceNodes', 'false');
  params.set('lookback', props.lookback ?? '1h');
  params.set('limit', String(props.limit ?? 8));
  const q = useQuery(failingRequestsOptions(params.toString(), props.refetchIntervalMs ?? 15_000));

  return (
    <section aria-label="Failing requests" data-testid="failing-requests" className="space-y-2">
      <h3 className="text-sm font-semibold">Recent failing requests</h3>
      {overlaid ? (
        <p className="flex items-center gap-2 text-xs">
          Trace <span className="font-mono">{overlaid.slice(0, 12)}</span> is shown on the graph.
          <button type="button" className="underline" onClick={() => setOverlayTrace(undefined)}>
            Clear
          </button>
        </p>
      ) : null}
      {q.isPending ? (
        <p className="text-xs text-slate-600 dark:text-slate-400">Looking for error traces…</p>
      ) : null}
      {q.error ? <ApiErrorNotice error={q.error} compact /> : null}
      {q.data && q.data.traces.length === 0 ? (
        <p className="text-xs text-slate-600 dark:text-slate-400">
          No error traces here in the last {props.lookback ?? '1h'}.
        </p>
      ) : null}
      <ul className="space-y-1.5">
        {q.data?.traces.map((t) => {
          const f = t.failingSpan;
          const flags = flagsInWords(f?.responseFlags);
          const grpc = f?.grpcStatus === undefined ? undefined : grpcStatusOfCode(f.grpcStatus);
          return (
            <li
              key={t.traceID}
              data-trace-id={t.traceID}
              data-status-code={f?.statusCode}
              data-response-flags={f?.responseFlags}
              data-grpc-status={f?.grpcStatus}
              className="rounded border border-red-200 p-2 text-xs dark:border-red-900"
            >
              <div className="flex items-baseline gap-2">
                <Link
                  href={`/traces/${t.traceID}${f ? `?span=${f.spanID}` : ''}`}
                  className="font-medium text-sky-700 underline-offset-2 hover:underline dark:text-sky-400"
                >
                  {f ? `${f.serviceName} → ${f.operationName}` : `${t.rootService}: ${t.rootOperation}`}
                </Link>
                <span className="ml-auto shrink-0 text-slate-600 dark:text-slate-400">
                  {new Date(t.startTime / 1000).toLocaleTimeString()}
                </span>
              </div>
              <div className="mt-0.5 flex flex-wrap items-center gap-x-2 text-slate-600 dark:text-slate-300">
                {f?.statusCode !== undefined ? (
                  <span className="font-semibold text-red-700 dark:text-red-300">
                    {f.statusCode === 0 ? 'no response' : f.statusCode}
                  </span>
                ) : null}
                {grpc ? (
                  <span className="font-semibold text-red-700 dark:text-red-300">
                    {grpcStatusInWords(grpc)}
                  </span>
                ) : null}
                {flags?.map((w) => (
                  <span key={w.flag} title={w.meaning}>
                    <span className="font-mono font-semibold">{w.flag}</span> {w.meaning}
                  </span>
                ))}
                <span>{formatDuration(t.duration)}</span>
                <span>{t.spanCount} spans</span>
                <button
                  type="button"
                  aria-pressed={overlaid === t.traceID}
                  onClick={() => setOverlayTrace(overlaid === t.traceID ? undefined : t.traceID)}
                  className="ml-auto rounded border border-slate-300 px-1.5 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
                >
                  {overlaid === t.traceID ? 'Hide path' : 'Show on graph'}
                </button>
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

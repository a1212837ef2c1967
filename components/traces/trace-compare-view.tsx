'use client';
// /traces/compare?a=&b= — Jaeger UI's trace diff: the spans of B against A, matched by their path of
// "service: operation" from the root; added, removed, slower and faster paths marked in colour and words.
import Link from 'next/link';
import { useMemo } from 'react';
import type { Trace } from '@/lib/jaeger/model';
import { buildSpanTree } from '@/lib/traces/span-tree';
import { formatDuration } from '@/lib/traces/time-layout';
import { type DiffState, diffTraces } from '@/lib/traces/trace-diff';
import { ApiErrorNotice } from './api-error-notice';
import { getLocalTrace, localTraceHref } from './local-traces';
import { type AnyTrace, useAnyTrace } from './use-any-trace';

const STATE_STYLE: Record<DiffState, { label: string; cls: string }> = {
  same: { label: 'same', cls: '' },
  added: {
    label: 'added in B',
    cls: 'bg-emerald-50 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-100',
  },
  removed: { label: 'removed in B', cls: 'bg-red-50 text-red-900 dark:bg-red-950 dark:text-red-100' },
  slower: { label: 'slower in B', cls: 'bg-amber-50 text-amber-900 dark:bg-amber-950 dark:text-amber-100' },
  faster: { label: 'faster in B', cls: 'bg-sky-50 text-sky-900 dark:bg-sky-950 dark:text-sky-100' },
  more: {
    label: 'more spans in B',
    cls: 'bg-violet-50 text-violet-900 dark:bg-violet-950 dark:text-violet-100',
  },
  fewer: {
    label: 'fewer spans in B',
    cls: 'bg-violet-50 text-violet-900 dark:bg-violet-950 dark:text-violet-100',
  },
};

function traceHref(id: string) {
  return getLocalTrace(id) ? localTraceHref(id) : `/traces/${encodeURIComponent(id)}`;
}

function Side({ label, id, state }: { label: string; id: string; state: AnyTrace }) {
  return (
    <div className="min-w-0 flex-1 rounded-md border border-slate-200 px-3 py-2 text-xs dark:border-slate-800">
      <p className="font-semibold">
        {label}:{' '}
        <Link className="font-mono text-sky-700 underline dark:text-sky-300" href={traceHref(id)}>
          {id || '(none)'}
        </Link>
      </p>
      {'trace' in state ? <SideSummary trace={state.trace} /> : null}
      {'error' in state ? <ApiErrorNotice error={state.error} compact /> : null}
      {'pending' in state ? <p className="text-slate-600 dark:text-slate-300">Loading…</p> : null}
    </div>
  );
}

function SideSummary({ trace }: { trace: Trace }) {
  const tree = useMemo(() => buildSpanTree(trace), [trace]);
  const root = tree.nodes[0];
  return (
    <p className="text-slate-600 dark:text-slate-300">
      {root ? `${root.serviceName}: ${root.span.operationName}` : 'empty'} · {tree.nodes.length} spans ·{' '}
      {formatDuration(tree.duration)}
    </p>
  );
}

export function TraceCompareView({ a, b }: { a: string; b: string }) {
  const sideA = useAnyTrace(a);
  const sideB = useAnyTrace(b);
  const traceA = 'trace' in sideA ? sideA.trace : undefined;
  const traceB = 'trace' in sideB ? sideB.trace : undefined;
  const rows = useMemo(
    () => (traceA && traceB ? diffTraces(buildSpanTree(traceA), buildSpanTree(traceB)) : undefined),
    [traceA, traceB],
  );
  return (
    <div className="flex min-h-0 flex-1 flex-col gap-3 overflow-auto p-4">
      <h1 className="text-lg font-semibold">Compare traces</h1>
      <div className="flex gap-3">
        <Side label="A (baseline)" id={a} state={sideA} />
        <Side label="B" id={b} state={sideB} />
      </div>
      {rows ? (
        <table aria-label="Trace comparison" data-testid="trace-diff" className="w-full text-xs">
          <thead>
            <tr className="border-b border-slate-300 text-left dark:border-slate-700">
              <th scope="col" className="py-1">
                Service: operation (path from the root)
              </th>
              <th scope="col" className="py-1 pr-3 text-right">
                Spans A
              </th>
              <th scope="col" className="py-1 pr-3 text-right">
                Spans B
              </th>
              <th scope="col" className="py-1 pr-3 text-right">
                Mean A
              </th>
              <th scope="col" className="py-1 pr-3 text-right">
                Mean B
              </th>
              <th scope="col" className="py-1">
                Change
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr
                key={r.id}
                data-diff-state={r.state}
                className={`border-b border-slate-100 dark:border-slate-800 ${STATE_STYLE[r.state].cls}`}
              >
                <td className="py-0.5" style={{ paddingLeft: Math.min(r.depth, 24) * 12 }}>
                  {r.name}
                </td>
                <td className="pr-3 text-right tabular-nums">{r.countA}</td>
                <td className="pr-3 text-right tabular-nums">{r.countB}</td>
                <td className="pr-3 text-right tabular-nums">{r.countA ? formatDuration(r.meanA) : '—'}</td>
                <td className="pr-3 text-right tabular-nums">{r.countB ? formatDuration(r.meanB) : '—'}</td>
                <td className="font-medium">{STATE_STYLE[r.state].label}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

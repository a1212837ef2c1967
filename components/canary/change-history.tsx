'use client';
// The history of the service's routing, from the control plane's audit log: who, when, from → to,
// with "Roll back to this" on every earlier state.
import type { HistoryItem, RouteSplit } from '@/lib/canary/history';
import { formatSplit } from '@/lib/canary/weights';

function Splits({ splits }: { splits: RouteSplit[] | null }) {
  if (splits === null) return <span className="italic">none</span>;
  if (splits.length === 0) return <span className="italic">no route to this service</span>;
  return (
    <span>
      {splits.map((r, i) => (
        <span key={r.route}>
          {i > 0 ? '; ' : ''}
          <span className="text-slate-600 dark:text-slate-400">{r.route}:</span> {formatSplit(r.split)}
        </span>
      ))}
    </span>
  );
}

const PAST: Record<string, string> = {
  create: 'created',
  update: 'updated',
  replace: 'replaced',
  patch: 'patched',
  delete: 'deleted',
};

export interface ChangeHistoryProps {
  items: HistoryItem[] | undefined;
  error: string | undefined;
  pending: boolean;
  canWrite: boolean;
  onRollback(item: HistoryItem): void;
}

export function ChangeHistory({ items, error, pending, canWrite, onRollback }: ChangeHistoryProps) {
  return (
    <section aria-labelledby="history-heading" className="flex flex-col gap-2">
      <h2 id="history-heading" className="text-base font-semibold">
        History
      </h2>
      {error ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          {error}
        </p>
      ) : null}
      {items && items.length === 0 ? <p className="text-sm">No recorded changes.</p> : null}
      <ol className="flex flex-col divide-y divide-slate-200 dark:divide-slate-800">
        {(items ?? []).map((item) => (
          <li
            key={`${item.resourceVersion}-${item.time}`}
            className="flex flex-wrap items-start gap-x-3 gap-y-1 py-2 text-sm"
          >
            <div className="min-w-0 flex-1">
              <div>
                <span className="font-medium">{item.who}</span>
                {item.via ? (
                  <span className="text-slate-600 dark:text-slate-400"> (via {item.via})</span>
                ) : null}{' '}
                <span className="text-slate-600 dark:text-slate-400">{PAST[item.verb] ?? item.verb}</span>{' '}
                <time dateTime={item.time} title={item.time}>
                  {new Date(item.time).toLocaleString()}
                </time>
                {item.current ? (
                  <span className="ml-2 rounded bg-emerald-100 px-1.5 text-xs text-emerald-900 dark:bg-emerald-950 dark:text-emerald-100">
                    current
                  </span>
                ) : null}
              </div>
              <div className="text-slate-700 dark:text-slate-200">
                <Splits splits={item.from} /> → <Splits splits={item.to} />
                {item.weightsChanged ? null : (
                  <span className="text-slate-600 dark:text-slate-400"> (weights unchanged)</span>
                )}
              </div>
            </div>
            {item.canRollBack ? (
              <button
                type="button"
                disabled={pending || !canWrite}
                onClick={() => onRollback(item)}
                className="rounded-md border border-slate-300 px-2 py-1 text-sm hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-sky-500 disabled:opacity-50 dark:border-slate-700 dark:hover:bg-slate-800"
              >
                Roll back to this
              </button>
            ) : null}
          </li>
        ))}
      </ol>
    </section>
  );
}

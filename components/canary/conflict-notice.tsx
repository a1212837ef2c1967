'use client';
// A concurrent change: nothing was applied. Shows your split and the current one side by side, who
// changed it, and lets the user reload the current state or apply theirs over it knowingly.
import type { ApplyOutcome } from '@/lib/canary/apply-plan';
import { formatSplit } from '@/lib/canary/weights';

export type Conflict = Extract<ApplyOutcome, { kind: 'conflict' }>;

export function ConflictNotice({
  conflict,
  onReload,
  onApplyMine,
}: {
  conflict: Conflict;
  onReload(): void;
  onApplyMine?: () => void;
}) {
  return (
    <div
      role="alert"
      className="flex flex-col gap-2 rounded-md border border-amber-400 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-50"
    >
      <p className="font-semibold">Conflict: the VirtualService changed since you loaded it.</p>
      <p>{conflict.message}</p>
      <dl className="grid grid-cols-[auto_1fr] gap-x-3">
        <dt className="font-medium">Your change</dt>
        <dd className="font-mono">{conflict.yours ? formatSplit(conflict.yours) : '—'}</dd>
        <dt className="font-medium">Current</dt>
        <dd className="font-mono">
          {conflict.current ? formatSplit(conflict.current) : 'no route for this service'}
          {conflict.changedBy ? (
            <span className="font-sans">
              {' '}
              (changed by {conflict.changedBy.who} at {new Date(conflict.changedBy.time).toLocaleString()})
            </span>
          ) : null}
        </dd>
      </dl>
      <div className="flex gap-2">
        <button
          type="button"
          onClick={onReload}
          className="rounded-md bg-amber-700 px-3 py-1 font-medium text-white hover:bg-amber-800 focus-visible:outline-2 focus-visible:outline-sky-500"
        >
          Reload
        </button>
        {onApplyMine ? (
          <button
            type="button"
            onClick={onApplyMine}
            className="rounded-md border border-amber-700 px-3 py-1 hover:bg-amber-100 focus-visible:outline-2 focus-visible:outline-sky-500 dark:hover:bg-amber-900"
          >
            Apply mine over it
          </button>
        ) : null}
      </div>
    </div>
  );
}

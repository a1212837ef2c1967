'use client';
// The trace page's views as tabs: timeline, statistics, flame graph. Each tab a button (Tab reaches it,
// arrow keys move between them as the ARIA tabs pattern asks).
import type { KeyboardEvent } from 'react';

export const TRACE_VIEWS = [
  { id: 'timeline', label: 'Timeline' },
  { id: 'stats', label: 'Statistics' },
  { id: 'flame', label: 'Flame graph' },
] as const;
export type TraceViewId = (typeof TRACE_VIEWS)[number]['id'];

export function TraceTabs({
  active,
  onChange,
}: {
  active: TraceViewId;
  onChange: (id: TraceViewId) => void;
}) {
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const i = TRACE_VIEWS.findIndex((v) => v.id === active);
    const next =
      TRACE_VIEWS[(i + (e.key === 'ArrowRight' ? 1 : TRACE_VIEWS.length - 1)) % TRACE_VIEWS.length];
    if (next) {
      onChange(next.id);
      document.getElementById(`trace-tab-${next.id}`)?.focus();
    }
    e.preventDefault();
  };
  return (
    <div
      role="tablist"
      aria-label="Trace views"
      className="flex gap-1 border-b border-slate-200 px-4 dark:border-slate-800"
    >
      {TRACE_VIEWS.map((v) => (
        <button
          key={v.id}
          id={`trace-tab-${v.id}`}
          type="button"
          role="tab"
          aria-selected={active === v.id}
          aria-controls="trace-view-panel"
          tabIndex={active === v.id ? 0 : -1}
          onKeyDown={onKeyDown}
          onClick={() => onChange(v.id)}
          className={`-mb-px border-b-2 px-3 py-1.5 text-sm focus-visible:outline-2 focus-visible:outline-sky-500 ${
            active === v.id
              ? 'border-sky-600 font-semibold text-slate-900 dark:border-sky-400 dark:text-white'
              : 'border-transparent text-slate-600 hover:text-slate-900 dark:text-slate-300 dark:hover:text-white'
          }`}
        >
          {v.label}
        </button>
      ))}
    </div>
  );
}

'use client';
// The trace statistics view: per service and operation, span count, errors, total, self and longest time,
// sortable by any column (buttons in the headers, so the keyboard sorts too).
import { useMemo, useState } from 'react';
import type { TraceTree } from '@/lib/traces/span-tree';
import { formatDuration } from '@/lib/traces/time-layout';
import { type OperationStats, traceStats } from '@/lib/traces/trace-stats';

type Column = 'service' | 'operation' | 'count' | 'errors' | 'total' | 'self' | 'max';
const COLUMNS: { key: Column; label: string; numeric: boolean }[] = [
  { key: 'service', label: 'Service', numeric: false },
  { key: 'operation', label: 'Operation', numeric: false },
  { key: 'count', label: 'Count', numeric: true },
  { key: 'errors', label: 'Errors', numeric: true },
  { key: 'total', label: 'Total', numeric: true },
  { key: 'self', label: 'Self time', numeric: true },
  { key: 'max', label: 'Longest', numeric: true },
];

function cell(row: OperationStats, key: Column): string {
  if (key === 'total' || key === 'self' || key === 'max') return formatDuration(row[key]);
  return String(row[key]);
}

export function TraceStatsTable({ tree }: { tree: TraceTree }) {
  const rows = useMemo(() => traceStats(tree), [tree]);
  const [sort, setSort] = useState<{ key: Column; desc: boolean }>({ key: 'total', desc: true });
  const sorted = useMemo(() => {
    const dir = sort.desc ? -1 : 1;
    return [...rows].sort((a, b) => {
      const x = a[sort.key];
      const y = b[sort.key];
      return (
        dir * (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y)))
      );
    });
  }, [rows, sort]);
  return (
    <div className="min-h-0 flex-1 overflow-auto p-4">
      <table aria-label="Trace statistics" data-testid="trace-stats" className="w-full text-xs">
        <thead>
          <tr className="border-b border-slate-300 text-left dark:border-slate-700">
            {COLUMNS.map((c) => (
              <th
                key={c.key}
                scope="col"
                aria-sort={sort.key === c.key ? (sort.desc ? 'descending' : 'ascending') : 'none'}
                className={`py-1 pr-3 ${c.numeric ? 'text-right' : ''}`}
              >
                <button
                  type="button"
                  className="font-semibold focus-visible:outline-2 focus-visible:outline-sky-500"
                  onClick={() =>
                    setSort((s) => ({ key: c.key, desc: s.key === c.key ? !s.desc : c.numeric }))
                  }
                >
                  {c.label}
                  {sort.key === c.key ? (sort.desc ? ' ▾' : ' ▴') : ''}
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sorted.map((r) => (
            <tr
              key={`${r.service}\u0000${r.operation}`}
              className="border-b border-slate-100 dark:border-slate-800"
            >
              {COLUMNS.map((c) => (
                <td
                  key={c.key}
                  className={`py-0.5 pr-3 ${c.numeric ? 'text-right tabular-nums' : 'break-all'} ${
                    c.key === 'errors' && r.errors > 0 ? 'font-semibold text-red-700 dark:text-red-400' : ''
                  }`}
                >
                  {cell(r, c.key)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

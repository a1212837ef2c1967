'use client';
// A column header that sorts the list by its column: a button whose name says the current order.
import type { SortColumn } from '@/lib/inventory/list-state';

export function SortHeader({
  column,
  label,
  sort,
  dir,
  onSort,
}: {
  column: SortColumn;
  label: string;
  sort: SortColumn;
  dir: 'asc' | 'desc';
  onSort: (column: SortColumn, dir: 'asc' | 'desc') => void;
}) {
  const active = sort === column;
  const next = active && dir === 'asc' ? 'desc' : 'asc';
  return (
    <button
      type="button"
      onClick={() => onSort(column, next)}
      aria-label={`${label}${active ? `, sorted ${dir === 'asc' ? 'ascending' : 'descending'}` : ''}; sort ${next === 'asc' ? 'ascending' : 'descending'}`}
      className="inline-flex items-center gap-1 font-medium hover:underline focus-visible:outline-2 focus-visible:outline-sky-500"
    >
      {label}
      <span aria-hidden="true">{active ? (dir === 'asc' ? '▲' : '▼') : '↕'}</span>
    </button>
  );
}

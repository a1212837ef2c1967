// The app's one data table: a header row of column names, one row an item, the first cell optionally
// the row's header (read out with each cell by screen readers). Sized for a page or a side panel.
import type { ReactNode } from 'react';

export interface Column<R> {
  header: ReactNode;
  cell: (row: R) => ReactNode;
  /** Classes of this column's header and cells (alignment, numerals, fonts). */
  className?: string;
}

export interface TableProps<R> {
  columns: Column<R>[];
  rows: readonly R[];
  rowKey: (row: R) => string;
  /** The table's accessible name, shown above it. */
  caption?: string;
  /** The first column heads its row (`<th scope="row">`). */
  rowHeaders?: boolean;
  /** `panel`: small print, no rules, for the graph's side panel. */
  size?: 'page' | 'panel';
  rowClassName?: (row: R) => string;
}

const SIZES = {
  page: {
    table: 'w-full text-sm',
    head: 'border-b border-slate-200 text-left text-slate-600 dark:border-slate-800 dark:text-slate-300',
    th: 'py-2 pr-2 font-medium',
    row: 'border-b border-slate-100 dark:border-slate-900',
    cell: 'py-1 pr-2',
  },
  panel: {
    table: 'w-full text-xs',
    head: 'text-left text-slate-500 dark:text-slate-400',
    th: 'pr-2 font-medium',
    row: 'align-top',
    cell: 'pr-2',
  },
} as const;

export function Table<R>({
  columns,
  rows,
  rowKey,
  caption,
  rowHeaders = false,
  size = 'page',
  rowClassName,
}: TableProps<R>) {
  const s = SIZES[size];
  return (
    <table className={s.table}>
      {caption ? <caption className="mb-1 text-left font-medium">{caption}</caption> : null}
      <thead>
        <tr className={s.head}>
          {columns.map((c, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: columns are a fixed list, never reordered
            <th key={i} scope="col" className={`${s.th} ${c.className ?? ''}`}>
              {c.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={rowKey(row)} className={`${s.row} ${rowClassName?.(row) ?? ''}`}>
            {columns.map((c, i) =>
              i === 0 && rowHeaders ? (
                <th
                  key="header"
                  scope="row"
                  className={`${s.cell} text-left font-medium ${c.className ?? ''}`}
                >
                  {c.cell(row)}
                </th>
              ) : (
                // biome-ignore lint/suspicious/noArrayIndexKey: columns are a fixed list, never reordered
                <td key={i} className={`${s.cell} ${c.className ?? ''}`}>
                  {c.cell(row)}
                </td>
              ),
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

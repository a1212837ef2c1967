// Response codes with their share and response flags explained in words (UH = no healthy upstream…);
// on a gRPC element, the gRPC statuses in words (14 UNAVAILABLE).
import { Table } from '@/components/ui/table';
import { formatPercent } from '@/lib/graph/format';
import { describeCode, explainFlags } from '@/lib/graph/response-flags';
import type { Responses } from '@/lib/graph/types';

interface Row {
  code: string;
  flags: string;
  pct: number;
}

export function ResponseTable({ responses, protocol }: { responses: Responses; protocol?: string }) {
  const rows: Row[] = Object.entries(responses).flatMap(([code, r]) =>
    Object.entries(r.flags).map(([flags, pct]) => ({ code, flags, pct })),
  );
  if (rows.length === 0)
    return <p className="text-xs text-slate-600 dark:text-slate-400">No requests in this window.</p>;
  rows.sort((a, b) => b.pct - a.pct);
  return (
    <Table
      caption="Response codes and flags"
      size="panel"
      rows={rows}
      rowKey={(r) => `${r.code}/${r.flags}`}
      columns={[
        {
          header: 'Code',
          className: 'font-mono',
          cell: (r) => (
            <>
              {r.code}{' '}
              <span className="text-slate-600 dark:text-slate-400">{describeCode(r.code, protocol)}</span>
            </>
          ),
        },
        { header: 'Share', cell: (r) => formatPercent(r.pct) },
        {
          header: 'Flags',
          cell: (r) =>
            explainFlags(r.flags).map((f) => (
              <div key={f.flag}>
                <span className="font-mono font-semibold">{f.flag}</span>
                {f.flag === '-' ? null : <span className="ml-1">{f.meaning}</span>}
              </div>
            )),
        },
      ]}
    />
  );
}

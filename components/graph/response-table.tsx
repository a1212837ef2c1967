// Response codes with their share and response flags explained in words (UH = no healthy upstream…).
import { formatPercent } from '@/lib/graph/format';
import { describeCode, explainFlags } from '@/lib/graph/response-flags';
import type { Responses } from '@/lib/graph/types';

export function ResponseTable({ responses }: { responses: Responses }) {
  const rows = Object.entries(responses).flatMap(([code, r]) =>
    Object.entries(r.flags).map(([flags, pct]) => ({ code, flags, pct })),
  );
  if (rows.length === 0) return <p className="text-xs text-slate-500">No requests in this window.</p>;
  rows.sort((a, b) => b.pct - a.pct);
  return (
    <table className="w-full text-xs">
      <caption className="mb-1 text-left font-medium">Response codes and flags</caption>
      <thead>
        <tr className="text-left text-slate-500 dark:text-slate-400">
          <th scope="col" className="pr-2">
            Code
          </th>
          <th scope="col" className="pr-2">
            Share
          </th>
          <th scope="col">Flags</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={`${r.code}/${r.flags}`} className="align-top">
            <td className="pr-2 font-mono">
              {r.code} <span className="text-slate-500">{describeCode(r.code)}</span>
            </td>
            <td className="pr-2">{formatPercent(r.pct)}</td>
            <td>
              {explainFlags(r.flags).map((f) => (
                <div key={f.flag}>
                  <span className="font-mono font-semibold">{f.flag}</span>
                  {f.flag === '-' ? null : <span className="ml-1">{f.meaning}</span>}
                </div>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

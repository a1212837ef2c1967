// The retry attempts of a client span: which endpoint each went to, what came back, why it failed.
import { type Attempt, flagsInWords } from '@/lib/traces/span-facts';

export function AttemptsTable({ attempts }: { attempts: readonly Attempt[] }) {
  return (
    <table aria-label="Retry attempts" className="w-full text-xs">
      <thead>
        <tr className="text-left text-slate-600 dark:text-slate-400">
          <th className="py-0.5 pr-2 font-medium">#</th>
          <th className="py-0.5 pr-2 font-medium">endpoint</th>
          <th className="py-0.5 pr-2 font-medium">status</th>
          <th className="py-0.5 pr-2 font-medium">flags</th>
          <th className="py-0.5 text-right font-medium">ms</th>
        </tr>
      </thead>
      <tbody>
        {attempts.map((a) => {
          const failed = a.statusCode === undefined || a.statusCode === 0 || a.statusCode >= 500;
          const words = flagsInWords(a.responseFlags);
          return (
            <tr
              key={`${a.attempt}-${a.timestamp}`}
              data-attempt={a.attempt}
              className={`border-t border-slate-100 dark:border-slate-800 ${failed ? 'text-red-700 dark:text-red-400' : ''}`}
            >
              <td className="py-0.5 pr-2">{a.attempt}</td>
              <td className="py-0.5 pr-2 font-mono">{a.endpoint ?? '?'}</td>
              <td className="py-0.5 pr-2">
                {a.statusCode === 0 ? '0 (no response)' : (a.statusCode ?? '?')}
              </td>
              <td className="py-0.5 pr-2" title={words?.map((w) => `${w.flag}: ${w.meaning}`).join('\n')}>
                {words ? words.map((w) => w.flag).join(',') : '-'}
              </td>
              <td className="py-0.5 text-right">
                {a.durationMs === undefined ? '' : a.durationMs.toFixed(1)}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

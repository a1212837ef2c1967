// A table of Jaeger key/values (span tags, process tags, log fields), error-ish keys highlighted.
import type { KeyValue } from '@/lib/jaeger/model';
import { tagText } from '@/lib/traces/tags';

const HIGHLIGHT = new Set(['error', 'http.status_code', 'response_flags', 'otel.status_code']);

export function KeyValueTable({ items, label }: { items: readonly KeyValue[]; label: string }) {
  if (items.length === 0) return <p className="text-xs text-slate-600 dark:text-slate-400">none</p>;
  return (
    <table aria-label={label} className="w-full table-fixed text-xs">
      <tbody>
        {items.map((kv, i) => (
          <tr
            // Keys can repeat in a tag list; the position keeps rows distinct.
            // biome-ignore lint/suspicious/noArrayIndexKey: a static list, never reordered
            key={`${kv.key}-${i}`}
            className={`border-b border-slate-100 align-top dark:border-slate-800 ${
              HIGHLIGHT.has(kv.key) ? 'font-semibold' : ''
            }`}
          >
            <td className="w-2/5 truncate py-0.5 pr-2 text-slate-600 dark:text-slate-400" title={kv.key}>
              {kv.key}
            </td>
            <td className="break-all py-0.5 font-mono">{tagText(kv)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

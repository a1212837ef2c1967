'use client';
// The Overview: cards per namespace, or a table when there are many (the mode and a name filter in the URL).
import { useQuery } from '@tanstack/react-query';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { QueryView } from '@/components/ui/query-view';
import { SelectField } from '@/components/ui/select-field';
import { TextField } from '@/components/ui/text-field';
import { overviewOptions } from '@/lib/queries/overview';
import { NamespaceCard } from './namespace-card';
import { NamespaceTable } from './namespace-table';

/** Past this many namespaces the Overview opens as a table unless the URL asks for cards. */
export const CARDS_UP_TO = 12;

export function OverviewView({ duration }: { duration: string }) {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const query = useQuery(overviewOptions(duration));
  const filter = params.get('name') ?? '';
  const set = (k: string, v: string) => {
    const p = new URLSearchParams(params.toString());
    if (v) p.set(k, v);
    else p.delete(k);
    router.replace(p.size > 0 ? `${pathname}?${p}` : pathname, { scroll: false });
  };
  return (
    <div className="mx-auto flex w-full max-w-7xl flex-col gap-4 p-6">
      <h1 className="text-xl font-semibold">Overview</h1>
      <QueryView query={query} loading="Loading the namespaces…" failed="The overview cannot be read">
        {(o) => {
          const shown = o.namespaces.filter((n) => n.namespace.includes(filter.trim()));
          const mode = params.get('view') ?? (o.namespaces.length > CARDS_UP_TO ? 'table' : 'cards');
          return (
            <>
              {[...(o.config.available ? [] : [o.config.message]), ...o.warnings].map((w) => (
                <p key={w} role="status" className="text-sm text-amber-900 dark:text-amber-200">
                  {w}
                </p>
              ))}
              <div className="flex flex-wrap items-center gap-3">
                <TextField
                  label="Namespace"
                  value={filter}
                  placeholder="part of a name"
                  onCommit={(v) => set('name', v)}
                />
                <SelectField
                  label="Show as"
                  value={mode}
                  options={[
                    { value: 'cards', label: 'Cards' },
                    { value: 'table', label: 'Table' },
                  ]}
                  onChange={(v) => set('view', v)}
                />
                <span className="text-xs text-slate-700 dark:text-slate-300">
                  Rates over the last {o.duration}.
                </span>
              </div>
              {shown.length === 0 ? (
                <p className="text-sm">No namespace reports traffic or holds config.</p>
              ) : null}
              {mode === 'table' ? (
                <NamespaceTable namespaces={shown} />
              ) : (
                <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 xl:grid-cols-3">
                  {shown.map((n) => (
                    <NamespaceCard key={n.namespace} ns={n} />
                  ))}
                </div>
              )}
            </>
          );
        }}
      </QueryView>
    </div>
  );
}

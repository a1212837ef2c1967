// The detail page's tabs: links (each tab has its own URL), the current one marked for screen readers.
import Link from 'next/link';
import type { ItemKind } from '@/lib/inventory/types';
import { TAB_LABELS, type Tab, tabsOf } from './detail-tabs';
import { itemHref } from './links';

export function TabNav({
  kind,
  namespace,
  name,
  current,
}: {
  kind: ItemKind;
  namespace: string;
  name: string;
  current: Tab;
}) {
  return (
    <nav aria-label="Tabs" className="flex flex-wrap gap-1 border-b border-slate-200 dark:border-slate-800">
      {tabsOf(kind).map((t) => (
        <Link
          key={t}
          href={itemHref(kind, namespace, name, t === 'overview' ? undefined : t)}
          aria-current={t === current ? 'page' : undefined}
          className={`-mb-px border-b-2 px-3 py-1.5 text-sm font-medium focus-visible:outline-2 focus-visible:outline-sky-500 ${
            t === current
              ? 'border-sky-700 text-slate-900 dark:border-sky-300 dark:text-white'
              : 'border-transparent text-slate-700 hover:border-slate-400 dark:text-slate-300'
          }`}
        >
          {TAB_LABELS[t]}
        </Link>
      ))}
    </nav>
  );
}

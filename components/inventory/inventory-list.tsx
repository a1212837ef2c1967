'use client';
// An Applications, Workloads or Services list: the inventory filtered and sorted by the URL's state,
// with health, labels, sidecar, the Istio config that applies and its validation warnings.
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { QueryView } from '@/components/ui/query-view';
import { type Column, Table } from '@/components/ui/table';
import {
  filterItems,
  type ListState,
  listStateToParams,
  parseListState,
  sortItems,
} from '@/lib/inventory/list-state';
import type { Inventory, InventoryItem, ItemKind } from '@/lib/inventory/types';
import { configProblems } from '@/lib/inventory/validations';
import { inventoryOptions } from '@/lib/queries/inventory';
import { HealthBadge, LabelChips, SidecarBadge } from './badges';
import { ConfigCell } from './config-refs';
import { itemHref, LINK_CLASS } from './links';
import { ListFilters } from './list-filters';
import { SortHeader } from './sort-header';

const TITLES: Record<ItemKind, string> = {
  applications: 'Applications',
  workloads: 'Workloads',
  services: 'Services',
};

function columns(
  kind: ItemKind,
  inv: Inventory,
  s: ListState,
  onSort: (c: ListState['sort'], d: 'asc' | 'desc') => void,
): Column<InventoryItem>[] {
  const h = (column: ListState['sort'], label: string) => (
    <SortHeader column={column} label={label} sort={s.sort} dir={s.dir} onSort={onSort} />
  );
  return [
    {
      header: h('name', 'Name'),
      cell: (i) => (
        <Link href={itemHref(kind, i.namespace, i.name)} className={LINK_CLASS}>
          {i.name}
        </Link>
      ),
    },
    { header: h('namespace', 'Namespace'), cell: (i) => i.namespace },
    { header: h('health', 'Health'), cell: (i) => <HealthBadge health={i.health} /> },
    {
      header: h('labels', 'Labels'),
      cell: (i) => <LabelChips labels={i.labels} only={['app', 'version']} />,
    },
    { header: h('sidecar', 'Sidecar'), cell: (i) => <SidecarBadge state={i.sidecar} /> },
    {
      header: h('rps', 'Inbound rps'),
      className: 'text-right tabular-nums',
      cell: (i) => (i.inbound.total > 0 ? i.inbound.total.toFixed(2) : '—'),
    },
    {
      header: h('config', 'Istio config'),
      cell: (i) => <ConfigCell config={i.config} availability={inv.config} />,
    },
    {
      header: 'Validation',
      cell: (i) => {
        if (!inv.config.available) return <span className="text-xs">not available</span>;
        const p = configProblems(i);
        if (p.errors + p.warnings === 0) return <span className="text-xs">no problems</span>;
        return (
          <span className="text-xs font-semibold text-amber-900 dark:text-amber-200">
            {p.errors > 0 ? `${p.errors} with errors ` : ''}
            {p.warnings > 0 ? `${p.warnings} with warnings` : ''}
          </span>
        );
      },
    },
  ];
}

export function InventoryList({ kind, duration }: { kind: ItemKind; duration: string }) {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const state = parseListState(new URLSearchParams(params.toString()));
  const query = useQuery(inventoryOptions(duration));
  const go = (next: ListState) => {
    const p = listStateToParams(next).toString();
    router.replace(p ? `${pathname}?${p}` : pathname, { scroll: false });
  };
  return (
    <div className="mx-auto flex w-full max-w-7xl flex-col gap-4 p-6">
      <h1 className="text-xl font-semibold">{TITLES[kind]}</h1>
      <QueryView query={query} loading="Loading the inventory…" failed="The inventory cannot be read">
        {(inv) => {
          const rows = sortItems(filterItems(inv[kind], state), state);
          return (
            <>
              {[...(inv.config.available ? [] : [inv.config.message]), ...inv.warnings].map((w) => (
                <p key={w} role="status" className="text-sm text-amber-900 dark:text-amber-200">
                  {w}
                </p>
              ))}
              <ListFilters state={state} namespaces={inv.namespaces} onChange={go} />
              <Table
                caption={`${rows.length} of ${inv[kind].length} ${TITLES[kind].toLowerCase()}`}
                rows={rows}
                rowKey={(i) => `${i.namespace}/${i.name}`}
                rowHeaders
                columns={columns(kind, inv, state, (sort, dir) => go({ ...state, sort, dir }))}
              />
              {rows.length === 0 ? <p className="text-sm">Nothing matches these filters.</p> : null}
            </>
          );
        }}
      </QueryView>
    </div>
  );
}

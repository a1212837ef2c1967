// One direction of an item's traffic: each peer with its rate, error share, p95 and health, linked.
import Link from 'next/link';
import { Table } from '@/components/ui/table';
import type { Peer } from '@/lib/inventory/peers';
import { HealthBadge } from './badges';
import { itemHref, LINK_CLASS } from './links';

export function PeersTable({
  caption,
  peers,
  empty,
}: {
  caption: string;
  peers: readonly Peer[];
  empty: string;
}) {
  if (peers.length === 0)
    return (
      <section aria-label={caption}>
        <h3 className="mb-1 font-medium">{caption}</h3>
        <p className="text-sm">{empty}</p>
      </section>
    );
  return (
    <Table
      caption={caption}
      rows={peers}
      rowKey={(p) => `${p.kind ?? ''}/${p.namespace ?? ''}/${p.name}`}
      rowHeaders
      columns={[
        {
          header: 'Peer',
          cell: (p) =>
            p.kind && p.namespace ? (
              <Link href={itemHref(p.kind, p.namespace, p.name)} className={LINK_CLASS}>
                {p.name}
                <span className="text-slate-600 dark:text-slate-300"> ({p.namespace})</span>
              </Link>
            ) : (
              p.name
            ),
        },
        { header: 'Requests/s', className: 'text-right tabular-nums', cell: (p) => p.rps.toFixed(2) },
        {
          header: 'Errors',
          className: 'text-right tabular-nums',
          cell: (p) => `${(p.errorRate * 100).toFixed(1)} %`,
        },
        {
          header: 'p95',
          className: 'text-right tabular-nums',
          cell: (p) => (p.p95 === undefined ? 'not known' : `${p.p95.toFixed(0)} ms`),
        },
        { header: 'Health', cell: (p) => <HealthBadge health={p.health} /> },
      ]}
    />
  );
}

// The Traffic tab: inbound and outbound peers (a service's outbound side: the workloads that answered it).
import type { ItemDetail } from '@/lib/inventory/server';
import { PeersTable } from './peers-table';

export function TrafficTab({ detail }: { detail: ItemDetail }) {
  const service = detail.item.kind === 'services';
  return (
    <div className="flex flex-col gap-6">
      <PeersTable
        caption="Inbound"
        peers={detail.peers.inbound}
        empty={`No requests in the last ${detail.duration}.`}
      />
      <PeersTable
        caption={service ? 'Outbound (to its workloads)' : 'Outbound'}
        peers={detail.peers.outbound}
        empty={`No requests in the last ${detail.duration}.`}
      />
      <p className="text-xs text-slate-700 dark:text-slate-300">
        Rates over the last {detail.duration}, each request counted once (the caller's proxy where it
        reports); p95 over 2xx responses.
      </p>
    </div>
  );
}

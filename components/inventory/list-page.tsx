// A list page's server part: the inventory read on the server and handed to the client's query cache,
// so the table draws on first paint; the list itself is a client leaf reading its state from the URL.
import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import { Suspense } from 'react';
import { DEFAULT_DURATION } from '@/lib/inventory/params';
import { loadInventory } from '@/lib/inventory/server';
import type { ItemKind } from '@/lib/inventory/types';
import { getQueryClient } from '@/lib/queries/get-query-client';
import { inventoryOptions } from '@/lib/queries/inventory';
import { InventoryList } from './inventory-list';

async function Prefetched({ kind }: { kind: ItemKind }) {
  const queryClient = getQueryClient();
  await queryClient.prefetchQuery(inventoryOptions(DEFAULT_DURATION, () => loadInventory(DEFAULT_DURATION)));
  return (
    <HydrationBoundary state={dehydrate(queryClient)}>
      <InventoryList kind={kind} duration={DEFAULT_DURATION} />
    </HydrationBoundary>
  );
}

export function ListPage({ kind }: { kind: ItemKind }) {
  return (
    <Suspense fallback={<p className="p-6 text-sm">Loading…</p>}>
      <Prefetched kind={kind} />
    </Suspense>
  );
}

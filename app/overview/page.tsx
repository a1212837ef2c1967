// /overview — one card per namespace (or a table for many): apps, workloads and services by health,
// inbound rate and error share, Istio config. Read on the server and handed to the client's cache.
import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import type { Metadata } from 'next';
import { Suspense } from 'react';
import { OverviewView } from '@/components/overview/overview-view';
import { DEFAULT_DURATION } from '@/lib/inventory/params';
import { loadOverview } from '@/lib/inventory/server';
import { getQueryClient } from '@/lib/queries/get-query-client';
import { overviewOptions } from '@/lib/queries/overview';

export const metadata: Metadata = { title: 'Overview · Meshlens' };
export const dynamic = 'force-dynamic';

async function Prefetched() {
  const queryClient = getQueryClient();
  await queryClient.prefetchQuery(overviewOptions(DEFAULT_DURATION, () => loadOverview(DEFAULT_DURATION)));
  return (
    <HydrationBoundary state={dehydrate(queryClient)}>
      <OverviewView duration={DEFAULT_DURATION} />
    </HydrationBoundary>
  );
}

export default function OverviewPage() {
  return (
    <Suspense fallback={<p className="p-6 text-sm">Loading the overview…</p>}>
      <Prefetched />
    </Suspense>
  );
}

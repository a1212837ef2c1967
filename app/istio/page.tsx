// Istio Config (Kiali's `/istio`): the server reads every resource and its findings into the client's
// query cache; the list (a client leaf) filters them by the URL's kind, namespace and validity.
import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import type { Metadata } from 'next';
import { Suspense } from 'react';
import { IstioConfigList } from '@/components/istio-config/istio-config-list';
import { readIstioConfig } from '@/lib/istio-config/server';
import { getQueryClient } from '@/lib/queries/get-query-client';
import { istioConfigOptions } from '@/lib/queries/istio-config';

export const metadata: Metadata = { title: 'Istio Config · Meshlens' };
export const dynamic = 'force-dynamic';

async function PrefetchedList() {
  const queryClient = getQueryClient();
  await queryClient.prefetchQuery(istioConfigOptions(readIstioConfig));
  return (
    <HydrationBoundary state={dehydrate(queryClient)}>
      <IstioConfigList />
    </HydrationBoundary>
  );
}

export default function IstioPage() {
  return (
    <Suspense
      fallback={
        <p className="p-4 text-sm text-slate-600 dark:text-slate-300">Loading the mesh configuration…</p>
      }
    >
      <PrefetchedList />
    </Suspense>
  );
}

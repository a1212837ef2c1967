// Create an Istio resource (`/istio/new?namespace=bookinfo`). The mesh is prefetched for the editor's lint.
import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import type { Metadata } from 'next';
import { CreateResource } from '@/components/istio-config/create-resource';
import { readIstioConfig } from '@/lib/istio-config/server';
import { getQueryClient } from '@/lib/queries/get-query-client';
import { istioConfigOptions } from '@/lib/queries/istio-config';

export const metadata: Metadata = { title: 'Create · Istio Config · Meshlens' };
export const dynamic = 'force-dynamic';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export default async function NewIstioResourcePage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const raw = (await searchParams).namespace;
  const namespace = typeof raw === 'string' && DNS1123_LABEL.test(raw) ? raw : 'default';
  const queryClient = getQueryClient();
  await queryClient.prefetchQuery(istioConfigOptions(readIstioConfig));
  return (
    <HydrationBoundary state={dehydrate(queryClient)}>
      <CreateResource namespace={namespace} />
    </HydrationBoundary>
  );
}

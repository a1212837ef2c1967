// An Istio resource's detail, at Kiali's URL `/namespaces/{ns}/istio/{kind}/{name}` (kind as Kiali's
// plural, `virtualservices`, or the kind's name). The server reads the resource and the mesh into the
// client's query cache; the editor is a client leaf.
import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { ResourceDetail } from '@/components/istio-config/resource-detail';
import { parseResourceParams } from '@/lib/istio-config/request';
import { readIstioConfig, readResource } from '@/lib/istio-config/server';
import { getQueryClient } from '@/lib/queries/get-query-client';
import { istioConfigOptions, istioResourceOptions } from '@/lib/queries/istio-config';

export const dynamic = 'force-dynamic';

type Params = Promise<{ namespace: string; kind: string; name: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const p = await params;
  return { title: `${p.name} · Istio Config · Meshlens` };
}

export default async function IstioResourcePage({ params }: { params: Params }) {
  const p = parseResourceParams(await params);
  if (!p.ok) notFound();
  const { kind, namespace, name } = p.value;
  const queryClient = getQueryClient();
  await Promise.all([
    queryClient.prefetchQuery(
      istioResourceOptions(kind, namespace, name, () => readResource(kind, namespace, name)),
    ),
    queryClient.prefetchQuery(istioConfigOptions(readIstioConfig)),
  ]);
  return (
    <HydrationBoundary state={dehydrate(queryClient)}>
      <ResourceDetail kind={kind} namespace={namespace} name={name} />
    </HydrationBoundary>
  );
}

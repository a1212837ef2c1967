// /namespaces/{ns}/workloads/{name}?tab= — one workload: Overview, Traffic, metrics, Traces, Proxy tabs.
import type { Metadata } from 'next';
import { DetailPage } from '@/components/inventory/detail-page';

export const dynamic = 'force-dynamic';

type Params = Promise<{ namespace: string; name: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  return { title: `${(await params).name} · Workloads · Meshlens` };
}

export default function WorkloadPage({
  params,
  searchParams,
}: {
  params: Params;
  searchParams: Promise<{ tab?: string | string[] }>;
}) {
  return <DetailPage kind="workloads" params={params} searchParams={searchParams} />;
}

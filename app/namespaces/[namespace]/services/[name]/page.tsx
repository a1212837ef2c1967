// /namespaces/{ns}/services/{name}?tab= — one service: Overview, Traffic, metrics, Traces, Traffic shifting tabs.
import type { Metadata } from 'next';
import { DetailPage } from '@/components/inventory/detail-page';

export const dynamic = 'force-dynamic';

type Params = Promise<{ namespace: string; name: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  return { title: `${(await params).name} · Services · Meshlens` };
}

export default function ServicePage({
  params,
  searchParams,
}: {
  params: Params;
  searchParams: Promise<{ tab?: string | string[] }>;
}) {
  return <DetailPage kind="services" params={params} searchParams={searchParams} />;
}

// /namespaces/{ns}/applications/{name}?tab= — one application: Overview, Traffic, metrics, Traces tabs.
import type { Metadata } from 'next';
import { DetailPage } from '@/components/inventory/detail-page';

export const dynamic = 'force-dynamic';

type Params = Promise<{ namespace: string; name: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  return { title: `${(await params).name} · Applications · Meshlens` };
}

export default function ApplicationPage({
  params,
  searchParams,
}: {
  params: Params;
  searchParams: Promise<{ tab?: string | string[] }>;
}) {
  return <DetailPage kind="applications" params={params} searchParams={searchParams} />;
}

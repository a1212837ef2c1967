// /applications — every application of the mesh: health, labels, sidecar, the Istio config that applies; filters and
// sort in the URL.
import type { Metadata } from 'next';
import { ListPage } from '@/components/inventory/list-page';

export const metadata: Metadata = { title: 'Applications · Meshlens' };
export const dynamic = 'force-dynamic';

export default function ApplicationsPage() {
  return <ListPage kind="applications" />;
}

// /workloads — every workload of the mesh: health, labels, sidecar, the Istio config that applies; filters and
// sort in the URL.
import type { Metadata } from 'next';
import { ListPage } from '@/components/inventory/list-page';

export const metadata: Metadata = { title: 'Workloads · Meshlens' };
export const dynamic = 'force-dynamic';

export default function WorkloadsPage() {
  return <ListPage kind="workloads" />;
}

// /services/{name}?namespace=ns — the old traffic-shifting page's address: a permanent redirect to the
// service's detail page, on its Traffic shifting tab. Without a namespace, the control plane says which.
import { permanentRedirect } from 'next/navigation';
import { itemHref } from '@/components/inventory/links';
import { loadService } from '@/lib/canary/read-state';

export const dynamic = 'force-dynamic';

export default async function OldServicePage({
  params,
  searchParams,
}: {
  params: Promise<{ name: string }>;
  searchParams: Promise<{ namespace?: string | string[] }>;
}): Promise<never> {
  const { name } = await params;
  const ns = (await searchParams).namespace;
  let namespace = typeof ns === 'string' && ns !== '' ? ns : undefined;
  if (!namespace) {
    const found = await loadService(name);
    namespace = found.ok ? found.value.state.service.namespace : 'default';
  }
  permanentRedirect(itemHref('services', namespace, name, 'traffic-shifting'));
}

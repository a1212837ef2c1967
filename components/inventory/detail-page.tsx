// A detail page's server part: the item (and, on the Traffic shifting tab, the service's canary state)
// read on the server and handed to the client's cache; a breadcrumb back to the list.
import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import Link from 'next/link';
import { Suspense } from 'react';
import { currentUser } from '@/lib/auth/config';
import { loadService } from '@/lib/canary/read-state';
import { DEFAULT_DURATION, parseItem } from '@/lib/inventory/params';
import { loadItem } from '@/lib/inventory/server';
import type { ItemKind } from '@/lib/inventory/types';
import { serviceStateOptions } from '@/lib/queries/canary';
import { getQueryClient } from '@/lib/queries/get-query-client';
import { itemOptions } from '@/lib/queries/inventory';
import { parseTab } from './detail-tabs';
import { ItemDetailView } from './item-detail-view';
import { itemHref, LINK_CLASS } from './links';

const LIST_TITLE: Record<ItemKind, string> = {
  applications: 'Applications',
  workloads: 'Workloads',
  services: 'Services',
};

async function Prefetched({
  kind,
  namespace,
  name,
  tab,
}: {
  kind: ItemKind;
  namespace: string;
  name: string;
  tab: string | undefined;
}) {
  const t = parseTab(kind, tab);
  const queryClient = getQueryClient();
  const { user } = await currentUser();
  await Promise.all([
    queryClient.prefetchQuery(
      itemOptions(kind, namespace, name, DEFAULT_DURATION, async () => {
        const d = await loadItem(kind, namespace, name, DEFAULT_DURATION);
        if (!d) throw new Error('not found');
        return d;
      }),
    ),
    t === 'traffic-shifting'
      ? loadService(name, namespace).then((loaded) =>
          loaded.ok
            ? queryClient.prefetchQuery(serviceStateOptions(namespace, name, async () => loaded.value))
            : undefined,
        )
      : undefined,
  ]);
  return (
    <HydrationBoundary state={dehydrate(queryClient)}>
      {t === 'traffic-shifting' && user === null ? (
        <p role="status" className="text-sm">
          <Link
            href={`/sign-in?next=${encodeURIComponent(itemHref(kind, namespace, name, t))}`}
            className={LINK_CLASS}
          >
            Sign in
          </Link>{' '}
          to change the weights.
        </p>
      ) : null}
      <ItemDetailView
        kind={kind}
        namespace={namespace}
        name={name}
        duration={DEFAULT_DURATION}
        tab={t}
        canWrite={user !== null}
      />
    </HydrationBoundary>
  );
}

export async function DetailPage({
  kind,
  params,
  searchParams,
}: {
  kind: ItemKind;
  params: Promise<{ namespace: string; name: string }>;
  searchParams: Promise<{ tab?: string | string[] }>;
}) {
  const p = await params;
  const { namespace, name } = p;
  const tab = (await searchParams).tab;
  const valid = parseItem(kind, namespace, name);
  return (
    <div className="mx-auto flex w-full max-w-7xl flex-col gap-4 p-6">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link href={`/${kind}?namespaces=${encodeURIComponent(namespace)}`} className={LINK_CLASS}>
          {LIST_TITLE[kind]}
        </Link>{' '}
        / {namespace} / {name}
      </nav>
      {!valid.ok ? (
        <p role="alert">{valid.message}</p>
      ) : (
        <Suspense fallback={<p className="text-sm">Loading {name}…</p>}>
          <Prefetched
            kind={kind}
            namespace={namespace}
            name={name}
            tab={typeof tab === 'string' ? tab : undefined}
          />
        </Suspense>
      )}
    </div>
  );
}

// /services/{name}?namespace=ns: one service's traffic shifting (weights, observed split, history). The
// state is read on the server and handed to the client's query cache, so the form draws on first paint.
import { dehydrate, HydrationBoundary } from '@tanstack/react-query';
import Link from 'next/link';
import { TrafficShiftPanel } from '@/components/canary/traffic-shift-panel';
import { currentUser } from '@/lib/auth/config';
import { parseServiceParams } from '@/lib/canary/params';
import { loadService } from '@/lib/canary/read-state';
import { serviceStateOptions } from '@/lib/queries/canary';
import { getQueryClient } from '@/lib/queries/get-query-client';

export const dynamic = 'force-dynamic';

export default async function ServicePage({
  params,
  searchParams,
}: {
  params: Promise<{ name: string }>;
  searchParams: Promise<{ namespace?: string | string[] }>;
}) {
  const { name } = await params;
  const ns = (await searchParams).namespace;
  const namespace = typeof ns === 'string' && ns !== '' ? ns : undefined;
  const valid = parseServiceParams({ name, namespace: namespace ?? 'default' });
  const loaded = valid.ok ? await loadService(name, namespace) : undefined;
  const { user } = await currentUser();
  const queryClient = getQueryClient();
  if (loaded?.ok) {
    const { service } = loaded.value.state;
    // The page needed the state itself (its title, the namespace when none was given): handed over as read.
    await queryClient.prefetchQuery(
      serviceStateOptions(service.namespace, service.name, async () => loaded.value),
    );
  }
  return (
    <div className="mx-auto flex w-full max-w-6xl flex-col gap-4 p-6">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link href="/services" className="text-sky-700 hover:underline dark:text-sky-300">
          Services
        </Link>{' '}
        / {name}
      </nav>
      {!valid.ok ? (
        <p role="alert">{valid.message}</p>
      ) : !loaded?.ok ? (
        <p
          role="alert"
          className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
        >
          <strong>Cannot load {name}.</strong> {loaded?.message}
        </p>
      ) : (
        <>
          <h1 className="text-xl font-semibold">
            {loaded.value.state.service.name}{' '}
            <span className="text-base font-normal text-slate-500 dark:text-slate-400">
              {loaded.value.state.service.namespace} · {loaded.value.state.service.host}
            </span>
          </h1>
          {user === null ? (
            <p role="status" className="text-sm">
              <Link
                href={`/sign-in?next=${encodeURIComponent(`/services/${name}?namespace=${loaded.value.state.service.namespace}`)}`}
                className="text-sky-700 underline dark:text-sky-300"
              >
                Sign in
              </Link>{' '}
              to change the weights.
            </p>
          ) : null}
          <HydrationBoundary state={dehydrate(queryClient)}>
            <TrafficShiftPanel
              service={loaded.value.state.service.name}
              namespace={loaded.value.state.service.namespace}
              canWrite={user !== null}
            />
          </HydrationBoundary>
        </>
      )}
    </div>
  );
}

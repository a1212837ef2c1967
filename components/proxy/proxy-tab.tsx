'use client';
// The workload's Proxy tab: what `istioctl proxy-config` shows of one instance's sidecar (routes,
// clusters with their endpoints, listeners, secrets) and its recent access log. The view and the
// instance live in the URL (`view=`, `instance=`), each a link, so every one is reachable by keyboard.
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { QueryView } from '@/components/ui/query-view';
import { PROXY_VIEWS, type ProxyView, type ProxyViewData } from '@/lib/proxy-config/types';
import { AccessLogTable } from './access-log-table';
import { ClustersTable } from './clusters-table';
import { ListenersTable, RoutesTable } from './routes-listeners-tables';
import { SecretsTable } from './secrets-table';
import { useProxy } from './use-proxy';

const VIEW_LABELS: Record<ProxyView, string> = {
  routes: 'Routes',
  clusters: 'Clusters',
  listeners: 'Listeners',
  secrets: 'Certificates',
  log: 'Access log',
};

const PILL = 'rounded border px-2 py-1 text-sm focus-visible:outline-2 focus-visible:outline-sky-500';
const PILL_ON =
  'border-sky-800 bg-sky-800 text-white dark:border-sky-300 dark:bg-sky-300 dark:text-slate-950';
const PILL_OFF =
  'border-slate-400 text-slate-800 hover:border-slate-600 dark:border-slate-500 dark:text-slate-100';

function ViewData({ data }: { data: ProxyViewData }) {
  switch (data.view) {
    case 'routes':
      return <RoutesTable routes={data.routes} />;
    case 'clusters':
      return <ClustersTable clusters={data.clusters} />;
    case 'listeners':
      return <ListenersTable listeners={data.listeners} />;
    case 'secrets':
      return <SecretsTable certificates={data.certificates} mtlsMode={data.mtlsMode} />;
    case 'log':
      return <AccessLogTable entries={data.entries} capacity={data.capacity} total={data.total} />;
  }
}

export function ProxyTab({ namespace, workload }: { namespace: string; workload: string }) {
  const params = useSearchParams();
  const rawView = params.get('view') ?? '';
  const view: ProxyView = (PROXY_VIEWS as readonly string[]).includes(rawView)
    ? (rawView as ProxyView)
    : 'routes';
  const instance = params.get('instance') ?? undefined;
  const query = useProxy(namespace, workload, view, instance);
  const href = (v: ProxyView, i: string | undefined) =>
    `?${new URLSearchParams({ tab: 'proxy', view: v, ...(i ? { instance: i } : {}) })}`;
  const shown = query.data?.instance ?? instance;
  return (
    <div className="flex flex-col gap-3">
      <nav aria-label="Proxy config" className="flex flex-wrap gap-2">
        {PROXY_VIEWS.map((v) => (
          <Link
            key={v}
            href={href(v, instance)}
            aria-current={v === view ? 'page' : undefined}
            className={`${PILL} ${v === view ? PILL_ON : PILL_OFF}`}
          >
            {VIEW_LABELS[v]}
          </Link>
        ))}
      </nav>
      {query.data && query.data.instances.length > 1 ? (
        <nav aria-label="Instances" className="flex flex-wrap items-center gap-2 text-sm">
          <span>Instance:</span>
          {query.data.instances.map((i) => (
            <Link
              key={i.name}
              href={href(view, i.name)}
              aria-current={i.name === shown ? 'true' : undefined}
              className={`${PILL} font-mono ${i.name === shown ? PILL_ON : PILL_OFF}`}
            >
              {i.name}
              {i.healthy === false ? ' (unhealthy)' : ''}
            </Link>
          ))}
        </nav>
      ) : null}
      <QueryView query={query} loading="Reading the sidecar…" failed="The sidecar's config cannot be shown">
        {(answer) => (
          <section aria-label={`${VIEW_LABELS[view]} of ${answer.instance}`} className="flex flex-col gap-2">
            <p className="text-sm">
              Sidecar of <span className="font-mono">{answer.instance}</span>
              {' — '}
              {answer.instances.find((i) => i.name === answer.instance)?.address ?? ''}
            </p>
            {answer.result.ok ? (
              <ViewData data={answer.result.data} />
            ) : (
              <p role="alert" className="text-sm text-red-800 dark:text-red-200">
                {answer.result.message}
              </p>
            )}
          </section>
        )}
      </QueryView>
    </div>
  );
}

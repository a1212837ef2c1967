'use client';
// A detail page's body: the item's title with its health, the tabs, and the current tab's content.
import { useQuery } from '@tanstack/react-query';
import { TrafficShiftPanel } from '@/components/canary/traffic-shift-panel';
import { ProxyTab } from '@/components/proxy/proxy-tab';
import { QueryView } from '@/components/ui/query-view';
import type { ItemKind } from '@/lib/inventory/types';
import { itemOptions } from '@/lib/queries/inventory';
import { HealthBadge } from './badges';
import type { Tab } from './detail-tabs';
import { MetricsTab } from './metrics-tab';
import { OverviewTab } from './overview-tab';
import { TabNav } from './tab-nav';
import { TracesTab } from './traces-tab';
import { TrafficTab } from './traffic-tab';

const KIND_WORD: Record<ItemKind, string> = {
  applications: 'Application',
  workloads: 'Workload',
  services: 'Service',
};

export function ItemDetailView({
  kind,
  namespace,
  name,
  duration,
  tab,
  canWrite,
}: {
  kind: ItemKind;
  namespace: string;
  name: string;
  duration: string;
  tab: Tab;
  canWrite: boolean;
}) {
  const query = useQuery(itemOptions(kind, namespace, name, duration));
  return (
    <QueryView
      query={query}
      loading={`Loading ${name}…`}
      failed={`${KIND_WORD[kind]} ${name} cannot be shown`}
    >
      {(detail) => {
        const app = detail.item.labels.app ?? name;
        // Jaeger's service name for the item, as the sidecars report it (`<app>.<namespace>`).
        const traceService = `${kind === 'services' ? name : app}.${namespace}`;
        return (
          <div className="flex flex-col gap-4">
            <h1 className="flex flex-wrap items-baseline gap-3 text-xl font-semibold">
              <span>
                <span className="sr-only">{KIND_WORD[kind]} </span>
                {name}
              </span>
              <span className="text-base font-normal text-slate-700 dark:text-slate-300">
                {KIND_WORD[kind]} in {namespace}
              </span>
              <span className="text-base font-normal">
                <HealthBadge health={detail.item.health} />
              </span>
            </h1>
            {detail.warnings.map((w) => (
              <p key={w} role="status" className="text-sm text-amber-900 dark:text-amber-200">
                {w}
              </p>
            ))}
            <TabNav kind={kind} namespace={namespace} name={name} current={tab} />
            <div>
              {tab === 'overview' ? <OverviewTab detail={detail} /> : null}
              {tab === 'traffic' ? <TrafficTab detail={detail} /> : null}
              {tab === 'inbound' || tab === 'outbound' ? (
                <MetricsTab kind={kind} namespace={namespace} name={name} direction={tab} />
              ) : null}
              {tab === 'traces' ? <TracesTab service={traceService} /> : null}
              {tab === 'proxy' ? <ProxyTab namespace={namespace} workload={name} /> : null}
              {tab === 'traffic-shifting' ? (
                <TrafficShiftPanel service={name} namespace={namespace} canWrite={canWrite} />
              ) : null}
            </div>
          </div>
        );
      }}
    </QueryView>
  );
}

// One namespace's card: items by health, inbound rate with its sparkline, error share, Istio config;
// the card's title opens the namespace's graph, and the counts open its lists.
import Link from 'next/link';
import { graphHref, LINK_CLASS } from '@/components/inventory/links';
import type { NamespaceSummary } from '@/lib/inventory/overview';
import { HealthCountsLine, worstOf } from './health-counts';
import { ConfigFacts, errorText, rateText } from './namespace-facts';
import { Sparkline } from './sparkline';

const BORDER = {
  failure: 'border-red-500',
  degraded: 'border-amber-500',
  healthy: 'border-green-600',
  idle: 'border-slate-300 dark:border-slate-700',
} as const;

export function NamespaceCard({ ns }: { ns: NamespaceSummary }) {
  const worst = worstOf(ns.applications, ns.workloads, ns.services);
  const list = (kind: string) => `/${kind}?namespaces=${encodeURIComponent(ns.namespace)}`;
  return (
    <article
      aria-labelledby={`ns-${ns.namespace}`}
      className={`flex flex-col gap-2 rounded-md border-2 p-3 text-sm ${BORDER[worst]}`}
    >
      <h2 id={`ns-${ns.namespace}`} className="text-base font-semibold">
        <Link href={graphHref(ns.namespace)} className={LINK_CLASS}>
          {ns.namespace}
        </Link>
      </h2>
      <ul className="space-y-0.5">
        <li>
          <Link
            href={list('applications')}
            className="hover:underline focus-visible:outline-2 focus-visible:outline-sky-500"
          >
            <HealthCountsLine label="apps" counts={ns.applications} />
          </Link>
        </li>
        <li>
          <Link
            href={list('workloads')}
            className="hover:underline focus-visible:outline-2 focus-visible:outline-sky-500"
          >
            <HealthCountsLine label="workloads" counts={ns.workloads} />
          </Link>
        </li>
        <li>
          <Link
            href={list('services')}
            className="hover:underline focus-visible:outline-2 focus-visible:outline-sky-500"
          >
            <HealthCountsLine label="services" counts={ns.services} />
          </Link>
        </li>
      </ul>
      <div className="flex items-center justify-between gap-2">
        <span>
          Inbound: {rateText(ns)} · {errorText(ns)}
        </span>
        <Sparkline
          points={ns.sparkline}
          inboundRps={ns.inboundRps}
          label={`Inbound requests per second into ${ns.namespace}, last 30 minutes`}
        />
      </div>
      <p className="text-xs text-slate-700 dark:text-slate-300">
        <ConfigFacts ns={ns} />
        {ns.missingSidecars > 0
          ? ` · ${ns.missingSidecars} workload${ns.missingSidecars === 1 ? '' : 's'} missing a sidecar`
          : ''}
      </p>
    </article>
  );
}

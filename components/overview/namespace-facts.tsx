// What a namespace card and a table row both say: rate, error share, config counts and validity.
import type { NamespaceSummary } from '@/lib/inventory/overview';

export function rateText(ns: NamespaceSummary): string {
  return ns.inboundRps > 0 ? `${ns.inboundRps.toFixed(2)} rps` : 'no inbound traffic';
}

export function errorText(ns: NamespaceSummary): string {
  return ns.inboundRps > 0 ? `${(ns.errorRate * 100).toFixed(1)} % errors` : '—';
}

export function ConfigFacts({ ns }: { ns: NamespaceSummary }) {
  if (!ns.config) return <span>Istio config not available</span>;
  const total = Object.values(ns.config).reduce((a, b) => a + b, 0);
  const v = ns.validity;
  return (
    <span>
      {total} Istio config{total === 1 ? '' : 's'}
      {v && (v.error > 0 || v.warning > 0) ? (
        <span className="font-semibold text-amber-900 dark:text-amber-200">
          {' '}
          ({v.error > 0 ? `${v.error} with errors` : ''}
          {v.error > 0 && v.warning > 0 ? ', ' : ''}
          {v.warning > 0 ? `${v.warning} with warnings` : ''})
        </span>
      ) : v ? (
        <span> (all valid)</span>
      ) : null}
    </span>
  );
}

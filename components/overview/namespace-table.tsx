// The Overview's compact mode for many namespaces: one row each, the name opening its graph.
import Link from 'next/link';
import { HealthBadge } from '@/components/inventory/badges';
import { graphHref, LINK_CLASS } from '@/components/inventory/links';
import { Table } from '@/components/ui/table';
import type { NamespaceSummary } from '@/lib/inventory/overview';
import { HealthCountsLine, worstOf } from './health-counts';
import { ConfigFacts, errorText, rateText } from './namespace-facts';
import { Sparkline } from './sparkline';

export function NamespaceTable({ namespaces }: { namespaces: readonly NamespaceSummary[] }) {
  return (
    <Table
      caption={`${namespaces.length} namespaces`}
      rows={namespaces}
      rowKey={(n) => n.namespace}
      rowHeaders
      columns={[
        {
          header: 'Namespace',
          cell: (n) => (
            <Link href={graphHref(n.namespace)} className={LINK_CLASS}>
              {n.namespace}
            </Link>
          ),
        },
        {
          header: 'Health',
          cell: (n) => <HealthBadge health={worstOf(n.applications, n.workloads, n.services)} />,
        },
        { header: 'Apps', cell: (n) => <HealthCountsLine label="" counts={n.applications} /> },
        { header: 'Workloads', cell: (n) => <HealthCountsLine label="" counts={n.workloads} /> },
        { header: 'Services', cell: (n) => <HealthCountsLine label="" counts={n.services} /> },
        { header: 'Inbound', className: 'tabular-nums', cell: rateText },
        { header: 'Errors', className: 'tabular-nums', cell: errorText },
        {
          header: 'Trend',
          cell: (n) => (
            <Sparkline
              points={n.sparkline}
              inboundRps={n.inboundRps}
              label={`Inbound rate of ${n.namespace}, last 30 minutes`}
            />
          ),
        },
        { header: 'Istio config', cell: (n) => <ConfigFacts ns={n} /> },
      ]}
    />
  );
}

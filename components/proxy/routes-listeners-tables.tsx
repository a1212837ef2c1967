// Routes and listeners, as `istioctl proxy-config routes|listeners` lists them.
import { Table } from '@/components/ui/table';
import type { ListenerRow, RouteRow } from '@/lib/proxy-config/types';
import { ScrollRegion } from './scroll-region';

export function RoutesTable({ routes }: { routes: readonly RouteRow[] }) {
  if (routes.length === 0) return <p className="text-sm">No routes.</p>;
  return (
    <ScrollRegion label="Routes table">
      <Table
        caption={`Routes (${routes.length})`}
        rows={routes}
        rowKey={(r) => `${r.routeConfig}/${r.virtualHost}/${r.name}/${r.match}`}
        rowHeaders
        columns={[
          { header: 'Virtual host', className: 'font-mono', cell: (r) => r.virtualHost },
          { header: 'Route config', className: 'tabular-nums', cell: (r) => r.routeConfig },
          { header: 'Match', className: 'font-mono', cell: (r) => r.match },
          {
            header: 'Destination',
            className: 'font-mono',
            cell: (r) => (
              <ul>
                {r.destinations.map((d) => (
                  <li key={d.cluster}>
                    {d.cluster}
                    {r.destinations.length > 1 ? ` ${d.weight} %` : ''}
                  </li>
                ))}
              </ul>
            ),
          },
          { header: 'Timeout', cell: (r) => r.timeout },
          { header: 'Retries', cell: (r) => r.retries },
        ]}
      />
    </ScrollRegion>
  );
}

export function ListenersTable({ listeners }: { listeners: readonly ListenerRow[] }) {
  if (listeners.length === 0) return <p className="text-sm">No listeners.</p>;
  return (
    <ScrollRegion label="Listeners table">
      <Table
        caption={`Listeners (${listeners.length} filter chains)`}
        rows={listeners}
        rowKey={(l) => `${l.name}/${l.match}/${l.destination}`}
        rowHeaders
        columns={[
          { header: 'Listener', className: 'font-mono', cell: (l) => l.name },
          { header: 'Address', className: 'font-mono', cell: (l) => `${l.address}:${l.port}` },
          { header: 'Match', cell: (l) => l.match },
          { header: 'Destination', className: 'font-mono', cell: (l) => l.destination },
        ]}
      />
    </ScrollRegion>
  );
}

// Clusters with their endpoints, as `istioctl proxy-config clusters` and `... endpoints` show them:
// each endpoint's health, whether outlier detection ejected it and until when, its active requests.
import type { ClusterRow, EndpointRow } from '@/lib/proxy-config/types';
import { ScrollRegion } from './scroll-region';

function EndpointState({ e }: { e: EndpointRow }) {
  if (e.ejected)
    return (
      <span className="text-red-800 dark:text-red-200">
        <span aria-hidden="true">✖ </span>ejected
        {e.ejectedUntil ? ` until ${new Date(e.ejectedUntil).toLocaleTimeString()}` : ''}
      </span>
    );
  if (!e.healthy)
    return (
      <span className="text-amber-900 dark:text-amber-200">
        <span aria-hidden="true">▲ </span>unhealthy
      </span>
    );
  return (
    <span className="text-green-800 dark:text-green-300">
      <span aria-hidden="true">● </span>healthy
    </span>
  );
}

export function ClustersTable({ clusters }: { clusters: readonly ClusterRow[] }) {
  if (clusters.length === 0) return <p className="text-sm">No clusters.</p>;
  return (
    <ScrollRegion label="Clusters table">
      <table className="w-full text-sm">
        <caption className="mb-1 text-left font-medium">Clusters ({clusters.length})</caption>
        <thead>
          <tr className="border-b border-slate-200 text-left text-slate-700 dark:border-slate-800 dark:text-slate-300">
            <th scope="col" className="py-2 pr-2 font-medium">
              Cluster / endpoint
            </th>
            <th scope="col" className="py-2 pr-2 font-medium">
              State
            </th>
            <th scope="col" className="py-2 pr-2 text-right font-medium">
              Active requests
            </th>
            <th scope="col" className="py-2 pr-2 font-medium">
              Policy
            </th>
          </tr>
        </thead>
        {clusters.map((c) => (
          <tbody key={c.name} className="border-b border-slate-200 dark:border-slate-800">
            <tr>
              <th scope="row" className="py-1 pr-2 text-left font-mono font-medium">
                {c.name}
              </th>
              <td className="py-1 pr-2">
                {c.endpoints.length === 0
                  ? 'no endpoints'
                  : `${c.endpoints.filter((e) => e.healthy && !e.ejected).length} of ${c.endpoints.length} healthy`}
              </td>
              <td className="py-1 pr-2 text-right tabular-nums">
                {c.activeRequests}
                {c.pendingRequests > 0 ? ` (+${c.pendingRequests} pending)` : ''}
              </td>
              <td className="py-1 pr-2">
                {[
                  c.lbPolicy,
                  c.tls ? `TLS ${c.tls}` : '',
                  c.outlierDetection ? `outlier: ${c.outlierDetection}` : '',
                ]
                  .filter(Boolean)
                  .join('; ')}
              </td>
            </tr>
            {c.endpoints.map((e) => (
              <tr key={e.address} data-endpoint={e.address}>
                <th scope="row" className="py-1 pr-2 pl-6 text-left font-mono font-normal">
                  {e.address}
                </th>
                <td className="py-1 pr-2">
                  <EndpointState e={e} />
                  {e.timesEjected > 0 ? ` (ejected ${e.timesEjected}×)` : ''}
                </td>
                <td className="py-1 pr-2 text-right tabular-nums">{e.activeRequests}</td>
                <td />
              </tr>
            ))}
          </tbody>
        ))}
      </table>
    </ScrollRegion>
  );
}

'use client';
// The drilldown's charts: requests by code (gRPC statuses in words), error share, TCP throughput and
// connections, latency percentiles, retries, ejections, and
// the endpoints with their live ejection state.
import { type ChartSeries, TimeSeriesChart } from '@/components/charts/time-series-chart';
import type { Drilldown } from '@/lib/graph/drilldown';
import { formatBytesRate, formatMs, formatRps, formatShare } from '@/lib/graph/format';
import { TCP_COLOUR } from './cy-style';

const CODE_COLOURS: Record<string, string> = {
  '2': '#16a34a',
  '3': '#0284c7',
  '4': '#d97706',
  '5': '#dc2626',
  '0': '#7c3aed',
};
const PALETTE = ['#0ea5e9', '#f97316', '#a855f7', '#14b8a6', '#e11d48', '#84cc16'];

/** A code's colour: HTTP by class; gRPC `0 OK` green, any other status (`14 UNAVAILABLE`) red. */
export function codeColour(name: string): string {
  if (/^0 OK$/.test(name)) return CODE_COLOURS['2'] as string;
  if (/^\d{1,2} [A-Z_]+$/.test(name)) return CODE_COLOURS['5'] as string;
  return CODE_COLOURS[name[0] ?? '0'] ?? '#64748b';
}

export function DrilldownCharts({ d, dark }: { d: Drilldown; dark: boolean }) {
  const byCode: ChartSeries[] = d.requests.byCode.map((c) => ({
    label: c.name,
    points: c.points,
    colour: codeColour(c.name),
  }));
  const latency: ChartSeries[] = [
    { label: 'p50', points: d.latency.p50, colour: '#16a34a' },
    { label: 'p95', points: d.latency.p95, colour: '#d97706' },
    { label: 'p99', points: d.latency.p99, colour: '#dc2626' },
  ];
  return (
    <div className="space-y-4">
      <TimeSeriesChart title="Requests/s by response code" series={byCode} format={formatRps} dark={dark} />
      <TimeSeriesChart
        title="Error share (4xx, 5xx, no response)"
        series={[{ label: 'errors', points: d.requests.errorRate, colour: '#dc2626' }]}
        format={formatShare}
        dark={dark}
      />
      <TimeSeriesChart title="Latency of 2xx responses" series={latency} format={formatMs} dark={dark} />
      {d.tcp ? (
        <section aria-label="TCP" data-testid="drilldown-tcp" className="space-y-4">
          <TimeSeriesChart
            title="TCP throughput"
            series={[
              { label: 'sent', points: d.tcp.sent, colour: TCP_COLOUR },
              { label: 'received', points: d.tcp.received, colour: '#14b8a6' },
            ]}
            format={formatBytesRate}
            dark={dark}
          />
          <TimeSeriesChart
            title="TCP connections per second"
            series={[
              { label: 'opened', points: d.tcp.opened, colour: '#16a34a' },
              { label: 'closed', points: d.tcp.closed, colour: '#64748b' },
            ]}
            format={formatRps}
            dark={dark}
          />
        </section>
      ) : null}
      {d.outbound ? (
        <TimeSeriesChart
          title="Outbound requests/s"
          series={[{ label: 'out', points: d.outbound, colour: '#0ea5e9' }]}
          format={formatRps}
          dark={dark}
        />
      ) : null}
      <section aria-label="Retries">
        {d.retries.reported ? (
          <TimeSeriesChart
            title={`Retries${d.host ? ` to ${d.host}` : ''}`}
            series={[
              { label: 'attempted', points: d.retries.attempted, colour: '#0ea5e9' },
              { label: 'succeeded', points: d.retries.succeeded, colour: '#16a34a' },
              { label: 'exhausted', points: d.retries.exhausted, colour: '#dc2626' },
              { label: 'overflow', points: d.retries.overflow, colour: '#a855f7' },
            ]}
            format={formatRps}
            dark={dark}
          />
        ) : (
          <p className="text-xs text-slate-600 dark:text-slate-400">
            Retries: not reported (the sidecars export no Envoy retry stats{d.host ? ` for ${d.host}` : ''}).
          </p>
        )}
      </section>
      <section aria-label="Ejections">
        {d.ejections.reported ? (
          <TimeSeriesChart
            title="Endpoints ejected by outlier detection"
            series={[{ label: 'ejected now', points: d.ejections.active, colour: '#dc2626' }]}
            format={(v) => v.toFixed(0)}
            dark={dark}
          />
        ) : (
          <p className="text-xs text-slate-600 dark:text-slate-400">Ejections: not reported.</p>
        )}
      </section>
      {d.endpoints.reported ? <EndpointList d={d} dark={dark} /> : null}
    </div>
  );
}

function EndpointList({ d, dark }: { d: Drilldown; dark: boolean }) {
  if (!d.endpoints.reported) return null;
  return (
    <section aria-label="Endpoints" className="space-y-2">
      <table className="w-full text-xs">
        <caption className="mb-1 text-left font-medium">Endpoints</caption>
        <thead>
          <tr className="text-left text-slate-600 dark:text-slate-400">
            <th scope="col">Endpoint</th>
            <th scope="col">Subset</th>
            <th scope="col">State</th>
            <th scope="col">Times ejected</th>
          </tr>
        </thead>
        <tbody>
          {d.endpoints.list.map((e) => (
            <tr key={`${e.subset}/${e.endpoint}`} data-testid="endpoint-row">
              <td className="font-mono">{e.endpoint}</td>
              <td>{e.subset ?? '–'}</td>
              <td
                className={
                  e.ejected
                    ? 'font-semibold text-red-700 dark:text-red-400'
                    : 'text-green-700 dark:text-green-400'
                }
              >
                {e.ejected ? 'ejected' : e.healthy === false ? 'unhealthy' : 'serving'}
              </td>
              <td>{e.timesEjected ?? '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <TimeSeriesChart
        title="Ejection state per endpoint (1 = ejected)"
        series={d.endpoints.ejected.map((s, i) => ({
          label: s.name,
          points: s.points,
          colour: PALETTE[i % PALETTE.length] as string,
        }))}
        format={(v) => v.toFixed(0)}
        dark={dark}
      />
    </section>
  );
}

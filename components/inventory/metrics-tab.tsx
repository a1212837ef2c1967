'use client';
// Inbound or outbound metrics of an item: request volume, duration p50/p95/p99, mean request and response
// size over time; the reporter, a grouping label and the window are chosen here and kept in the URL.
import { useQuery } from '@tanstack/react-query';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { type ChartSeries, TimeSeriesChart } from '@/components/charts/time-series-chart';
import { useDarkTheme } from '@/components/graph/use-dark-theme';
import { QueryView } from '@/components/ui/query-view';
import { SelectField } from '@/components/ui/select-field';
import { METRIC_WINDOWS, type MetricParams, parseMetricParams } from '@/lib/inventory/params';
import type { MetricGroup } from '@/lib/inventory/promql';
import type { ChartName } from '@/lib/inventory/server';
import type { ItemKind } from '@/lib/inventory/types';
import type { RangeSeries } from '@/lib/prometheus/client';
import { itemMetricsOptions } from '@/lib/queries/inventory';

const COLOURS = [
  '#0369a1',
  '#b45309',
  '#15803d',
  '#b91c1c',
  '#7e22ce',
  '#0f766e',
  '#be185d',
  '#4d7c0f',
  '#1d4ed8',
  '#a16207',
  '#334155',
  '#c2410c',
];
const CHARTS: { name: ChartName; title: string; format: (v: number) => string }[] = [
  { name: 'requests', title: 'Request volume (requests/s)', format: (v) => v.toFixed(2) },
  { name: 'p50', title: 'Request duration p50 (ms)', format: (v) => v.toFixed(0) },
  { name: 'p95', title: 'Request duration p95 (ms)', format: (v) => v.toFixed(0) },
  { name: 'p99', title: 'Request duration p99 (ms)', format: (v) => v.toFixed(0) },
  { name: 'requestSize', title: 'Request size, mean (bytes)', format: (v) => v.toFixed(0) },
  { name: 'responseSize', title: 'Response size, mean (bytes)', format: (v) => v.toFixed(0) },
];
const GROUPS: { value: MetricGroup; label: string }[] = [
  { value: 'none', label: 'Nothing' },
  { value: 'version', label: 'Version' },
  { value: 'response_code', label: 'Response code' },
  { value: 'peer', label: 'Peer' },
];

function toChart(series: readonly RangeSeries[], by: MetricGroup, fallback: string): ChartSeries[] {
  return series.map((s, i) => ({
    label: by === 'none' ? fallback : (Object.values(s.labels)[0] ?? 'unknown'),
    points: s.points,
    colour: COLOURS[i % COLOURS.length] as string,
  }));
}

export function MetricsTab({
  kind,
  namespace,
  name,
  direction,
}: {
  kind: ItemKind;
  namespace: string;
  name: string;
  direction: 'inbound' | 'outbound';
}) {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const dark = useDarkTheme();
  const sp = new URLSearchParams(params.toString());
  sp.set('direction', direction);
  const p = parseMetricParams(sp, kind);
  const query = useQuery(itemMetricsOptions(kind, namespace, name, p));
  const set = (next: Partial<MetricParams>) => {
    const q = new URLSearchParams(params.toString());
    for (const [k, v] of Object.entries(next)) q.set(k, String(v));
    router.replace(`${pathname}?${q}`, { scroll: false });
  };
  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-center gap-3">
        <SelectField
          label="Reported by"
          value={p.reporter}
          options={[
            { value: 'source', label: 'Source (the caller)' },
            { value: 'destination', label: 'Destination (the callee)' },
          ]}
          onChange={(reporter) => set({ reporter })}
        />
        <SelectField label="Group by" value={p.by} options={GROUPS} onChange={(by) => set({ by })} />
        <SelectField
          label="Window"
          value={p.window}
          options={Object.keys(METRIC_WINDOWS).map((w) => ({
            value: w as MetricParams['window'],
            label: `Last ${w}`,
          }))}
          onChange={(window) => set({ window })}
        />
      </div>
      <QueryView query={query} loading="Loading metrics…" failed="Metrics unavailable">
        {(m) => (
          <>
            {m.warnings.map((w) => (
              <p key={w} role="status" className="text-sm text-amber-900 dark:text-amber-200">
                {w}
              </p>
            ))}
            <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
              {CHARTS.map((c) => (
                <TimeSeriesChart
                  key={c.name}
                  title={c.title}
                  series={toChart(m.charts[c.name], p.by, c.name)}
                  format={c.format}
                  dark={dark}
                />
              ))}
            </div>
          </>
        )}
      </QueryView>
    </div>
  );
}

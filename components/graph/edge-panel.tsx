'use client';
// Side panel for an edge: protocol, security (mTLS share, principals), rate, error share, share of the
// caller's requests, response codes and flags in words, latency percentiles, route badges, and the drilldown (charts, retries on the route).
import { useQuery } from '@tanstack/react-query';
import { TraceInsights } from '@/components/traces/trace-insights';
import { QueryView } from '@/components/ui/query-view';
import { Stat } from '@/components/ui/stat';
import { formatBytesRate, formatMs, formatPercent, formatRps, formatShare } from '@/lib/graph/format';
import type { EdgeData, NodeData } from '@/lib/graph/types';
import { edgeDrilldownOptions } from '@/lib/queries/graph';
import { BadgeList } from './badge-list';
import { DrilldownCharts } from './drilldown-charts';
import { EdgeSecurity } from './edge-security';
import { EdgeRefusal } from './egress-details';
import { healthTone, nodeTitle } from './node-panel';
import { ResponseTable } from './response-table';

export function EdgePanel({
  edge,
  source,
  target,
  duration,
  at,
  refreshMs,
  dark,
}: {
  edge: EdgeData;
  source?: NodeData;
  target?: NodeData;
  duration: string;
  at?: number;
  refreshMs: number | false;
  dark: boolean;
}) {
  const drill = useQuery({
    ...edgeDrilldownOptions(edge.source, edge.target, duration, at),
    refetchInterval: refreshMs,
  });
  return (
    <div className="space-y-4">
      <div>
        <h2 className="text-base font-semibold">
          {source ? nodeTitle(source) : edge.source} → {target ? nodeTitle(target) : edge.target}
        </h2>
        <p className="text-xs text-slate-500 dark:text-slate-400">
          {edge.protocol} · reported by the{' '}
          {edge.reporter === 'mixed' ? 'callers and destinations' : `${edge.reporter} proxy`}
          {edge.isMTLS !== undefined ? ` · mTLS ${formatPercent(edge.isMTLS)}` : ''}
        </p>
      </div>
      <EdgeRefusal edge={edge} />
      <EdgeSecurity edge={edge} />
      <dl className="grid grid-cols-3 gap-2">
        {edge.protocol === 'tcp' ? (
          <Stat label="Bytes/s" value={formatBytesRate(edge.tcp ?? 0)} />
        ) : (
          <Stat label={edge.protocol === 'grpc' ? 'Calls/s' : 'Requests/s'} value={formatRps(edge.rps)} />
        )}
        <Stat label="Errors" value={formatShare(edge.errorRate)} tone={healthTone(edge.health)} />
        <Stat label="% of caller's" value={formatPercent(edge.percentReq)} />
        <Stat label="p50" value={formatMs(edge.latency.p50)} />
        <Stat label="p95" value={formatMs(edge.latency.p95)} />
        <Stat label="p99" value={formatMs(edge.latency.p99)} />
      </dl>
      <BadgeList badges={edge.badges} />
      <ResponseTable responses={edge.traffic.responses} protocol={edge.protocol} />
      <TraceInsights
        source={edge.source}
        target={edge.target}
        latency={drill.data?.latency}
        start={drill.data?.start}
        end={drill.data?.end}
        dark={dark}
      />
      <QueryView query={drill} loading="Loading time series…" failed="Time series unavailable">
        {(d) => <DrilldownCharts d={d} dark={dark} />}
      </QueryView>
    </div>
  );
}

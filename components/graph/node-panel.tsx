'use client';
// Side panel for a node: inbound/outbound traffic, error share, latency, response codes, badges, and
// the drilldown (charts, retries, endpoints with their ejection state).
import { useQuery } from '@tanstack/react-query';
import { TrafficShiftLink } from '@/components/canary/traffic-shift-link';
import { TraceInsights } from '@/components/traces/trace-insights';
import { QueryView } from '@/components/ui/query-view';
import { Stat } from '@/components/ui/stat';
import { formatMs, formatRps, formatShare } from '@/lib/graph/format';
import type { NodeData } from '@/lib/graph/types';
import { CLUSTER_DOMAIN } from '@/lib/mesh-config/labels';
import { nodeDrilldownOptions } from '@/lib/queries/graph';
import { BadgeList } from './badge-list';
import { DrilldownCharts } from './drilldown-charts';
import { NodeEgress } from './egress-details';
import { ResponseTable } from './response-table';

export function nodeTitle(n: NodeData): string {
  if (n.nodeType === 'unknown') return 'unknown (outside the mesh)';
  if (n.nodeType === 'service') return `service ${n.service}`;
  if (n.nodeType === 'workload') return `workload ${n.workload}`;
  return `app ${n.app}${n.version ? ` ${n.version}` : ''}`;
}

export function healthTone(h: NodeData['health']): 'ok' | 'warn' | 'bad' | undefined {
  return h === 'failure' ? 'bad' : h === 'degraded' ? 'warn' : h === 'healthy' ? 'ok' : undefined;
}

export function NodePanel({
  node,
  duration,
  at,
  refreshMs,
  dark,
}: {
  node: NodeData;
  duration: string;
  at?: number;
  /** Poll the drilldown like the graph (false: off). */
  refreshMs: number | false;
  dark: boolean;
}) {
  const svc = node.destServices?.[0];
  const host = node.serviceHost ?? (svc ? `${svc.name}.${svc.namespace}.${CLUSTER_DOMAIN}` : undefined);
  const drill = useQuery({
    ...nodeDrilldownOptions(node.id, host, duration, at),
    enabled: node.nodeType !== 'unknown',
    refetchInterval: refreshMs,
  });
  return (
    <div className="space-y-4">
      <div>
        <h2 className="text-base font-semibold">{nodeTitle(node)}</h2>
        <p className="text-xs text-slate-500 dark:text-slate-400">
          namespace {node.namespace}
          {node.workload ? ` · workload ${node.workload}` : ''}
          {node.isServiceEntry ? ` · ServiceEntry (${node.isServiceEntry})` : ''}
          {node.isEgressCluster ? ' · egress cluster (outside the mesh)' : ''}
        </p>
        {(node.app ?? node.service) && !node.isServiceEntry && node.nodeType !== 'unknown' ? (
          <TrafficShiftLink service={(node.app ?? node.service) as string} namespace={node.namespace} />
        ) : null}
      </div>
      <dl className="grid grid-cols-3 gap-2">
        <Stat label="Inbound" value={formatRps(node.rpsIn)} />
        <Stat
          label={node.nodeType === 'service' ? 'To workloads' : 'Outbound'}
          value={formatRps(node.rpsOut)}
        />
        <Stat label="Errors" value={formatShare(node.errorRate)} tone={healthTone(node.health)} />
        <Stat label="p50" value={formatMs(node.latency.p50)} />
        <Stat label="p95" value={formatMs(node.latency.p95)} />
        <Stat label="p99" value={formatMs(node.latency.p99)} />
      </dl>
      <NodeEgress node={node} />
      <BadgeList badges={node.badges} />
      <ResponseTable responses={node.responses} protocol={node.traffic?.[0]?.protocol} />
      {node.nodeType === 'unknown' ? null : (
        <TraceInsights
          node={node.id}
          latency={drill.data?.latency}
          start={drill.data?.start}
          end={drill.data?.end}
          dark={dark}
        />
      )}
      {node.nodeType === 'unknown' ? null : (
        <QueryView query={drill} loading="Loading time series…" failed="Time series unavailable">
          {(d) => <DrilldownCharts d={d} dark={dark} />}
        </QueryView>
      )}
    </div>
  );
}

// Envoy cluster stats (`envoy_cluster_*{cluster_name="outbound|9080|v1|reviews.ns.svc.cluster.local"}`)
// read per service host and per calling workload. Absent stats (a real Istio mesh exports none by
// default) mean "not reported", never zero.
import { escapeRegex, type Matcher, selector } from './promql';
import type { Sample } from './series';
import type { EnvoyLive } from './types';

export interface ClusterName {
  direction: 'outbound' | 'inbound';
  port: number;
  subset?: string;
  host: string;
}

/** Parses Istio's `direction|port|subset|host` cluster names; undefined for any other cluster. */
export function parseClusterName(name: string | undefined): ClusterName | undefined {
  const parts = name?.split('|');
  if (parts?.length !== 4) return undefined;
  const [direction, port, subset, host] = parts as [string, string, string, string];
  if ((direction !== 'outbound' && direction !== 'inbound') || !/^\d+$/.test(port) || host === '')
    return undefined;
  return { direction, port: Number(port), subset: subset === '' ? undefined : subset, host };
}

/** The live stats the graph reads: a gauge and rates of counters, summed by cluster and calling workload. */
export const LIVE_STATS = {
  ejectionsActive: { metric: 'envoy_cluster_outlier_detection_ejections_active', rate: false },
  retryRate: { metric: 'envoy_cluster_upstream_rq_retry', rate: true },
  retrySuccessRate: { metric: 'envoy_cluster_upstream_rq_retry_success', rate: true },
  retryOverflowRate: { metric: 'envoy_cluster_upstream_rq_retry_overflow', rate: true },
  pendingOverflowRate: { metric: 'envoy_cluster_upstream_rq_pending_overflow', rate: true },
} as const;
export type LiveStat = keyof typeof LIVE_STATS;

/** The PromQL for one live stat. `namespace` and `workload` are the scrape target's labels, where set. */
export function liveStatQuery(stat: LiveStat, range: string): string {
  const { metric, rate } = LIVE_STATS[stat];
  const sel = `${metric}${selector([{ label: 'cluster_name', op: '=~', value: 'outbound\\|.*' }])}`;
  return `sum by (cluster_name, namespace, workload) (${rate ? `rate(${sel}[${range}])` : sel})`;
}

export interface LiveStats {
  /** Per service host, summed over every caller and subset. */
  byHost: Map<string, EnvoyLive & { reported: true }>;
  /** Per `namespace/workload→host`, where the scrape labels name the calling workload. */
  byCaller: Map<string, EnvoyLive & { reported: true }>;
  /** Whether any live stat came back at all. */
  reported: boolean;
}

export function callerKey(namespace: string, workload: string, host: string): string {
  return `${namespace}/${workload}→${host}`;
}

/** Folds the answers of the live-stat queries into per-host and per-caller numbers. */
export function foldLiveStats(answers: Partial<Record<LiveStat, readonly Sample[]>>): LiveStats {
  const byHost = new Map<string, EnvoyLive & { reported: true }>();
  const byCaller = new Map<string, EnvoyLive & { reported: true }>();
  let reported = false;
  const add = (map: Map<string, EnvoyLive & { reported: true }>, key: string, stat: LiveStat, v: number) => {
    let e = map.get(key);
    if (!e) {
      e = { reported: true };
      map.set(key, e);
    }
    e[stat] = (e[stat] ?? 0) + v;
  };
  for (const [stat, samples] of Object.entries(answers) as [LiveStat, readonly Sample[]][]) {
    for (const s of samples) {
      const c = parseClusterName(s.labels.cluster_name);
      if (!c || !Number.isFinite(s.value)) continue;
      reported = true;
      add(byHost, c.host, stat, s.value);
      const ns = s.labels.namespace;
      const wl = s.labels.workload;
      if (ns && wl) add(byCaller, callerKey(ns, wl, c.host), stat, s.value);
    }
  }
  return { byHost, byCaller, reported };
}

/** Matches the outbound clusters (any port, any subset) of one service host. */
export function hostClusterMatcher(host: string): Matcher {
  return { label: 'cluster_name', op: '=~', value: `outbound\\|[0-9]+\\|[^|]*\\|${escapeRegex(host)}` };
}

// The Overview: one summary per namespace — its apps, workloads and services counted by health, the
// requests into it (rate, error share, a sparkline) and the Istio config it holds — from the inventory
// and one range query grouped by namespace. No query per namespace.
import { emptyRates, errorRate } from '../graph/health';
import type { RangeSeries } from '../prometheus/client';
import type { Health, Inventory, InventoryItem, RateBreakdown } from './types';

export type HealthCounts = Record<Health, number>;
export interface ValidityCounts {
  valid: number;
  warning: number;
  error: number;
}

export interface NamespaceSummary {
  namespace: string;
  applications: HealthCounts;
  workloads: HealthCounts;
  services: HealthCounts;
  /** Requests per second into the namespace's workloads and services. */
  inboundRps: number;
  /** 0..1 */
  errorRate: number;
  /** Inbound requests per second over time ([unix seconds, rps]); empty when not reported. */
  sparkline: [number, number][];
  /** Istio config resources the namespace holds, by kind; undefined when the config is not available. */
  config?: Record<string, number>;
  /** Its config resources by validity (the Istio Config validations); undefined when not available. */
  validity?: ValidityCounts;
  /** Items whose sidecar is missing. */
  missingSidecars: number;
}

export interface Overview {
  time: number;
  duration: string;
  namespaces: NamespaceSummary[];
  config: Inventory['config'];
  warnings: string[];
}

/**
 * What a namespace's sparkline can show: the line, or in words why not. Prometheus needs a few scrapes
 * and a rate window before a range query has two points: while requests flow but the history is that
 * short, the history is still being collected; with no requests now and none in the history, there is
 * no traffic to draw.
 */
export type SparklineState = 'line' | 'collecting' | 'no-traffic';

export function sparklineState(points: readonly [number, number][], inboundRps: number): SparklineState {
  const drawable = points.length >= 2 && points.some(([, v]) => v > 0);
  if (drawable) return 'line';
  return inboundRps > 0 ? 'collecting' : 'no-traffic';
}

export function countHealth(items: readonly InventoryItem[]): HealthCounts {
  const out: HealthCounts = { healthy: 0, degraded: 0, failure: 0, idle: 0 };
  for (const i of items) out[i.health]++;
  return out;
}

export function buildOverview(
  inventory: Inventory,
  namespaceInbound: Record<string, RateBreakdown>,
  sparklines: readonly RangeSeries[],
  configCounts?: Record<string, Record<string, number>>,
  validity?: ReadonlyMap<string, ValidityCounts>,
): Overview {
  const spark = new Map<string, [number, number][]>();
  for (const s of sparklines) {
    const ns = s.labels.destination_workload_namespace;
    if (ns)
      spark.set(
        ns,
        s.points.filter(([, v]) => Number.isFinite(v)),
      );
  }
  const inNs = (items: readonly InventoryItem[], ns: string) => items.filter((i) => i.namespace === ns);
  const namespaces = inventory.namespaces.map((namespace): NamespaceSummary => {
    const rates = namespaceInbound[namespace] ?? emptyRates();
    const items = [inventory.applications, inventory.workloads, inventory.services].map((l) =>
      inNs(l, namespace),
    );
    return {
      namespace,
      applications: countHealth(items[0] ?? []),
      workloads: countHealth(items[1] ?? []),
      services: countHealth(items[2] ?? []),
      inboundRps: rates.total,
      errorRate: errorRate(rates),
      sparkline: spark.get(namespace) ?? [],
      ...(configCounts ? { config: configCounts[namespace] ?? {} } : {}),
      ...(validity ? { validity: validity.get(namespace) ?? { valid: 0, warning: 0, error: 0 } } : {}),
      missingSidecars: (items[1] ?? []).filter((w) => w.sidecar === 'missing').length,
    };
  });
  return {
    time: inventory.time,
    duration: inventory.duration,
    namespaces,
    config: inventory.config,
    warnings: inventory.warnings,
  };
}

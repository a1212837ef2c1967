// Health (Kiali's `health` appender): each node from its inbound error shares, each edge from its own,
// against the configured thresholds.
import { DEFAULT_HEALTH, type HealthThresholds, healthOf } from '../health';
import type { TrafficMap } from '../traffic-map';

export function appendHealth(map: TrafficMap, thresholds: HealthThresholds = DEFAULT_HEALTH): void {
  for (const n of map.nodes.values()) n.health = healthOf(n.inbound, thresholds);
  for (const e of map.edges.values()) e.health = healthOf(e.rates, thresholds);
}

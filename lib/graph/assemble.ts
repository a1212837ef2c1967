// The graph's assembly, as Kiali builds its graph: the request series walked into a traffic map
// (`traffic-map.ts`), then a list of appenders (`appenders/`), one concern each, then the JSON
// (`elements.ts`). Pure: samples and reads in, cytoscape elements out.
import { appendBadges } from './appenders/badges';
import { appendBoxes } from './appenders/boxes';
import { appendEgress } from './appenders/egress';
import { appendHealth } from './appenders/health';
import { appendOutsiders } from './appenders/outsider';
import { appendPeerAuthentication } from './appenders/peer-authentication';
import { appendResponseTime, prepareResponseTime, prepareResponseTimeMap } from './appenders/response-time';
import { appendSecurityPolicy } from './appenders/security-policy';
import { appendServiceEntries } from './appenders/service-entry';
import { appendValidations } from './appenders/validation';
import type { MeshConfigView } from './config-badges';
import { type Assembled, toElements } from './elements';
import type { LiveStats } from './envoy-stats';
import type { HealthThresholds } from './health';
import type { BucketGroup } from './latency-cache';
import { type TrafficInput, type TrafficMap, trafficMap } from './traffic-map';

export type { Assembled } from './elements';

/** What the first appenders need besides the request series: known before any read answers. */
export interface TrafficOptions extends TrafficInput {
  /** Requested namespaces; empty = all. Nodes elsewhere get `isOutside`. */
  namespaces: readonly string[];
  thresholds?: HealthThresholds;
}

/** The other reads, for the last appenders; each absent when not read or not available. */
export interface GraphReads {
  /** Latency bucket rates (2xx) grouped by series (see `groupBuckets`). */
  latencyGroups?: readonly BucketGroup[];
  /** The mesh config of the graph's namespaces. */
  config?: MeshConfigView;
  /** Live Envoy stats; absent: not readable (every live badge says "not reported"). */
  live?: LiveStats;
}

/**
 * The traffic map with what the request series alone tell: mTLS, health, outsiders, app boxes. Run as
 * soon as the rates are in, while Prometheus is still answering the latency read.
 */
export function trafficGraph(input: TrafficOptions): TrafficMap {
  const map = trafficMap(input);
  appendSecurityPolicy(map);
  appendHealth(map, input.thresholds);
  appendOutsiders(map, input.namespaces);
  appendBoxes(map);
  return map;
}

/**
 * What the last appenders can work out from a latency reading alone, done as it lands (the rates may still be
 * in flight or being walked): less left for the build's tail once every read is in.
 */
export function prepareLatency(groups: readonly BucketGroup[]): void {
  prepareResponseTime(groups);
}

/**
 * What the last appenders can work out from the traffic map alone for a latency reading still to come, done while
 * it is read (a cold graph's latency lands after its rates): less left for the build's tail.
 */
export function prepareLatencyMerge(map: TrafficMap): void {
  prepareResponseTimeMap(map);
}

/** The rest of the appenders, on the other reads (latency, mesh config, live stats), then the JSON. */
export function assembleGraph(map: TrafficMap, reads: GraphReads): Assembled {
  appendResponseTime(map, reads.latencyGroups ?? []);
  appendServiceEntries(map, reads.config);
  appendPeerAuthentication(map, reads.config);
  appendEgress(map, reads.config);
  appendBadges(map, reads.config, reads.live);
  appendValidations(map, reads);
  return toElements(map);
}

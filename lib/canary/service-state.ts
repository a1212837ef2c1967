// What the traffic-shifting panel shows for one service, assembled from the mesh config: its versions
// (DestinationRule subsets, registered workloads, versions seen in metrics), the VirtualService routes
// that carry its split, and the split the form starts from.
import {
  LABEL_APP,
  LABEL_CANONICAL_NAME,
  LABEL_CANONICAL_REVISION,
  LABEL_VERSION,
} from '../mesh-config/labels';
import type { DestinationRule, VirtualService, WorkloadEntry } from '../mesh-config/schema';
import { destinationRuleFor } from './destination-rule';
import { defaultRoute, type RouteSummary, routesOf, routesService, type ServiceRef } from './virtual-service';
import { largestRemainder, type Split } from './weights';

export interface VersionInfo {
  /** The subset name: what routes name and what the slider is labelled with. */
  version: string;
  /** Defined as a subset in the DestinationRule (else it is created on Apply). */
  inDestinationRule: boolean;
  /** The `version` label value its workloads carry (the subset's selector). */
  label: string;
  /** Registered workload instances with this version. */
  instances: number;
  /** Seen in `istio_requests_total` as a destination version. */
  seenInMetrics: boolean;
}

export interface CanaryState {
  service: ServiceRef;
  versions: VersionInfo[];
  virtualService: { name: string; resourceVersion: string; routes: RouteSummary[] } | null;
  destinationRule: { name: string; resourceVersion: string } | null;
  /** The route the form edits by default (an index in `spec.http`), or undefined when there is none yet. */
  defaultRouteIndex?: number;
  /** The split the form starts from, over `versions` in order. */
  split: Split;
}

export interface StateInput {
  service: ServiceRef;
  virtualServices: readonly VirtualService[];
  destinationRules: readonly DestinationRule[];
  workloadEntries: readonly WorkloadEntry[];
  /** Version label values seen in metrics for the service. */
  observedVersions: readonly string[];
}

/** Natural order: v2 before v10. */
const byNatural = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });

function appOf(we: WorkloadEntry): string | undefined {
  const l = { ...we.metadata.labels, ...we.spec.labels };
  return l[LABEL_CANONICAL_NAME] ?? l[LABEL_APP];
}

function versionOf(labels: Record<string, string> | undefined): string | undefined {
  return labels?.[LABEL_VERSION] ?? labels?.[LABEL_CANONICAL_REVISION];
}

/** The VirtualService that routes the service (the one named like it first). */
export function virtualServiceFor(
  list: readonly VirtualService[],
  service: ServiceRef,
): VirtualService | undefined {
  const matching = list.filter((vs) => routesService(vs, service));
  return matching.find((vs) => vs.metadata.name === service.name) ?? matching[0];
}

export function versionsOf(input: StateInput, dr: DestinationRule | undefined): VersionInfo[] {
  const { service } = input;
  const out = new Map<string, VersionInfo>();
  const byLabel = new Map<string, string>();
  for (const s of dr?.spec.subsets ?? []) {
    const label = versionOf(s.labels) ?? s.name;
    out.set(s.name, { version: s.name, inDestinationRule: true, label, instances: 0, seenInMetrics: false });
    if (!byLabel.has(label)) byLabel.set(label, s.name);
  }
  const add = (label: string) => {
    const key = byLabel.get(label) ?? label;
    if (!out.has(key)) {
      out.set(key, { version: key, inDestinationRule: false, label, instances: 0, seenInMetrics: false });
      byLabel.set(label, key);
    }
    return out.get(key) as VersionInfo;
  };
  const weNamespace = (we: WorkloadEntry) => we.metadata.namespace ?? 'default';
  for (const we of input.workloadEntries) {
    if (weNamespace(we) !== service.namespace || appOf(we) !== service.name) continue;
    const v = versionOf({ ...we.metadata.labels, ...we.spec.labels });
    if (v) add(v).instances++;
  }
  for (const v of input.observedVersions) {
    if (v && v !== 'unknown' && v !== 'latest') add(v).seenInMetrics = true;
  }
  const fromDr = [...(dr?.spec.subsets ?? [])].map((s) => s.name);
  const others = [...out.keys()].filter((k) => !fromDr.includes(k)).sort(byNatural);
  return [...fromDr, ...others].map((k) => out.get(k) as VersionInfo);
}

/** The starting split: the route's weights per version (0 where it has none), else by instance count. */
export function initialSplit(versions: readonly VersionInfo[], route: RouteSummary | undefined): Split {
  const weights = new Map(route?.split.map((s) => [s.version, s.weight]));
  const fromRoute = versions.map((v) => weights.get(v.version) ?? 0);
  const covered = fromRoute.reduce((a, b) => a + b, 0);
  const ints =
    covered === 100
      ? fromRoute
      : largestRemainder(
          versions.map((v) => v.instances),
          100,
        );
  return versions.map((v, i) => ({ version: v.version, weight: ints[i] as number }));
}

export function canaryState(input: StateInput): CanaryState {
  const vs = virtualServiceFor(input.virtualServices, input.service);
  const dr = destinationRuleFor(input.destinationRules, input.service);
  const versions = versionsOf(input, dr);
  const routes = vs ? routesOf(vs, input.service) : [];
  const route = defaultRoute(routes);
  return {
    service: input.service,
    versions,
    virtualService: vs
      ? { name: vs.metadata.name, resourceVersion: vs.metadata.resourceVersion ?? '', routes }
      : null,
    destinationRule: dr
      ? { name: dr.metadata.name, resourceVersion: dr.metadata.resourceVersion ?? '' }
      : null,
    ...(route ? { defaultRouteIndex: route.index } : {}),
    split: initialSplit(versions, route),
  };
}

// The observed split: the share of a service's requests each version served, from Istio's standard
// `istio_requests_total`. Source-reported where the callers have proxies (it also counts requests
// that failed before reaching a version), destination-reported otherwise — never both.

/** Rate windows the panel offers; short enough to see a shift converge within a minute. */
export const OBSERVED_WINDOWS = ['15s', '30s', '1m', '5m'] as const;
export type ObservedWindow = (typeof OBSERVED_WINDOWS)[number];
export const DEFAULT_OBSERVED_WINDOW: ObservedWindow = '30s';

export function isObservedWindow(s: string | null | undefined): s is ObservedWindow {
  return (OBSERVED_WINDOWS as readonly string[]).includes(s ?? '');
}

/** Escapes a value for a double-quoted PromQL string. */
export function promString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

export function observedSplitQuery(service: string, namespace: string, window: ObservedWindow): string {
  const sel = `destination_service_name=${promString(service)},destination_service_namespace=${promString(namespace)}`;
  return (
    `sum by (reporter, destination_version, destination_canonical_revision) ` +
    `(rate(istio_requests_total{${sel}}[${window}]))`
  );
}

/** Versions each service's requests reached over 5 minutes, for one service or all. */
export function versionsSeenQuery(service?: { name: string; namespace: string }): string {
  const sel = service
    ? `{destination_service_name=${promString(service.name)},destination_service_namespace=${promString(service.namespace)}}`
    : '';
  return (
    'sum by (destination_service_name, destination_service_namespace, destination_version, ' +
    `destination_canonical_revision) (rate(istio_requests_total${sel}[5m]))`
  );
}

export interface Sample {
  labels: Record<string, string | undefined>;
  value: number;
}

export interface ObservedShare {
  version: string;
  rps: number;
  /** Percent of the requests that reached a known version. */
  percent: number;
}

export interface ObservedSplit {
  reporter: 'source' | 'destination' | null;
  totalRps: number;
  shares: ObservedShare[];
  /** Requests with no version (failed before one was picked, or an unlabelled workload). */
  unknownRps: number;
}

const absent = (v: string | undefined) => v === undefined || v === '' || v === 'unknown';

/** The workload version of a series: its canonical revision, else the older `destination_version`. */
export function versionOfSample(labels: Sample['labels']): string | undefined {
  const rev = labels.destination_canonical_revision;
  if (!absent(rev) && rev !== 'latest') return rev;
  const v = labels.destination_version;
  return absent(v) ? undefined : v;
}

/**
 * Shares by version. `toSubset` maps a version label value to the subset the panel shows it under
 * (a DestinationRule subset may be named differently from its `version` label).
 */
export function observedSplitFrom(
  samples: readonly Sample[],
  toSubset: (version: string) => string = (v) => v,
): ObservedSplit {
  const finite = samples.filter((s) => Number.isFinite(s.value) && s.value >= 0);
  const hasSource = finite.some((s) => s.labels.reporter === 'source' && s.value > 0);
  const hasDestination = finite.some((s) => s.labels.reporter === 'destination' && s.value > 0);
  const reporter = hasSource ? 'source' : hasDestination ? 'destination' : null;
  const byVersion = new Map<string, number>();
  let unknownRps = 0;
  for (const s of finite) {
    if (s.labels.reporter !== reporter) continue;
    const v = versionOfSample(s.labels);
    if (v === undefined) unknownRps += s.value;
    else byVersion.set(toSubset(v), (byVersion.get(toSubset(v)) ?? 0) + s.value);
  }
  const known = [...byVersion.values()].reduce((a, b) => a + b, 0);
  const shares = [...byVersion.entries()]
    .map(([version, rps]) => ({ version, rps, percent: known > 0 ? (rps / known) * 100 : 0 }))
    .sort((a, b) => a.version.localeCompare(b.version, undefined, { numeric: true }));
  return { reporter, totalRps: known + unknownRps, shares, unknownRps };
}

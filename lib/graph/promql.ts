// PromQL for the graph: label matchers with every value escaped, the reporter selections, the
// request-rate and latency-bucket queries. Istio standard metrics only.

/** Escapes a value for a double-quoted PromQL string: backslash, quote, newline. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/** Escapes a literal for use inside a RE2 regex matcher (then quoted like any value). */
export function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export type MatchOp = '=' | '!=' | '=~' | '!~';
export interface Matcher {
  label: string;
  op: MatchOp;
  value: string;
}

export const eq = (label: string, value: string): Matcher => ({ label, op: '=', value });
export const ne = (label: string, value: string): Matcher => ({ label, op: '!=', value });
/** Matches any of `values` exactly (a regex of escaped alternatives). */
export const oneOf = (label: string, values: readonly string[]): Matcher =>
  values.length === 1
    ? eq(label, values[0] as string)
    : { label, op: '=~', value: values.map(escapeRegex).join('|') };

/** `{a="x",b!="y"}` with every value escaped; label names are checked, never escaped. */
export function selector(matchers: readonly Matcher[]): string {
  for (const m of matchers) if (!LABEL_NAME.test(m.label)) throw new Error(`invalid label name ${m.label}`);
  return `{${matchers.map((m) => `${m.label}${m.op}"${escapeLabelValue(m.value)}"`).join(',')}}`;
}

/** Labels the graph groups request series by: who called whom, over what, with what outcome. */
export const SOURCE_LABELS = [
  'source_workload_namespace',
  'source_workload',
  'source_canonical_service',
  'source_canonical_revision',
  'source_app',
  'source_version',
] as const;
export const DESTINATION_LABELS = [
  'destination_service_namespace',
  'destination_service',
  'destination_service_name',
  'destination_workload_namespace',
  'destination_workload',
  'destination_canonical_service',
  'destination_canonical_revision',
  'destination_app',
  'destination_version',
] as const;
export const OUTCOME_LABELS = [
  'request_protocol',
  'response_code',
  'grpc_response_status',
  'response_flags',
  'connection_security_policy',
] as const;
export const EDGE_LABELS = [...SOURCE_LABELS, ...DESTINATION_LABELS, 'request_protocol'] as const;
export const REQUEST_LABELS = [
  'reporter',
  ...SOURCE_LABELS,
  ...DESTINATION_LABELS,
  ...OUTCOME_LABELS,
] as const;

/**
 * The series selections for the requested namespaces (Kiali's three, regrouped so each reporter is one
 * query whatever the number of namespaces):
 * - source-reported where the caller is in a namespace, or the called service is (Kiali's 2 and 3);
 * - destination-reported where the called workload is in a namespace: traffic from outside the mesh
 *   (`source_workload="unknown"`, Kiali's 1) and the fallback for edges whose caller reports nothing.
 * An empty namespace list selects the whole mesh.
 */
export function reporterSelections(namespaces: readonly string[]): {
  source: Matcher[][];
  destination: Matcher[][];
} {
  const source = eq('reporter', 'source');
  const destination = eq('reporter', 'destination');
  if (namespaces.length === 0) return { source: [[source]], destination: [[destination]] };
  return {
    source: [
      [source, oneOf('source_workload_namespace', namespaces)],
      [source, oneOf('destination_service_namespace', namespaces)],
    ],
    destination: [[destination, oneOf('destination_workload_namespace', namespaces)]],
  };
}

/** `sum by (labels) (rate(metric{...}[d])) or …` — `or` keeps each label set once across selections. */
export function sumRate(
  metric: string,
  selections: readonly Matcher[][],
  by: readonly string[],
  range: string,
): string {
  return selections
    .map((m) => `sum by (${by.join(',')}) (rate(${metric}${selector(m)}[${range}]))`)
    .join(' or ');
}

export function requestRateQuery(selections: readonly Matcher[][], range: string): string {
  return sumRate('istio_requests_total', selections, REQUEST_LABELS, range);
}

/** The labels a reporter choice is made on: caller workload → service (see `edgeKey`). */
export const REPORTER_CHOICE_LABELS = [
  'source_workload_namespace',
  'source_workload',
  'destination_service',
] as const;

/**
 * Latency bucket rates per edge over 2xx responses only (Kiali's response time), by `le`: the
 * source-reported buckets, and the destination-reported ones only for edges that no caller reports
 * (`unless on` the source-reported request series) — half the answer at scale, the same choice as the rates.
 */
export function latencyBucketQuery(
  sel: { source: Matcher[][]; destination: Matcher[][] },
  range: string,
): string {
  const ok: Matcher = { label: 'response_code', op: '=~', value: '2..' };
  const by = ['le', 'reporter', ...EDGE_LABELS];
  const bucket = 'istio_request_duration_milliseconds_bucket';
  const source = sumRate(
    bucket,
    sel.source.map((m) => [...m, ok]),
    by,
    range,
  );
  const reported = `sum by (${REPORTER_CHOICE_LABELS.join(',')}) (rate(istio_requests_total${selector([eq('reporter', 'source')])}[${range}])) > 0`;
  const destination = sel.destination
    .map(
      (m) =>
        `(sum by (${by.join(',')}) (rate(${bucket}${selector([...m, ok])}[${range}])) unless on (${REPORTER_CHOICE_LABELS.join(',')}) ${reported})`,
    )
    .join(' or ');
  return `${source} or ${destination}`;
}

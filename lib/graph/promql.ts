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

import { intern } from './intern';
import type { Sample } from './series';
import { GenerationalMemo, seriesMemoEntriesFromEnv } from './series-memo';

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
/** The SPIFFE identities of the two sides (Kiali's sourcePrincipal/destPrincipal); one per workload. */
export const PRINCIPAL_LABELS = ['source_principal', 'destination_principal'] as const;
export const REQUEST_LABELS = [
  'reporter',
  ...SOURCE_LABELS,
  ...DESTINATION_LABELS,
  ...OUTCOME_LABELS,
  ...PRINCIPAL_LABELS,
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

/** The labels of Istio's TCP series: those of a request, without response code or gRPC status. */
export const TCP_LABELS = [
  'reporter',
  ...SOURCE_LABELS,
  ...DESTINATION_LABELS,
  'request_protocol',
  'response_flags',
  'connection_security_policy',
  ...PRINCIPAL_LABELS,
] as const;

/**
 * TCP bytes per second per edge. Kiali's default TCP rate reads `istio_tcp_received_bytes_total` (the
 * bytes the destination received: what the caller sent).
 */
export function tcpRateQuery(selections: readonly Matcher[][], range: string): string {
  return sumRate('istio_tcp_received_bytes_total', selections, TCP_LABELS, range);
}

/** Istio's gRPC message counters: those the caller sent (requests) and received (responses). */
export const GRPC_MESSAGE_METRICS = {
  sent: ['istio_request_messages_total'],
  received: ['istio_response_messages_total'],
  total: ['istio_request_messages_total', 'istio_response_messages_total'],
} as const;

/** gRPC messages per second per edge, by the TCP label set (the counters carry no response code). */
export function grpcMessageRateQuery(
  selections: readonly Matcher[][],
  range: string,
  rate: keyof typeof GRPC_MESSAGE_METRICS,
): string {
  return GRPC_MESSAGE_METRICS[rate].map((m) => sumRate(m, selections, TCP_LABELS, range)).join(' or ');
}

export function requestRateQuery(selections: readonly Matcher[][], range: string): string {
  return sumRate('istio_requests_total', selections, REQUEST_LABELS, range);
}

/**
 * What joined label values are separated by. Istio's values are Kubernetes names and label values, DNS
 * names, codes and comma-separated flags: never a `;` (a value that has one fails the split, see
 * `splitJoinedLabels`).
 */
export const JOIN_SEPARATOR = ';';
/** The label `joinedRequestRateQuery` joins `REQUEST_LABELS` into. */
export const REQUEST_JOINED = 'request';

/**
 * The series of `requestRateQuery` with their labels joined into one, `REQUEST_JOINED` (`label_join`,
 * then summed by it: the same groups, since no value holds the separator). Prometheus writes, and this
 * server parses, one label per series instead of 21: at 6,000 series, 1.4 instead of 4.5 MB and a third
 * less time in Prometheus. `splitJoinedRequests` gives back the labelled samples.
 */
export function joinedRequestRateQuery(selections: readonly Matcher[][], range: string): string {
  const names = REQUEST_LABELS.map((l) => `"${l}"`).join(', ');
  return selections
    .map(
      (m) =>
        `sum by (${REQUEST_JOINED}) (label_join(rate(istio_requests_total${selector(m)}[${range}]), "${REQUEST_JOINED}", "${JOIN_SEPARATOR}", ${names}))`,
    )
    .join(' or ');
}

/**
 * A joined value split back into its labels, empty values left out (as Prometheus leaves out an empty
 * label); undefined when it does not split into exactly as many values as there are names.
 */
export function splitJoinedLabels(
  joined: string | undefined,
  names: readonly string[],
): Record<string, string> | undefined {
  if (joined === undefined) return undefined;
  const values = joined.split(JOIN_SEPARATOR);
  if (values.length !== names.length) return undefined;
  const labels: Record<string, string> = {};
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as string;
    if (v !== '') labels[names[i] as string] = v;
  }
  return labels;
}

/**
 * Items (samples, bucket groups) with their joined label `label` split back into `names`, everything else
 * kept; undefined when one does not split.
 */
export function splitJoinedItems<T extends { labels: Record<string, string> }>(
  items: readonly T[],
  label: string,
  names: readonly string[],
): T[] | undefined {
  const out: T[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as T;
    const labels = splitJoinedLabels(item.labels[label], names);
    if (!labels) return undefined;
    out[i] = { ...item, labels };
  }
  return out;
}

/**
 * Request label strings split before, kept between graphs (see `series-memo.ts`): each label string is
 * split once, and its labels object is the same from one graph to the next (frozen: shared).
 */
let splitRequests: GenerationalMemo<string, Readonly<Record<string, string>> | undefined> | undefined;

/** The answer of `joinedRequestRateQuery` as `requestRateQuery`'s samples; undefined if one does not split. */
export function splitJoinedRequests(samples: readonly Sample[]): Sample[] | undefined {
  const out: Sample[] = new Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] as Sample;
    const joined = s.labels[REQUEST_JOINED];
    if (joined === undefined) return undefined;
    const labels = splitJoinedRequest(joined);
    if (!labels) return undefined;
    out[i] = { labels, value: s.value };
  }
  return out;
}

/** One joined request label string split (the same kept labels object as `splitJoinedRequests` gives). */
export function splitJoinedRequest(joined: string): Readonly<Record<string, string>> | undefined {
  splitRequests ??= new GenerationalMemo(seriesMemoEntriesFromEnv());
  return splitRequests.get(joined, splitRequest);
}

/**
 * The kept request labels' values, one string for each (a mesh's 31,000 series share a few thousand values:
 * reporters, codes, namespaces, workloads), bounded as the labels' memo is.
 */
let requestValues: GenerationalMemo<string, string> | undefined;

function splitRequest(joined: string): Readonly<Record<string, string>> | undefined {
  const labels = splitJoinedLabels(joined, REQUEST_LABELS);
  if (!labels) return undefined;
  requestValues ??= new GenerationalMemo(seriesMemoEntriesFromEnv());
  for (const name in labels) labels[name] = requestValues.get(labels[name] as string, intern);
  // Copied by spread: past 16 properties stored by a computed key V8 keeps an object as a dictionary (~1.5 KB
  // for the 21 labels; the copy is a fast object of ~0.2 KB), and these are kept between graphs (31,000).
  return Object.freeze({ ...labels });
}

/**
 * The labels that tell one edge's latency buckets from another's: reporter, caller workload, service,
 * called workload. Everything else on the edge (apps, versions, canonical names) depends on these and is
 * read from the request series; leaving it out of the bucket query makes its answer a third as large
 * (at 3,000 edges: 17 instead of 38 MB, and half the time in Prometheus).
 */
export const LATENCY_EDGE_LABELS = [
  'reporter',
  'source_workload_namespace',
  'source_workload',
  'destination_service',
  'destination_workload_namespace',
  'destination_workload',
] as const;

const OK_RESPONSES: Matcher = { label: 'response_code', op: '=~', value: '2..' };
const BUCKET = 'istio_request_duration_milliseconds_bucket';

/**
 * Latency bucket rates per edge over 2xx responses only (Kiali's response time), by `le` and the
 * edge-telling labels: the source-reported buckets — every edge whose caller has a proxy.
 */
export function sourceLatencyBucketQuery(sel: { source: Matcher[][] }, range: string): string {
  return sumRate(
    BUCKET,
    sel.source.map((m) => [...m, OK_RESPONSES]),
    ['le', ...LATENCY_EDGE_LABELS],
    range,
  );
}

/** Past this many callers the destination bucket query reads every caller's buckets (a bounded query). */
export const MAX_CALLERS_MATCHED = 100;

/** The matcher for a list of callers: none (every caller) when undefined or past MAX_CALLERS_MATCHED. */
export function callersMatcher(callers?: readonly string[]): Matcher[] {
  return callers && callers.length <= MAX_CALLERS_MATCHED ? [oneOf('source_workload', callers)] : [];
}

/**
 * The destination-reported 2xx bucket rates of the given callers' edges (all callers when `callers` is
 * undefined or too many). A superset: the response-time appender keeps the buckets of edges whose chosen
 * reporter is the destination.
 */
export function destinationLatencyBucketQuery(
  sel: { destination: Matcher[][] },
  range: string,
  callers?: readonly string[],
): string {
  const who = callersMatcher(callers);
  return sumRate(
    BUCKET,
    sel.destination.map((m) => [...m, OK_RESPONSES, ...who]),
    ['le', ...LATENCY_EDGE_LABELS],
    range,
  );
}

/** The two bucket reads of a graph's latency: every source-reported edge; destination-reported ones by caller. */
export interface LatencyQueries {
  source: string;
  destination: (callers?: readonly string[]) => string;
}

export function rawLatencyQueries(
  sel: { source: Matcher[][]; destination: Matcher[][] },
  range: string,
): LatencyQueries {
  return {
    source: sourceLatencyBucketQuery(sel, range),
    destination: (callers) => destinationLatencyBucketQuery(sel, range, callers),
  };
}

// Istio request series as plain data: labels normalised (empty and `unknown` both mean absent) and the
// per-edge reporter choice — source-reported series where the caller reports, else destination-reported,
// never both, so no request is counted twice.
import { intern } from './intern';
import type { Reporter } from './types';

/** One instant-vector sample: labels and value, as any Prometheus client gives them. */
export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export interface Workload {
  namespace: string;
  workload: string;
  /** Canonical service, else the `app` label; undefined when neither is known. */
  app?: string;
  /** Canonical revision, else the `version` label. */
  version?: string;
}

export interface RequestSeries {
  reporter: Reporter;
  /** Undefined: the caller is outside the mesh (no proxy reported it). */
  source?: Workload;
  destination: {
    /** FQDN (`reviews.default.svc.cluster.local`) or the external host (`httpbin.org`). */
    service?: string;
    serviceName?: string;
    serviceNamespace?: string;
    /** Undefined when the request reached no workload of the mesh (external host, UH, NR…). */
    workload?: Workload;
  };
  protocol: string;
  code: string;
  grpcStatus?: string;
  flags: string;
  mtls?: boolean;
  /** SPIFFE ids (`spiffe://cluster.local/ns/<ns>/sa/<sa>`), when the reporter knew them. */
  sourcePrincipal?: string;
  destPrincipal?: string;
  rps: number;
}

/**
 * A request series without its rate: what its labels say. The graph's walk keeps the rates beside these, in a
 * column (`TrafficMap.rates`), so a series read from a shared labels object is one object for every build.
 */
export type SeriesIdentity = Omit<RequestSeries, 'rps'>;

/** `""` and `unknown` are how Istio writes "not known". */
export function known(v: string | undefined): string | undefined {
  return v === undefined || v === '' || v === 'unknown' ? undefined : v;
}

function workload(
  l: Record<string, string>,
  side: 'source' | 'destination',
  strings: LabelStrings | undefined,
): Workload | undefined {
  const name = known(l[`${side}_workload`]);
  const namespace = known(l[`${side}_workload_namespace`]);
  if (name === undefined || namespace === undefined) return undefined;
  const app = known(l[`${side}_canonical_service`]) ?? known(l[`${side}_app`]);
  const version = known(l[`${side}_canonical_revision`]) ?? known(l[`${side}_version`]);
  if (strings === undefined) return { namespace, workload: name, app, version };
  return {
    namespace: strings.of(namespace),
    workload: strings.of(name),
    app: strings.maybe(app),
    version: strings.maybe(version),
  };
}

/**
 * Shared (frozen) labels objects read before, with what they read as (rate 0), or null: not a request
 * series. A labels object kept between graphs (`splitJoinedRequests`) is read once.
 */
const readLabels = new WeakMap<Readonly<Record<string, string>>, RequestSeries | null>();

/**
 * The strings of the labels objects read in one go (a walk), one copy each: every labels object has its own
 * copies of its values, so the elements of a graph would each write a copy of `ns-0` scattered over the heap
 * (a cache miss each for `JSON.stringify`), where one internalized string serves them all. Looked up first in
 * a Map of the values seen in this go (~0.1 µs), internalized only when new (~0.4 µs); it dies with the go.
 */
export class LabelStrings {
  private readonly seen = new Map<string, string>();

  of(v: string): string {
    let out = this.seen.get(v);
    if (out === undefined) {
      out = intern(v);
      this.seen.set(v, out);
    }
    return out;
  }

  maybe(v: string | undefined): string | undefined {
    return v === undefined ? undefined : this.of(v);
  }
}

/**
 * What a shared (frozen) labels object reads as, without a rate: one object, read once, for every build (frozen);
 * undefined when it is not a request series. `strings`: where the strings of a labels object read for the first
 * time go (one copy of each value for the whole walk); without it, each is internalized alone.
 */
export function sharedSeries(
  l: Readonly<Record<string, string>>,
  strings?: LabelStrings,
): SeriesIdentity | undefined {
  let read = readLabels.get(l);
  if (read === undefined) {
    read = seriesOf(l, 0, strings ?? new LabelStrings()) ?? null;
    if (read !== null) Object.freeze(read);
    readLabels.set(l, read);
  }
  return read ?? undefined;
}

/**
 * `strings`: where the strings of a shared labels object read for the first time go (one copy of each value for
 * the whole walk); without it, each is internalized alone.
 */
export function toRequestSeries(s: Sample, strings?: LabelStrings): RequestSeries | undefined {
  if (!Number.isFinite(s.value)) return undefined;
  const l = s.labels;
  if (!Object.isFrozen(l)) return seriesOf(l, s.value, undefined);
  const read = sharedSeries(l, strings);
  if (read === undefined) return undefined;
  return {
    reporter: read.reporter,
    source: read.source,
    destination: read.destination,
    protocol: read.protocol,
    code: read.code,
    grpcStatus: read.grpcStatus,
    flags: read.flags,
    mtls: read.mtls,
    sourcePrincipal: read.sourcePrincipal,
    destPrincipal: read.destPrincipal,
    rps: s.value,
  };
}

/** `kept`: the strings of a shared labels object, read once (its strings then made one copy each, `intern`). */
function seriesOf(
  l: Record<string, string>,
  rps: number,
  kept: LabelStrings | undefined,
): RequestSeries | undefined {
  // The source's literals, not the label's copies (each labels object has its own: one string a series).
  const reporter =
    l.reporter === 'source' ? 'source' : l.reporter === 'destination' ? 'destination' : undefined;
  if (reporter === undefined) return undefined;
  const policy = known(l.connection_security_policy);
  const service = known(l.destination_service);
  const serviceName = known(l.destination_service_name);
  const serviceNamespace = known(l.destination_service_namespace);
  return {
    reporter,
    source: workload(l, 'source', kept),
    destination: {
      service: kept ? kept.maybe(service) : service,
      serviceName: kept ? kept.maybe(serviceName) : serviceName,
      serviceNamespace: kept ? kept.maybe(serviceNamespace) : serviceNamespace,
      workload: workload(l, 'destination', kept),
    },
    protocol: protocolOf(known(l.request_protocol)),
    code: responseCode(l),
    grpcStatus: known(l.grpc_response_status),
    flags: l.response_flags === undefined || l.response_flags === '' ? '-' : l.response_flags,
    mtls: policy === undefined ? undefined : policy === 'mutual_tls',
    sourcePrincipal: kept ? kept.maybe(known(l.source_principal)) : known(l.source_principal),
    destPrincipal: kept ? kept.maybe(known(l.destination_principal)) : known(l.destination_principal),
    rps,
  };
}

/**
 * Istio's request protocols as the source's literals: the graph's JSON writes a series' protocol on each of its
 * elements, and one string shared by all of them is written faster than one copy a series scattered over the
 * heap (`JSON.stringify` of the 5,000-workload graph's edges, measured with the namespaces and names below).
 */
function protocolOf(v: string | undefined): string {
  switch (v) {
    case undefined:
    case 'http':
      return 'http';
    case 'grpc':
      return 'grpc';
    case 'tcp':
      return 'tcp';
    default:
      return v;
  }
}

/** TCP has no response code: Kiali's `-`, neither an error nor "no response". */
export const TCP_CODE = '-';

function responseCode(l: Record<string, string>): string {
  if (l.request_protocol === 'tcp') return TCP_CODE;
  return l.response_code === undefined || l.response_code === '' ? '0' : l.response_code;
}

/**
 * The key a response is counted under, as Kiali keys it: an HTTP code, or for gRPC the `grpc_response_status`
 * (a gRPC error rides on HTTP 200), the HTTP code when it is 4xx/5xx, and `-` for no response.
 */
export function responseKey(s: Pick<RequestSeries, 'protocol' | 'code' | 'grpcStatus'>): string {
  if (s.protocol !== 'grpc') return s.code;
  if (s.code === '0') return '-';
  if (s.code.startsWith('4') || s.code.startsWith('5')) return s.code;
  return s.grpcStatus ?? s.code;
}

/** The caller→service pair a reporter choice is made for. */
export function edgeKey(s: Pick<RequestSeries, 'source' | 'destination'>): string {
  const src = s.source ? `${s.source.namespace}/${s.source.workload}` : 'unknown';
  const dst = s.destination.service ?? s.destination.workload?.workload ?? 'unknown';
  return `${src}→${dst}`;
}

/**
 * Keeps, per caller→service pair, the source-reported series if there are any, else the
 * destination-reported ones. Traffic from outside the mesh has only destination-reported series.
 */
export function chooseReporters<T extends Pick<RequestSeries, 'reporter' | 'source' | 'destination'>>(
  series: readonly T[],
): { chosen: T[]; reporterOf: Map<string, Reporter> } {
  return chooseReportersBy(series, series.map(edgeKey));
}

/** `chooseReporters` with each series' `edgeKey` given (`keys[i]` is that of `series[i]`). */
export function chooseReportersBy<T extends Pick<RequestSeries, 'reporter'>>(
  series: readonly T[],
  keys: readonly string[],
): { chosen: T[]; reporterOf: Map<string, Reporter> } {
  const reporterOf = new Map<string, Reporter>();
  for (let i = 0; i < series.length; i++) {
    const s = series[i] as T;
    const k = keys[i] as string;
    if (s.reporter === 'source' || !reporterOf.has(k)) reporterOf.set(k, s.reporter);
  }
  const chosen: T[] = [];
  for (let i = 0; i < series.length; i++) {
    const s = series[i] as T;
    if (reporterOf.get(keys[i] as string) === s.reporter) chosen.push(s);
  }
  return { chosen, reporterOf };
}

/**
 * The callers (`source_workload`) of the edges in request series that only their destination reports:
 * caller → service pairs with destination-reported series and no source-reported traffic. Traffic from
 * outside the mesh is the caller `unknown`; a caller without a proxy is named. The latency of these
 * edges is read from destination-reported buckets.
 */
export function destinationOnlyCallers(samples: readonly Sample[]): string[] {
  // Keyed by the label values themselves, one level each: no key string made per series (the values are
  // shared between graphs, `splitJoinedRequests`, so their hashes are computed once).
  const reported = new Map<string, Map<string, Map<string, number>>>();
  for (const s of samples) {
    const l = s.labels;
    if (l.reporter !== 'source') continue;
    const ns = l.source_workload_namespace ?? '';
    let byWorkload = reported.get(ns);
    if (!byWorkload) {
      byWorkload = new Map();
      reported.set(ns, byWorkload);
    }
    const workload = l.source_workload ?? '';
    let byService = byWorkload.get(workload);
    if (!byService) {
      byService = new Map();
      byWorkload.set(workload, byService);
    }
    const service = l.destination_service ?? '';
    byService.set(service, (byService.get(service) ?? 0) + s.value);
  }
  const callers = new Set<string>();
  for (const s of samples) {
    const l = s.labels;
    if (l.reporter !== 'destination') continue;
    const rate = reported
      .get(l.source_workload_namespace ?? '')
      ?.get(l.source_workload ?? '')
      ?.get(l.destination_service ?? '');
    if (!((rate ?? 0) > 0)) callers.add(l.source_workload ?? '');
  }
  return [...callers];
}

/**
 * What the graph reads of a request series' labels besides the walk, made once for a labels object kept between
 * graphs (`rates-answer.ts`): for `destinationOnlyCallers`, its reporter, its caller → service pair as one key
 * and its caller; for the mesh config, the namespaces it names (`namespacesOfLabels`).
 */
export interface SeriesKeys {
  reporter: string | undefined;
  /** Caller namespace, caller, service joined by `;` — which split label values never hold. */
  pair: string;
  caller: string;
  namespaces: readonly string[];
}

/** The `SeriesKeys` of labels split from a joined request label string (no value holds a `;`). */
export function seriesKeysOf(l: Readonly<Record<string, string>>): SeriesKeys {
  const caller = l.source_workload ?? '';
  return {
    reporter: l.reporter,
    pair: `${l.source_workload_namespace ?? ''};${caller};${l.destination_service ?? ''}`,
    caller,
    namespaces: namespacesOfLabels(l),
  };
}

/**
 * `destinationOnlyCallers` of samples whose labels were split from joined strings, given their `SeriesKeys`
 * (`keys[i]` is that of `samples[i]`): the same callers in the same order, one Map key a series.
 */
export function destinationOnlyCallersOf(samples: readonly Sample[], keys: readonly SeriesKeys[]): string[] {
  const reported = new Map<string, number>();
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as SeriesKeys;
    if (k.reporter !== 'source') continue;
    reported.set(k.pair, (reported.get(k.pair) ?? 0) + (samples[i] as Sample).value);
  }
  const callers = new Set<string>();
  for (const k of keys) {
    if (k.reporter !== 'destination') continue;
    if (!((reported.get(k.pair) ?? 0) > 0)) callers.add(k.caller);
  }
  return [...callers];
}

const NAMESPACE_LABELS = [
  'source_workload_namespace',
  'destination_service_namespace',
  'destination_workload_namespace',
] as const;
/** A Kubernetes namespace name (RFC 1123 label). */
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The namespaces a request series names (its caller's, its service's, its workload's), in that order. */
export function namespacesOfLabels(l: Readonly<Record<string, string>>): string[] {
  const out: string[] = [];
  for (const k of NAMESPACE_LABELS) {
    const v = l[k];
    if (v && v !== 'unknown' && NAMESPACE.test(v)) out.push(v);
  }
  return out;
}

/** Every namespace the series name, sorted (each once). */
export function namespacesOf(samples: readonly Sample[]): string[] {
  const out = new Set<string>();
  for (const s of samples) for (const ns of namespacesOfLabels(s.labels)) out.add(ns);
  return [...out].sort();
}

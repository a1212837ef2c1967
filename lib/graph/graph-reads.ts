// Every read a graph makes, started at once: the request rates (PromQL), the latency buckets (see
// `latency-read.ts`), the live Envoy stats and the mesh config. Each is a promise of a typed result; the
// graph walks the rates as soon as they arrive, while the rest are still being answered.
import { type InstantBody, type PromClient, type PromResult, traceMark } from '../prometheus/client';
import { foldLiveStats, LIVE_STATS, type LiveStat, type LiveStats, liveStatQuery } from './envoy-stats';
import type { LatencyReading } from './latency-cache';
import { type LatencyDeps, readLatency } from './latency-read';
import { type ConfigResult, configOfFound } from './mesh-config-source';
import { type GraphParams, promDuration } from './params';
import {
  grpcMessageRateQuery,
  joinedRequestRateQuery,
  reporterSelections,
  requestRateQuery,
  splitJoinedRequests,
  tcpRateQuery,
} from './promql';
import {
  type BegunRead,
  beginJoinedRead,
  finishJoinedRead,
  type RequestsOfBody,
  requestSamplesOfAnswers,
  requestSamplesOfBody,
} from './rates-answer';
import { destinationOnlyCallers, namespacesOf, type Sample } from './series';
import { GenerationalMemo, seriesMemoEntriesFromEnv } from './series-memo';

export interface ReadDeps extends LatencyDeps {
  prometheus: PromClient;
  /** The mesh config of some namespaces; absent when no control plane is configured. */
  meshConfig?: (namespaces: string[]) => Promise<ConfigResult>;
}

export interface Reads {
  requests: Promise<PromResult<Sample[]>>;
  latency: Promise<PromResult<LatencyReading | undefined>>;
  live: Promise<PromResult<LiveStats>>;
  /** Undefined: no control plane configured. */
  config: Promise<ConfigResult | undefined>;
  /** When the last of these reads' Prometheus answers in so far landed (`performance.now()`; 0: none yet). */
  lastAnswer: () => number;
}

export function startReads(params: GraphParams, given: ReadDeps, time: number): Reads {
  const landed = { at: 0 };
  const deps: ReadDeps = {
    ...given,
    prometheus: noting(given.prometheus, landed),
    ...(given.latencyPrometheus ? { latencyPrometheus: noting(given.latencyPrometheus, landed) } : {}),
  };
  const range = promDuration(params.duration);
  const sel = reporterSelections(params.namespaces);
  const selections = [...sel.source, ...sel.destination];
  const read = readRequests(deps.prometheus, sel, range, time);
  const http = read.then((r) => r.requests);
  // Only a latency read needs them (a walk over every series): found when one asks, so not for a graph
  // without latency nor one whose latency reading is kept (`latency-cache.ts`, a polled graph).
  let found: Promise<string[] | undefined> | undefined;
  const callers = () => {
    found ??= params.latency
      ? read.then(({ requests: r, callers }) =>
          r.ok ? (callers ? callers() : destinationOnlyCallers(r.value)) : undefined,
        )
      : Promise.resolve(undefined);
    return found;
  };
  const tcp = deps.prometheus.instant(tcpRateQuery(selections, range), time);
  const calls = withTcp(http, tcp);
  const messages =
    params.rateGrpc === undefined || params.rateGrpc === 'requests' ? undefined : params.rateGrpc;
  // A mark for the read trace; a failed read is the caller's to answer, not an unhandled rejection here.
  calls.then(
    () => traceMark('rates-with-tcp'),
    () => {},
  );
  const requests =
    messages === undefined
      ? calls
      : withGrpcMessages(
          calls,
          deps.prometheus.instant(grpcMessageRateQuery(selections, range, messages), time),
        );
  // The namespaces of the series (`namespacesOf(requests)`): those of the request rates as read with them
  // (`rates-answer.ts`: kept from the answer before when its series are the same), and of the TCP series.
  const namespaces = async (): Promise<string[] | undefined> => {
    if (messages !== undefined) {
      const r = await requests;
      return r.ok ? namespacesOf(r.value) : undefined;
    }
    const [{ requests: r, namespaces: ofRequests }, t] = await Promise.all([read, tcp]);
    if (!r.ok) return undefined;
    const fromRequests = ofRequests ? ofRequests() : namespacesOf(r.value);
    if (!t.ok || t.value.length === 0) return fromRequests;
    return [...new Set([...fromRequests, ...namespacesOf(t.value)])].sort();
  };
  return {
    requests,
    latency: readLatency({ params, deps, sel, callers }, time),
    live: readLiveStats(deps.prometheus, range, time),
    config: readConfig(params, deps, namespaces),
    lastAnswer: () => landed.at,
  };
}

/**
 * `prometheus`, noting when each of its answers lands (its promise settles: after the last byte, before the caller
 * reads it; an `instant` answer is parsed first). A build's reads end there: Server-Timing's `reads`.
 */
function noting(prometheus: PromClient, landed: { at: number }): PromClient {
  const note = <T>(answer: T): T => {
    landed.at = performance.now();
    return answer;
  };
  const instantBody = prometheus.instantBody;
  return {
    baseUrl: prometheus.baseUrl,
    instant: (query, timeSec) => prometheus.instant(query, timeSec).then(note),
    ...(instantBody
      ? {
          instantBody: (query: string, timeSec: number) =>
            instantBody.call(prometheus, query, timeSec).then(note),
        }
      : {}),
    range: (query, startSec, endSec, stepSec) =>
      prometheus.range(query, startSec, endSec, stepSec).then(note),
  };
}

/**
 * The request rates with their labels joined (a third of the answer), split back here; the labelled
 * query only if a value would not split. With them, when read from the answer's bytes, how to find the
 * callers only their destination reports without reading every series' labels again.
 */
async function readRequests(
  prometheus: PromClient,
  sel: ReturnType<typeof reporterSelections>,
  range: string,
  time: number,
): Promise<{ requests: PromResult<Sample[]>; callers?: () => string[]; namespaces?: () => string[] }> {
  const selections = [...sel.source, ...sel.destination];
  let split: Sample[] | undefined;
  const instantBody = prometheus.instantBody;
  if (instantBody) {
    // Split from the answer's bytes as soon as it arrives (`rates-answer.ts`), parsed only when it cannot be.
    const a = await joinedRatesBody((q, t) => instantBody.call(prometheus, q, t), sel, range, time);
    if (!a.ok) return { requests: a };
    const read = a.value.read();
    traceMark('rates-read', { samples: read?.samples?.length });
    if (read?.samples)
      return {
        requests: { ok: true, value: read.samples },
        callers: read.callers,
        namespaces: read.namespaces,
      };
    if (!read) {
      const r = a.value.samples();
      if (!r.ok) return { requests: r };
      split = splitJoinedRequests(r.value);
    }
  } else {
    const r = await prometheus.instant(joinedRequestRateQuery(selections, range), time);
    if (!r.ok) return { requests: r };
    split = splitJoinedRequests(r.value);
  }
  return {
    requests: split
      ? { ok: true, value: split }
      : await prometheus.instant(requestRateQuery(selections, range), time),
  };
}

/**
 * `MESHLENS_GRAPH_RATES_ONE_READ=1`: the joined rates read as one query (`A or B`), as before the reads by
 * reporter (for an A/B of the two on one build).
 */
const ratesInOneRead = process.env.MESHLENS_GRAPH_RATES_ONE_READ === '1';

/** The joined request rates' answer: its samples read from its bytes (undefined: not the one shape), or parsed. */
interface RatesAnswer {
  read: () => RequestsOfBody | undefined;
  samples: InstantBody['samples'];
}

/**
 * The joined request rates' answer: the source reporter's and the destination reporter's series read as two
 * queries at once — Prometheus evaluates a query on one core, so the two take about half as long as the one
 * query of both (9.8 MB at 5,000 workloads) — and read as what that one query answers (`requestSamplesOfAnswers`);
 * when they cannot be, `read` gives undefined and `samples` the two answers' samples, one after the other.
 */
async function joinedRatesBody(
  instantBody: (query: string, timeSec: number) => Promise<PromResult<InstantBody>>,
  sel: ReturnType<typeof reporterSelections>,
  range: string,
  time: number,
): Promise<PromResult<RatesAnswer>> {
  if (ratesInOneRead || sel.source.length === 0 || sel.destination.length === 0) {
    const r = await instantBody(joinedRequestRateQuery([...sel.source, ...sel.destination], range), time);
    if (!r.ok) return r;
    const { body, samples } = r.value;
    return { ok: true, value: { read: () => requestSamplesOfBody(body), samples } };
  }
  const reads = [
    instantBody(joinedRequestRateQuery(sel.source, range), time),
    instantBody(joinedRequestRateQuery(sel.destination, range), time),
  ] as const;
  // The source's series read as its answer lands, when the destination's is still being answered (the joined
  // answer is the source's series, then the destination's).
  let destinationIn = false;
  let begun: BegunRead | undefined;
  reads[1].then(
    () => {
      destinationIn = true;
    },
    // A failed read is the caller's to answer.
    () => {},
  );
  reads[0].then(
    (r) => {
      if (!r.ok || destinationIn) return;
      begun = beginJoinedRead(r.value.body);
      traceMark('source-rates-read');
    },
    () => {},
  );
  const [a, b] = await Promise.all(reads);
  if (!a.ok) return a;
  if (!b.ok) return b;
  return {
    ok: true,
    value: {
      read: () =>
        begun ? finishJoinedRead(begun, b.value.body) : requestSamplesOfAnswers(a.value.body, b.value.body),
      samples: () => {
        const first = a.value.samples();
        if (!first.ok) return first;
        const second = b.value.samples();
        return second.ok ? { ok: true, value: first.value.concat(second.value) } : second;
      },
    },
  };
}

const TCP_MARK: Readonly<Record<string, string>> = { request_protocol: 'tcp' };
const GRPC_MESSAGE_MARK: Readonly<Record<string, string>> = {
  request_protocol: 'grpc',
  response_code: '200',
  grpc_response_status: '0',
};
let marked: GenerationalMemo<string, Readonly<Record<string, string>>> | undefined;

/**
 * `{ ...labels, ...mark }`, frozen and the same object for the same labels from one build to the next (bounded
 * as the request series' split memo, `MESHLENS_GRAPH_SERIES_MEMO`): the walk reads and routes a frozen labels
 * object once (`toRequestSeries`, `trafficMap`), a fresh copy every build.
 */
function markedLabels(
  labels: Readonly<Record<string, string>>,
  mark: Readonly<Record<string, string>>,
): Readonly<Record<string, string>> {
  marked ??= new GenerationalMemo(seriesMemoEntriesFromEnv());
  return marked.get(JSON.stringify(mark) + JSON.stringify(labels), () =>
    Object.freeze({ ...labels, ...mark }),
  );
}

/**
 * The request series and, after them, the TCP series (bytes/s, `request_protocol="tcp"`): one list for the
 * traffic map. TCP failing to read leaves the graph without its TCP edges, not without a graph.
 */
async function withTcp(
  requests: Promise<PromResult<Sample[]>>,
  tcp: Promise<PromResult<Sample[]>>,
): Promise<PromResult<Sample[]>> {
  const [r, t] = await Promise.all([requests, tcp]);
  if (!r.ok || !t.ok || t.value.length === 0) return r;
  const tcpSamples = t.value.map((s) => ({ ...s, labels: markedLabels(s.labels, TCP_MARK) }));
  return { ok: true, value: [...r.value, ...tcpSamples] };
}

/**
 * Kiali's gRPC message rates: the gRPC request series give way to message series (`or` of the metrics
 * keeps one per label set for `total`, so the two are summed here), which have no code: counted as OK.
 */
async function withGrpcMessages(
  requests: Promise<PromResult<Sample[]>>,
  messages: Promise<PromResult<Sample[]>>,
): Promise<PromResult<Sample[]>> {
  const [r, m] = await Promise.all([requests, messages]);
  if (!r.ok || !m.ok) return r;
  const kept = r.value.filter((s) => s.labels.request_protocol !== 'grpc');
  const grpc = m.value.map((s) => ({ ...s, labels: markedLabels(s.labels, GRPC_MESSAGE_MARK) }));
  return { ok: true, value: [...kept, ...grpc] };
}

/** Every live stat, folded; the first failure fails them all (the badges then say "not reported"). */
async function readLiveStats(
  prometheus: PromClient,
  range: string,
  time: number,
): Promise<PromResult<LiveStats>> {
  const stats = Object.keys(LIVE_STATS) as LiveStat[];
  const answers = await Promise.all(stats.map((s) => prometheus.instant(liveStatQuery(s, range), time)));
  const byStat: Partial<Record<LiveStat, Sample[]>> = {};
  for (let i = 0; i < answers.length; i++) {
    const a = answers[i] as PromResult<Sample[]>;
    if (!a.ok) return a;
    byStat[stats[i] as LiveStat] = a.value;
  }
  return { ok: true, value: foldLiveStats(byStat) };
}

/**
 * With every namespace asked for: the namespaces each view's traffic had at its last config read (a view: the
 * parameters its series depend on), at most `CONFIG_VIEWS_KEPT` views, the oldest dropped first.
 */
const lastConfigNamespaces = new Map<string, readonly string[]>();
export const CONFIG_VIEWS_KEPT = 16;

/**
 * What a graph's series depend on besides its time and graph type: the namespaces asked for, the duration and
 * the gRPC rate (a view of the walk's plans, `TrafficInput.view`, and of the config's namespaces).
 */
export function seriesViewOf(params: GraphParams): string {
  return `${params.namespaces.join(',')}:${params.duration}:${params.rateGrpc ?? 'requests'}`;
}

/**
 * `start()` once the Prometheus reads sent before it are on the wire. `node:http` writes a request only when the
 * code that sent it yields (its socket is handed over in a `nextTick`), and a config read's ~56 fetches (5 kinds a
 * namespace) take the main thread ~5-12 ms at 5,000 workloads: started in the same turn, they held every Prometheus
 * read back by that much (served, polled: the reads written 7-20 ms after the request, 1-11 ms with this).
 */
function afterReadsSent<T>(start: () => Promise<T>): Promise<T> {
  return new Promise<void>((resolve) => setImmediate(resolve)).then(start);
}

/**
 * The mesh config of the namespaces asked for — or, with every namespace asked for, of those that
 * actually have traffic (known once the request series are in). Then the read of the namespaces this view's
 * traffic had the time before starts at once, beside the rates, and after them only a namespace that
 * appeared is read (`configOfFound`): a polled graph does not wait for the control plane after its rates.
 */
async function readConfig(
  params: GraphParams,
  deps: ReadDeps,
  namespaces: () => Promise<string[] | undefined>,
): Promise<ConfigResult | undefined> {
  const meshConfig = deps.meshConfig;
  if (!meshConfig) return undefined;
  if (params.namespaces.length > 0) return afterReadsSent(() => meshConfig(params.namespaces));
  const view = seriesViewOf(params);
  const last = lastConfigNamespaces.get(view);
  const early = last ? afterReadsSent(() => meshConfig([...last])) : undefined;
  // Not awaited when the rates fail: its failure is then no one's to answer.
  early?.then(undefined, () => {});
  const found = await namespaces();
  if (!found) return undefined;
  lastConfigNamespaces.delete(view);
  if (lastConfigNamespaces.size >= CONFIG_VIEWS_KEPT) {
    const oldest = lastConfigNamespaces.keys().next().value;
    if (oldest !== undefined) lastConfigNamespaces.delete(oldest);
  }
  lastConfigNamespaces.set(view, found);
  return early && last ? configOfFound(found, last, early, meshConfig) : meshConfig(found);
}

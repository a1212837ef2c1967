// Recording rules for the graph at scale (Istio's production advice: pre-aggregate by edge so queries do
// not re-read every pod's series): the 2xx latency bucket rates summed by edge. The graph uses them when
// Prometheus has them — detected by one cheap query, cached — and falls back to the raw histogram
// otherwise, as a real Istio mesh may not have them.
import { stringify } from 'yaml';
import {
  callersMatcher,
  eq,
  LATENCY_EDGE_LABELS,
  type LatencyQueries,
  type Matcher,
  selector,
} from './promql';

/** `sum by (le, reporter, edge labels) (rate(2xx buckets[1m]))`, recorded. */
export const EDGE_LATENCY_RECORD = 'istio:edge_request_duration_milliseconds_bucket:rate1m';
/** The rate window the rules are recorded over. */
export const RECORDED_WINDOW_S = 60;

export interface RecordingRule {
  record: string;
  expr: string;
}

export const GRAPH_RECORDING_RULES: readonly RecordingRule[] = [
  {
    record: EDGE_LATENCY_RECORD,
    expr: `sum by (${['le', ...LATENCY_EDGE_LABELS].join(',')}) (rate(istio_request_duration_milliseconds_bucket{response_code=~"2.."}[1m]))`,
  },
];

/** A Prometheus rule file holding the graph's rules (for `rule_files` or `promtool … create-blocks-from rules`). */
export function recordingRulesYaml(interval = '15s'): string {
  return stringify({ groups: [{ name: 'meshlens-graph', interval, rules: GRAPH_RECORDING_RULES }] });
}

/**
 * The recorded bucket rates over `rangeS` seconds for a selection: the recorded series as they are for
 * the rule's own window, else averaged over the range (the mean of 1 m rates is the rate over the range).
 */
export function recordedBuckets(matchers: readonly Matcher[], rangeS: number): string {
  const sel = `${EDGE_LATENCY_RECORD}${selector(matchers)}`;
  return rangeS <= RECORDED_WINDOW_S ? sel : `avg_over_time(${sel}[${rangeS}s])`;
}

/**
 * `rawLatencyQueries` on the recorded series: the same two reads (source-reported buckets; destination-
 * reported ones of the callers no proxy reports), without re-reading the raw histogram.
 */
export function recordedLatencyQueries(
  sel: { source: Matcher[][]; destination: Matcher[][] },
  rangeS: number,
): LatencyQueries {
  const by = ['le', ...LATENCY_EDGE_LABELS].join(',');
  const read = (selections: Matcher[][]) =>
    selections.map((m) => `sum by (${by}) (${recordedBuckets(m, rangeS)})`).join(' or ');
  return {
    source: read(sel.source),
    destination: (callers) => {
      const who = callersMatcher(callers);
      return read(sel.destination.map((m) => [...m, ...who]));
    },
  };
}

/** The cheap query that tells whether the rules' series exist at a time (one bucket bound: a twentieth). */
export const RULES_PROBE_QUERY = `count(${EDGE_LATENCY_RECORD}${selector([eq('le', '+Inf')])})`;

/** Whether a probe answer says the recorded series are there. */
export function rulesPresent(probe: readonly { value: number }[]): boolean {
  return probe.some((s) => s.value > 0);
}

/**
 * Caches a yes/no detection for `ttlMs`: one probe per minute at most, whatever the polling. A failed
 * probe is not cached (the raw queries are used meanwhile).
 */
export function cachedDetection<A extends unknown[]>(
  probe: (...args: A) => Promise<boolean | undefined>,
  ttlMs = 60_000,
  now: () => number = Date.now,
): (...args: A) => Promise<boolean> {
  let cached: { value: boolean; at: number } | undefined;
  let pending: Promise<boolean> | undefined;
  return async (...args: A) => {
    if (cached && now() - cached.at < ttlMs) return cached.value;
    pending ??= probe(...args)
      .then((value) => {
        if (value !== undefined) cached = { value, at: now() };
        return value ?? false;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
}

// Exemplars of Istio's request-duration histogram for a graph node or edge: the PromQL selector (every
// value escaped, node ids validated by the graph's parser) and Prometheus' query_exemplars answer read
// into points (time, duration, trace id) for a latency chart.
import { z } from 'zod';
import { parseNodeId } from '@/lib/graph/node-id';
import { eq, type Matcher, selector } from '@/lib/graph/promql';
import type { ExemplarPoint } from './api-types';

export const EXEMPLAR_METRIC = 'istio_request_duration_milliseconds_bucket';
/** Points answered at most (newest kept): a chart needs no more. */
export const MAX_EXEMPLARS = 500;

type Side = 'source' | 'destination';

/** Matchers selecting requests from (`source`) or into (`destination`) a graph node; undefined if invalid. */
export function nodeMatchers(nodeId: string, side: Side): Matcher[] | undefined {
  const ref = parseNodeId(nodeId.startsWith('box:') ? `app:${nodeId.slice(4)}` : nodeId);
  if (!ref) return undefined;
  switch (ref.kind) {
    case 'unknown':
      return side === 'source' ? [eq('source_workload', 'unknown')] : [eq('destination_workload', 'unknown')];
    case 'workload':
      return [eq(`${side}_workload`, ref.workload), eq(`${side}_workload_namespace`, ref.namespace)];
    case 'app':
      return [
        eq(`${side}_canonical_service`, ref.app),
        eq(`${side}_workload_namespace`, ref.namespace),
        ...(ref.version ? [eq(`${side}_canonical_revision`, ref.version)] : []),
      ];
    case 'service':
      if (side === 'source') {
        // A service node as a caller (service graphs) stands for the workloads of its app.
        return [eq('source_canonical_service', ref.name), eq('source_workload_namespace', ref.namespace)];
      }
      return ref.external
        ? [eq('destination_service', ref.host)]
        : [eq('destination_service_name', ref.name), eq('destination_service_namespace', ref.namespace)];
  }
}

const nodeId = z.string().min(1).max(600);
const unixSeconds = z.coerce.number().finite().positive();

export const ExemplarParamsSchema = z
  .object({
    node: nodeId.optional(),
    source: nodeId.optional(),
    target: nodeId.optional(),
    start: unixSeconds.optional(),
    end: unixSeconds.optional(),
    /** Seconds back from `end` when `start` is absent. */
    duration: z.coerce
      .number()
      .int()
      .min(10)
      .max(7 * 86_400)
      .optional(),
  })
  .refine((p) => (p.node !== undefined) !== (p.source !== undefined && p.target !== undefined), {
    message: 'give either node, or source and target',
  });

export type ExemplarQuery =
  | { ok: true; query: string; start: number; end: number }
  | { ok: false; error: string };

/** The exemplar query for URL parameters: a node's inbound requests, or an edge's. */
export function exemplarQuery(params: URLSearchParams, nowSec: number): ExemplarQuery {
  const raw = Object.fromEntries([...params].filter(([, v]) => v !== ''));
  const parsed = ExemplarParamsSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    return { ok: false, error: `${i?.path.join('.') || 'query'}: ${i?.message ?? 'invalid'}` };
  }
  const p = parsed.data;
  const sides: [string, Side][] =
    p.node !== undefined
      ? [[p.node, 'destination']]
      : [
          [p.source ?? '', 'source'],
          [p.target ?? '', 'destination'],
        ];
  const matchers: Matcher[] = [];
  for (const [id, side] of sides) {
    const m = nodeMatchers(id, side);
    if (!m) return { ok: false, error: `not a graph node id: ${id}` };
    matchers.push(...m);
  }
  const end = p.end ?? nowSec;
  const start = p.start ?? end - (p.duration ?? 600);
  if (start >= end) return { ok: false, error: 'start must be before end' };
  return { ok: true, query: `${EXEMPLAR_METRIC}${selector(matchers)}`, start, end };
}

const ExemplarsAnswerSchema = z.object({
  status: z.literal('success'),
  data: z.array(
    z.object({
      seriesLabels: z.record(z.string(), z.string()),
      exemplars: z.array(
        z.object({
          labels: z.record(z.string(), z.string()),
          value: z.union([z.string(), z.number()]),
          timestamp: z.number(),
        }),
      ),
    }),
  ),
});

/** Prometheus' answer as points, one per trace (both reporters attach the same trace), oldest first. */
export function parseExemplars(body: unknown): ExemplarPoint[] | undefined {
  const parsed = ExemplarsAnswerSchema.safeParse(body);
  if (!parsed.success) return undefined;
  const byTrace = new Map<string, ExemplarPoint>();
  for (const series of parsed.data.data) {
    const l = series.seriesLabels;
    for (const e of series.exemplars) {
      const traceId = e.labels.trace_id ?? e.labels.traceID ?? e.labels.traceId;
      const valueMs = Number(e.value);
      if (!traceId || !Number.isFinite(valueMs)) continue;
      const point: ExemplarPoint = {
        traceId,
        spanId: e.labels.span_id,
        timeMs: Math.round(e.timestamp * 1000),
        valueMs,
        le: l.le,
        source: l.source_canonical_service ?? l.source_workload,
        destination: l.destination_canonical_service ?? l.destination_service_name,
        responseCode: l.response_code,
      };
      const seen = byTrace.get(traceId);
      // The caller's (source-reported) observation covers the whole hop, retries included: prefer it.
      if (!seen || l.reporter === 'source') byTrace.set(traceId, point);
    }
  }
  return [...byTrace.values()].sort((a, b) => a.timeMs - b.timeMs).slice(-MAX_EXEMPLARS);
}

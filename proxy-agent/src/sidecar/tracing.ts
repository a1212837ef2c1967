// The sidecar's spans: one per hop, continuing the caller's B3 context, exported over OTLP/HTTP (JSON) by a
// batching processor with a bounded queue, so a trace backend that is slow or down never slows or breaks
// a request (spans beyond the queue are dropped).
//
// Span shape, like Istio's Envoy spans:
// - kind SERVER at the callee's sidecar (child of the caller's client span), CLIENT at the caller's sidecar
//   (child of the context the local app forwarded, i.e. its own sidecar's server span);
// - attributes `http.method`, `http.url`, `component=proxy`, `node_id`, `istio.namespace`,
//   `istio.canonical_service`, `istio.canonical_revision`, `upstream_cluster` and `upstream_cluster.name`
//   (client spans), `peer.address`, `peer.service` when known; at the end `http.status_code`,
//   `response_flags`, and on failure `error=true` with OTel status ERROR;
// - one event per try of the upstream request (the first try included), so retries show in the trace:
//     name `attempt`, attributes { attempt: number (1 = first try), endpoint: 'host:port',
//     'http.status_code': number (0 = no response), response_flags: string ('-' = none),
//     duration_ms: number, retry: boolean (attempt > 1) }
//   (Jaeger shows events as span logs, with `event: attempt`.)
// Sampling: the incoming B3 decision when there is one (debug means sampled), else `samplingPercent` of new
// traces (by trace id, so every sidecar of an undecided trace decides alike). Unsampled spans are
// non-recording: ids for propagation only, nothing recorded or exported.
import {
  type Attributes,
  type Context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type Sampler,
  SamplingDecision,
  type SamplingResult,
  type SpanExporter,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import { type HeaderBag, readB3 } from './b3';
import type { AttemptRecord, HopSpan, SidecarTracerApi, SpanStart } from './telemetry-types';

export const DEFAULT_MAX_QUEUE_SIZE = 2048;
const MAX_EXPORT_BATCH_SIZE = 512;
const SCHEDULED_DELAY_MS = 500;
const EXPORT_TIMEOUT_MS = 3000;
/** At most this many exports in flight: with the backend down, memory stays bounded. */
const EXPORT_CONCURRENCY = 2;
const SHUTDOWN_WAIT_MS = 2000;

export interface SidecarTracerOptions {
  /** Istio-style `<app>.<namespace>`: the `service.name` Jaeger shows. */
  serviceName: string;
  namespace: string;
  canonicalService: string;
  canonicalRevision: string;
  /** Envoy's node id (`sidecar~<ip>~<pod>.<namespace>~<namespace>.svc.cluster.local`); derived when absent. */
  nodeId?: string;
  /** Extra resource attributes (e.g. `service.version`, `service.instance.id`). */
  resourceAttributes?: Attributes;
  /**
   * OTLP/HTTP endpoint: a base URL (`http://127.0.0.1:4318`, `/v1/traces` is appended) or the full traces
   * URL. Without one, spans still propagate but are not exported.
   */
  otlpEndpoint?: string;
  /** Percentage of new traces sampled when the caller made no decision (default 100). */
  samplingPercent?: number;
  /** Bound of the export queue; spans beyond it are dropped (default 2048). */
  maxQueueSize?: number;
  /** Exporter to use instead of OTLP/HTTP (tests). */
  exporter?: SpanExporter;
}

/**
 * Honours the decision in the B3 headers; a new or undecided trace is sampled by trace id ratio. The
 * decision is handed over in `next` right before the (synchronous) `startSpan` call that consults the
 * sampler: cheaper than a context value, which copies the context's map on every request.
 */
class HopSampler implements Sampler {
  next: boolean | undefined;
  private readonly ratio: TraceIdRatioBasedSampler;
  constructor(percent: number) {
    this.ratio = new TraceIdRatioBasedSampler(Math.min(100, Math.max(0, percent)) / 100);
  }

  shouldSample(context: Context, traceId: string): SamplingResult {
    const decision = this.next;
    this.next = undefined;
    if (decision === true) return { decision: SamplingDecision.RECORD_AND_SAMPLED };
    if (decision === false) return { decision: SamplingDecision.NOT_RECORD };
    return this.ratio.shouldSample(context, traceId);
  }

  toString(): string {
    return `HopSampler{${this.ratio.toString()}}`;
  }
}

export class SidecarTracer implements SidecarTracerApi {
  private readonly provider: BasicTracerProvider;
  private readonly processor: BatchSpanProcessor | undefined;
  private readonly tracer: Tracer;
  private readonly sampler: HopSampler;
  private readonly nodeId: string;
  private readonly namespace: string;
  private readonly canonicalService: string;
  private readonly canonicalRevision: string;

  constructor(options: SidecarTracerOptions) {
    const exporter = options.exporter ?? otlpExporter(options.otlpEndpoint);
    this.processor =
      exporter === undefined
        ? undefined
        : new BatchSpanProcessor(exporter, {
            maxQueueSize: options.maxQueueSize ?? DEFAULT_MAX_QUEUE_SIZE,
            maxExportBatchSize: Math.min(
              MAX_EXPORT_BATCH_SIZE,
              options.maxQueueSize ?? DEFAULT_MAX_QUEUE_SIZE,
            ),
            scheduledDelayMillis: SCHEDULED_DELAY_MS,
            exportTimeoutMillis: EXPORT_TIMEOUT_MS,
          });
    this.sampler = new HopSampler(options.samplingPercent ?? 100);
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({
        ...options.resourceAttributes,
        'service.name': options.serviceName,
      }),
      sampler: this.sampler,
      spanProcessors: this.processor === undefined ? [] : [this.processor],
    });
    this.tracer = this.provider.getTracer('meshlens-sidecar');
    const workload = options.serviceName.split('.')[0] ?? options.serviceName;
    this.nodeId =
      options.nodeId ??
      `sidecar~127.0.0.1~${workload}.${options.namespace}~${options.namespace}.svc.cluster.local`;
    this.namespace = options.namespace;
    this.canonicalService = options.canonicalService;
    this.canonicalRevision = options.canonicalRevision;
  }

  startServerSpan(incoming: HeaderBag, start: SpanStart): HopSpan {
    return this.startSpan(SpanKind.SERVER, incoming, start);
  }

  startClientSpan(incoming: HeaderBag, start: SpanStart): HopSpan {
    return this.startSpan(SpanKind.CLIENT, incoming, start);
  }

  /** Spans waiting in the export queue (bounded by `maxQueueSize`); 0 without an exporter. */
  queuedSpans(): number {
    // BatchSpanProcessor keeps its queue private; read it for diagnostics only (sdk-trace 2.x: _finishedSpans).
    const queue = (this.processor as unknown as { _finishedSpans?: unknown[] } | undefined)?._finishedSpans;
    return Array.isArray(queue) ? queue.length : 0;
  }

  /** Exports what is queued, waiting at most `waitMs`. */
  async flush(waitMs = SHUTDOWN_WAIT_MS): Promise<void> {
    await bounded(this.provider.forceFlush(), waitMs);
  }

  async shutdown(): Promise<void> {
    await bounded(this.provider.shutdown(), SHUTDOWN_WAIT_MS);
  }

  private startSpan(kind: SpanKind, incoming: HeaderBag, start: SpanStart): HopSpan {
    const b3 = readB3(incoming);
    let context = ROOT_CONTEXT;
    let parentSpanId: string | undefined;
    let debug = false;
    let decision: boolean | undefined;
    if (b3.kind === 'context') {
      const { traceId, spanId, sampled } = b3.context;
      parentSpanId = spanId;
      debug = b3.context.debug === true;
      decision = sampled;
      context = trace.setSpanContext(context, {
        traceId,
        spanId,
        traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
        isRemote: true,
      });
    } else if (b3.kind === 'decision') {
      debug = b3.debug;
      decision = b3.sampled;
    }
    this.sampler.next = decision;
    const span = this.tracer.startSpan(start.name, { kind }, context);
    if (span.isRecording()) span.setAttributes(this.startAttributes(start));
    return new SidecarHopSpan(span, parentSpanId, debug);
  }

  /** One object literal of a fixed shape: spreading shared attributes was a visible cost per span. */
  private startAttributes(start: SpanStart): Attributes {
    return {
      component: 'proxy',
      node_id: this.nodeId,
      'istio.namespace': this.namespace,
      'istio.canonical_service': this.canonicalService,
      'istio.canonical_revision': this.canonicalRevision,
      'http.method': start.method,
      'http.url': start.url,
      upstream_cluster: start.upstreamCluster,
      'upstream_cluster.name': start.upstreamCluster,
      'peer.address': start.peerAddress,
      'peer.service': start.peerService,
    };
  }
}

class SidecarHopSpan implements HopSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly sampled: boolean;
  private ended = false;

  constructor(
    private readonly span: Span,
    private readonly parentSpanId: string | undefined,
    private readonly debug: boolean,
  ) {
    const context = span.spanContext();
    this.traceId = context.traceId;
    this.spanId = context.spanId;
    this.sampled = (context.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
  }

  b3Headers(): Record<string, string> {
    const headers: Record<string, string> = {
      'x-b3-traceid': this.traceId,
      'x-b3-spanid': this.spanId,
      'x-b3-sampled': this.sampled ? '1' : '0',
    };
    if (this.parentSpanId !== undefined) headers['x-b3-parentspanid'] = this.parentSpanId;
    if (this.debug) headers['x-b3-flags'] = '1';
    return headers;
  }

  setAttribute(key: string, value: string | number | boolean): void {
    if (this.sampled) this.span.setAttribute(key, value);
  }

  addAttempt(attempt: AttemptRecord): void {
    if (!this.sampled) return;
    this.span.addEvent('attempt', {
      attempt: attempt.attempt,
      endpoint: attempt.endpoint,
      'http.status_code': attempt.statusCode,
      response_flags: attempt.responseFlags,
      duration_ms: attempt.durationMs,
      retry: attempt.attempt > 1,
    });
  }

  end(result: { statusCode: number; responseFlags: string; error: boolean }): void {
    if (this.ended) return;
    this.ended = true;
    if (this.sampled) {
      this.span.setAttributes({
        'http.status_code': result.statusCode,
        response_flags: result.responseFlags,
      });
      if (result.error) {
        this.span.setAttribute('error', true);
        this.span.setStatus({
          code: SpanStatusCode.ERROR,
          message: result.responseFlags === '-' ? `HTTP ${result.statusCode}` : result.responseFlags,
        });
      }
    }
    this.span.end();
  }
}

function otlpExporter(endpoint: string | undefined): SpanExporter | undefined {
  if (endpoint === undefined || endpoint === '') return undefined;
  return new OTLPTraceExporter({
    url: tracesUrl(endpoint),
    timeoutMillis: EXPORT_TIMEOUT_MS,
    concurrencyLimit: EXPORT_CONCURRENCY,
  });
}

/** `http://host:4318` → `http://host:4318/v1/traces`; a URL with a path is taken as the traces URL. */
export function tracesUrl(endpoint: string): string {
  const url = new URL(endpoint);
  if (url.pathname === '' || url.pathname === '/') url.pathname = '/v1/traces';
  return url.toString();
}

async function bounded(work: Promise<unknown>, waitMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work.catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, waitMs);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}

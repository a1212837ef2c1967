// The sidecar's spans: one per hop, continuing the caller's B3 context, exported over OTLP/HTTP (protobuf) by a
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
  type HrTime,
  type Link,
  ROOT_CONTEXT,
  type SpanContext,
  SpanKind,
  type SpanStatus,
  SpanStatusCode,
  TraceFlags,
} from '@opentelemetry/api';
import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import {
  convertLegacyHttpOptions,
  createOtlpHttpExportDelegate,
} from '@opentelemetry/otlp-exporter-base/node-http';
import { ProtobufTraceSerializer, TraceExporterMetricsHelper } from '@opentelemetry/otlp-transformer';
import { type Resource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  RandomIdGenerator,
  type ReadableSpan,
  SamplingDecision,
  type SpanExporter,
  type TimedEvent,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import { type HeaderBag, readB3 } from './b3';
import { encodeTraceRequest } from './otlp-protobuf-spans';
import type { AttemptRecord, HopSpan, SidecarTracerApi, SpanStart } from './telemetry-types';

export const DEFAULT_MAX_QUEUE_SIZE = 2048;
/**
 * Spans per export. An export has a fixed cost in the sidecar (OpenTelemetry's OTLP/HTTP transport: a
 * request, its response, promises and timers) of the order of a millisecond of CPU: at 100 spans an
 * export that was ~7 µs a request at 100 % sampling, at 512 under 2 µs (measured, same run). 512 spans
 * are ~400 KB of protobuf in one Buffer, outside V8's heap and freed once sent (with JSON bodies, 512
 * spans were a 550 KB string in V8's old generation every export, hence the 100 of earlier versions);
 * under load a batch fills in tens of milliseconds.
 */
const MAX_EXPORT_BATCH_SIZE = 512;
/**
 * How long a span may wait for a fuller batch. Under load batches fill (512 spans) and go at once; at a
 * demo's few spans a second, 2 s means a quarter of the exports of 500 ms (OTel's default is 5 s) while a
 * trace still shows up in the trace store about as soon as someone could look for it.
 */
const SCHEDULED_DELAY_MS = 2000;
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

const SCOPE = { name: 'meshlens-sidecar' } as const;
const NO_LINKS: Link[] = [];
/** Shared by every span until it has its own (never mutated): fewer objects per request. */
const NO_EVENTS = Object.freeze([]) as unknown as TimedEvent[];
const ZERO_TIME = Object.freeze([0, 0]) as unknown as HrTime;
const UNSET_STATUS: SpanStatus = Object.freeze({ code: SpanStatusCode.UNSET });
const NO_ATTRIBUTES: Attributes = Object.freeze({});

/** Epoch time in ms with performance.now()'s resolution, as OpenTelemetry's hrTime() measures it. */
const nowMs = () => performance.timeOrigin + performance.now();

function toHrTime(ms: number): HrTime {
  const seconds = Math.trunc(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

/**
 * The sidecar's spans are records of its own, not the OpenTelemetry SDK's Span: a hop span needs no
 * context propagation API, no span processors chain, no attribute validation (its attributes are fixed),
 * and the SDK's per-span work was a visible share of a sidecar's CPU at 100 % sampling. A record has the
 * shape of the SDK's ReadableSpan, so the SDK's BatchSpanProcessor (bounded queue, batching) and OTLP/HTTP
 * exporter machinery export it as they would an SDK span.
 */
export class SidecarTracer implements SidecarTracerApi {
  private readonly processor: BatchSpanProcessor | undefined;
  private readonly ratio: TraceIdRatioBasedSampler;
  private readonly ids = new RandomIdGenerator();
  private readonly resource: Resource;
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
    this.ratio = new TraceIdRatioBasedSampler(
      Math.min(100, Math.max(0, options.samplingPercent ?? 100)) / 100,
    );
    this.resource = resourceFromAttributes({
      ...options.resourceAttributes,
      'service.name': options.serviceName,
    });
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
    if (this.processor) await bounded(this.processor.forceFlush(), waitMs);
  }

  async shutdown(): Promise<void> {
    if (this.processor) await bounded(this.processor.shutdown(), SHUTDOWN_WAIT_MS);
  }

  /**
   * Honours the decision in the B3 headers (debug means sampled); a new or undecided trace is sampled
   * by trace id ratio, so every sidecar of an undecided trace decides alike.
   */
  private startSpan(kind: SpanKind, incoming: HeaderBag, start: SpanStart): HopSpan {
    const b3 = readB3(incoming);
    let parent: SpanContext | undefined;
    let debug = false;
    let decision: boolean | undefined;
    let traceId: string;
    if (b3.kind === 'context') {
      const c = b3.context;
      traceId = c.traceId;
      debug = c.debug === true;
      decision = c.sampled;
      parent = {
        traceId,
        spanId: c.spanId,
        traceFlags: c.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
        isRemote: true,
      };
    } else {
      traceId = this.ids.generateTraceId();
      if (b3.kind === 'decision') {
        debug = b3.debug;
        decision = b3.sampled;
      }
    }
    const sampled =
      decision ??
      this.ratio.shouldSample(ROOT_CONTEXT, traceId).decision === SamplingDecision.RECORD_AND_SAMPLED;
    const context: SpanContext = {
      traceId,
      spanId: this.ids.generateSpanId(),
      traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    };
    const span = new HopSpanRecord(kind, start.name, context, parent, debug, this.resource);
    if (sampled) span.attributes = this.startAttributes(start);
    span.processor = sampled ? this.processor : undefined;
    return span;
  }

  /** One object literal of a fixed shape; unset values are left out (as the SDK's setAttributes does). */
  private startAttributes(start: SpanStart): Attributes {
    const a: Attributes = {
      component: 'proxy',
      node_id: this.nodeId,
      'istio.namespace': this.namespace,
      'istio.canonical_service': this.canonicalService,
      'istio.canonical_revision': this.canonicalRevision,
      'http.method': start.method,
      'http.url': start.url,
    };
    if (start.upstreamCluster !== undefined) {
      a.upstream_cluster = start.upstreamCluster;
      a['upstream_cluster.name'] = start.upstreamCluster;
    }
    if (start.peerAddress !== undefined) a['peer.address'] = start.peerAddress;
    if (start.peerService !== undefined) a['peer.service'] = start.peerService;
    return a;
  }
}

/** One hop's span: B3 propagation always; when sampled, a ReadableSpan for the batch processor. */
class HopSpanRecord implements HopSpan, ReadableSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly sampled: boolean;
  /** Set only when sampled: an unsampled span is never exported, its times never read. */
  readonly startTime: HrTime = ZERO_TIME;
  endTime: HrTime = ZERO_TIME;
  duration: HrTime = ZERO_TIME;
  status: SpanStatus = UNSET_STATUS;
  attributes: Attributes = NO_ATTRIBUTES;
  readonly links = NO_LINKS;
  events: TimedEvent[] = NO_EVENTS;
  ended = false;
  readonly instrumentationScope = SCOPE;
  readonly droppedAttributesCount = 0;
  readonly droppedEventsCount = 0;
  readonly droppedLinksCount = 0;
  processor: BatchSpanProcessor | undefined;
  private readonly startMs: number = 0;

  constructor(
    readonly kind: SpanKind,
    readonly name: string,
    private readonly context: SpanContext,
    readonly parentSpanContext: SpanContext | undefined,
    private readonly debug: boolean,
    readonly resource: Resource,
  ) {
    this.traceId = context.traceId;
    this.spanId = context.spanId;
    this.sampled = context.traceFlags === TraceFlags.SAMPLED;
    if (this.sampled) {
      this.startMs = nowMs();
      this.startTime = toHrTime(this.startMs);
    }
  }

  spanContext(): SpanContext {
    return this.context;
  }

  b3Headers(): Record<string, string> {
    const headers: Record<string, string> = {
      'x-b3-traceid': this.traceId,
      'x-b3-spanid': this.spanId,
      'x-b3-sampled': this.sampled ? '1' : '0',
    };
    const parent = this.parentSpanContext?.spanId;
    if (parent !== undefined) headers['x-b3-parentspanid'] = parent;
    if (this.debug) headers['x-b3-flags'] = '1';
    return headers;
  }

  setAttribute(key: string, value: string | number | boolean): void {
    if (this.sampled && !this.ended) this.attributes[key] = value;
  }

  addAttempt(attempt: AttemptRecord): void {
    if (!this.sampled || this.ended) return;
    if (this.events === NO_EVENTS) this.events = [];
    this.events.push({
      name: 'attempt',
      time: toHrTime(nowMs()),
      attributes: {
        attempt: attempt.attempt,
        endpoint: attempt.endpoint,
        'http.status_code': attempt.statusCode,
        response_flags: attempt.responseFlags,
        duration_ms: attempt.durationMs,
        retry: attempt.attempt > 1,
      },
      droppedAttributesCount: 0,
    });
  }

  end(result: { statusCode: number; responseFlags: string; error: boolean }): void {
    if (this.ended) return;
    this.ended = true;
    if (!this.sampled) return;
    const a = this.attributes;
    a['http.status_code'] = result.statusCode;
    a.response_flags = result.responseFlags;
    if (result.error) {
      a.error = true;
      this.status = {
        code: SpanStatusCode.ERROR,
        message: result.responseFlags === '-' ? `HTTP ${result.statusCode}` : result.responseFlags,
      };
    }
    const endMs = nowMs();
    this.endTime = toHrTime(endMs);
    this.duration = toHrTime(Math.max(0, endMs - this.startMs));
    this.processor?.onEnd(this);
  }
}

/**
 * OpenTelemetry's OTLP/HTTP exporter machinery (bounded concurrency, timeout, retries on 429/502/503/504,
 * keep-alive) with the sidecar's own protobuf encoding of the body: the same bytes as the SDK's
 * `ProtobufTraceSerializer`, written in a third of its time (otlp-protobuf-spans.ts).
 */
function otlpExporter(endpoint: string | undefined): SpanExporter | undefined {
  if (endpoint === undefined || endpoint === '') return undefined;
  const options = convertLegacyHttpOptions(
    { url: tracesUrl(endpoint), timeoutMillis: EXPORT_TIMEOUT_MS, concurrencyLimit: EXPORT_CONCURRENCY },
    'TRACES',
    'v1/traces',
    { 'Content-Type': 'application/x-protobuf' },
  );
  const serializer: typeof ProtobufTraceSerializer = {
    serializeRequest: encodeTraceRequest,
    deserializeResponse: (data) => ProtobufTraceSerializer.deserializeResponse(data),
  };
  return new OTLPExporterBase(
    createOtlpHttpExportDelegate(
      options,
      serializer,
      'otlp_http_span_exporter',
      TraceExporterMetricsHelper,
      undefined,
    ),
  );
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

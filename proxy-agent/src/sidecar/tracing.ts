// The sidecar's spans: one per hop, continuing the caller's B3 context, exported over OTLP/HTTP (protobuf) in
// batches encoded as the spans end, with a bounded queue (span-export.ts), so a trace backend that is slow or down never slows or breaks
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
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
} from '@opentelemetry/api';
import {
  convertLegacyHttpOptions,
  createOtlpHttpExportDelegate,
} from '@opentelemetry/otlp-exporter-base/node-http';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { type Resource, resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { type HeaderBag, readB3 } from './b3';
import { HopSpanEncoder, type HopSpanFields } from './otlp-protobuf-spans';
import {
  type EncodedSpans,
  type EncodedSpansExporter,
  SpanExportQueue,
  type SpanExportStats,
} from './span-export';
import { SpanIds, samplingBound, traceKeyOf } from './span-ids';
import type { AttemptRecord, HopSpan, SidecarTracerApi, SpanStart } from './telemetry-types';

export type { EncodedSpans, EncodedSpansExporter } from './span-export';

export const DEFAULT_MAX_QUEUE_SIZE = 2048;
/**
 * Spans per export. An export has a fixed cost in the sidecar (OpenTelemetry's OTLP/HTTP transport: a
 * request, its response, promises and timers) of the order of a millisecond of CPU: at 100 spans an
 * export that was ~7 µs a request at 100 % sampling, at 512 under 2 µs (measured, same run). 512 spans
 * are ~400 KB of protobuf in one Buffer, outside V8's heap, written span by span as they end and freed
 * once sent; under load a batch fills in tens of milliseconds.
 */
const MAX_EXPORT_BATCH_SIZE = 512;
/** A batch is sealed at this size even if it holds fewer spans (long URLs): a bound on each body. */
export const MAX_EXPORT_BATCH_BYTES = 1024 * 1024;
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
  /**
   * Bound of the spans encoded and waiting for an export (the batch filling and the sealed ones not yet
   * sent); spans beyond it are dropped and counted (default 2048).
   */
  maxQueueSize?: number;
  /** Where the encoded batches go instead of OTLP/HTTP (tests, benches): OTLP protobuf request bodies. */
  exporter?: EncodedSpansExporter;
}

const SCOPE = { name: 'meshlens-sidecar' } as const;

/** Epoch time in ms with performance.now()'s resolution, as OpenTelemetry's hrTime() measures it. */
const nowMs = () => performance.timeOrigin + performance.now();

function toHrTime(ms: number): HrTime {
  const seconds = Math.trunc(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

/**
 * The sidecar's spans are records of its own, not the OpenTelemetry SDK's Span: a hop span needs no
 * context propagation API, no span processors chain, no attribute validation (its attributes are fixed).
 * A sampled span is encoded (OTLP protobuf) into the export batch's body when it ends and the record is
 * dropped: nothing is queued per span, so records die young instead of being promoted while a batch
 * fills, and the encoding writes the span's fields straight, its constant attributes as bytes made once.
 */
export class SidecarTracer implements SidecarTracerApi {
  /** @internal the export queue of sampled spans; undefined without an exporter. */
  readonly queue: SpanExportQueue | undefined;
  /** New traces are sampled when their id's key is below this (TraceIdRatioBasedSampler's decision). */
  private readonly samplingBound: number;
  private readonly ids = new SpanIds();
  /** @internal read by `readableSpan` */
  readonly resource: Resource;
  /** @internal read by `readableSpan` */
  readonly constantAttributes: ReadonlyArray<readonly [string, string]>;

  constructor(options: SidecarTracerOptions) {
    this.samplingBound = samplingBound(Math.min(100, Math.max(0, options.samplingPercent ?? 100)) / 100);
    this.resource = resourceFromAttributes({
      ...options.resourceAttributes,
      'service.name': options.serviceName,
    });
    const workload = options.serviceName.split('.')[0] ?? options.serviceName;
    const nodeId =
      options.nodeId ??
      `sidecar~127.0.0.1~${workload}.${options.namespace}~${options.namespace}.svc.cluster.local`;
    this.constantAttributes = [
      ['component', 'proxy'],
      ['node_id', nodeId],
      ['istio.namespace', options.namespace],
      ['istio.canonical_service', options.canonicalService],
      ['istio.canonical_revision', options.canonicalRevision],
    ];
    const exporter = options.exporter ?? otlpExporter(options.otlpEndpoint);
    const maxQueueSize = Math.max(1, options.maxQueueSize ?? DEFAULT_MAX_QUEUE_SIZE);
    this.queue =
      exporter === undefined
        ? undefined
        : new SpanExportQueue(exporter, new HopSpanEncoder(this.resource, SCOPE, this.constantAttributes), {
            maxQueueSize,
            maxBatchSize: Math.min(MAX_EXPORT_BATCH_SIZE, maxQueueSize),
            maxBatchBytes: MAX_EXPORT_BATCH_BYTES,
            delayMs: SCHEDULED_DELAY_MS,
            concurrency: EXPORT_CONCURRENCY,
          });
  }

  startServerSpan(incoming: HeaderBag, start: SpanStart): HopSpan {
    return this.startSpan(SpanKind.SERVER, incoming, start);
  }

  startClientSpan(incoming: HeaderBag, start: SpanStart): HopSpan {
    return this.startSpan(SpanKind.CLIENT, incoming, start);
  }

  /** Spans encoded and waiting for an export (bounded by `maxQueueSize`); 0 without an exporter. */
  queuedSpans(): number {
    return this.queue?.queued() ?? 0;
  }

  /** Spans not exported: dropped with the queue full, or in an export that failed. */
  droppedSpans(): number {
    return this.queue?.dropped ?? 0;
  }

  /** The export's counters (all 0 without an exporter), for the admin listener's stats. */
  exportStats(): SpanExportStats {
    return (
      this.queue?.stats() ?? {
        spansSent: 0,
        exportsSent: 0,
        exportsSucceeded: 0,
        exportsFailed: 0,
        timerFlushed: 0,
        spansDropped: 0,
      }
    );
  }

  /** Exports what is queued, waiting at most `waitMs`. */
  async flush(waitMs = SHUTDOWN_WAIT_MS): Promise<void> {
    if (this.queue) await this.queue.flush(waitMs);
  }

  async shutdown(): Promise<void> {
    if (this.queue) await this.queue.shutdown(SHUTDOWN_WAIT_MS);
  }

  /**
   * Honours the decision in the B3 headers (debug means sampled); a new or undecided trace is sampled
   * by trace id ratio, so every sidecar of an undecided trace decides alike.
   */
  private startSpan(kind: SpanKind, incoming: HeaderBag, start: SpanStart): HopSpan {
    const b3 = readB3(incoming);
    let parentSpanId: string | undefined;
    let debug = false;
    let decision: boolean | undefined;
    let traceId: string;
    let key: number;
    if (b3.kind === 'context') {
      const c = b3.context;
      traceId = c.traceId;
      debug = c.debug === true;
      decision = c.sampled;
      parentSpanId = c.spanId;
      key = decision === undefined ? traceKeyOf(traceId) : 0;
    } else {
      traceId = this.ids.traceId();
      key = this.ids.traceKey;
      if (b3.kind === 'decision') {
        debug = b3.debug;
        decision = b3.sampled;
      }
    }
    const sampled = decision ?? key < this.samplingBound;
    return new HopSpanRecord(
      this,
      kind,
      start,
      traceId,
      this.ids.spanId(),
      parentSpanId,
      sampled,
      debug,
      decision === true,
    );
  }
}

/** The attributes a span's end sets. */
const END_KEYS: ReadonlySet<unknown> = new Set(['http.status_code', 'response_flags', 'error']);

function hasEndKey(extras: ReadonlyArray<unknown>): boolean {
  for (let i = 0; i < extras.length; i += 2) if (END_KEYS.has(extras[i])) return true;
  return false;
}

/** One hop's span: B3 propagation always; when sampled, encoded into the export batch when it ends. */
class HopSpanRecord implements HopSpan, HopSpanFields {
  readonly name: string;
  readonly startMs: number = 0;
  endMs = 0;
  method: string;
  url: string;
  upstreamCluster: string | undefined;
  peerAddress: string | undefined;
  peerService: string | undefined;
  extras: Array<string | number | boolean> | undefined = undefined;
  endInExtras = false;
  attributeOverride: Attributes | undefined = undefined;
  attempts: AttemptRecord[] | undefined = undefined;
  attemptTimes: number[] | undefined = undefined;
  statusCode = 0;
  responseFlags = '-';
  error = false;
  ended = false;

  constructor(
    readonly tracer: SidecarTracer,
    readonly kind: SpanKind,
    start: SpanStart,
    readonly traceId: string,
    readonly spanId: string,
    readonly parentSpanId: string | undefined,
    readonly sampled: boolean,
    private readonly debug: boolean,
    /** The caller's context said sampled (its flags as the parent's trace flags). */
    readonly parentSampled: boolean,
  ) {
    this.name = start.name;
    this.method = start.method;
    this.url = start.url;
    this.upstreamCluster = start.upstreamCluster;
    this.peerAddress = start.peerAddress;
    this.peerService = start.peerService;
    if (sampled) this.startMs = nowMs();
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

  /**
   * As on an attributes object: a key already set keeps its place and takes the new value, a new key
   * goes after the others.
   */
  setAttribute(key: string, value: string | number | boolean): void {
    if (!this.sampled || this.ended) return;
    const override = this.attributeOverride;
    if (override !== undefined) {
      override[key] = value;
      return;
    }
    switch (key) {
      case 'http.method':
        if (typeof value === 'string') {
          this.method = value;
          return;
        }
        break;
      case 'http.url':
        if (typeof value === 'string') {
          this.url = value;
          return;
        }
        break;
      case 'peer.address':
        if (this.peerAddress === undefined) break;
        if (typeof value === 'string') {
          this.peerAddress = value;
          return;
        }
        break;
      case 'peer.service':
        if (this.peerService === undefined) break;
        if (typeof value === 'string') {
          this.peerService = value;
          return;
        }
        break;
      default:
    }
    if (this.isStartKey(key)) {
      // A start attribute the typed fields cannot hold in its place (never done by the sidecar): from
      // here on the span keeps an attributes object and is encoded from it.
      const a = this.attributeObject();
      a[key] = value;
      this.attributeOverride = a;
      return;
    }
    this.setExtra(key, value);
  }

  private isStartKey(key: string): boolean {
    switch (key) {
      case 'http.method':
      case 'http.url':
        return true;
      case 'upstream_cluster':
      case 'upstream_cluster.name':
        return this.upstreamCluster !== undefined;
      case 'peer.address':
        return this.peerAddress !== undefined;
      case 'peer.service':
        return this.peerService !== undefined;
      default:
        return this.tracer.constantAttributes.some(([k]) => k === key);
    }
  }

  addAttempt(attempt: AttemptRecord): void {
    if (!this.sampled || this.ended) return;
    if (this.attempts === undefined) {
      this.attempts = [attempt];
      this.attemptTimes = [nowMs()];
    } else {
      this.attempts.push(attempt);
      this.attemptTimes?.push(nowMs());
    }
  }

  end(result: { statusCode: number; responseFlags: string; error: boolean }): void {
    if (this.ended) return;
    this.ended = true;
    if (!this.sampled) return;
    this.statusCode = result.statusCode;
    this.responseFlags = result.responseFlags;
    this.error = result.error;
    const override = this.attributeOverride;
    const extras = this.extras;
    if (override !== undefined) {
      override['http.status_code'] = result.statusCode;
      override.response_flags = result.responseFlags;
      if (result.error) override.error = true;
    } else if (extras !== undefined && hasEndKey(extras)) {
      this.endInExtras = true;
      this.setExtra('http.status_code', result.statusCode);
      this.setExtra('response_flags', result.responseFlags);
      if (result.error) this.setExtra('error', true);
    }
    this.endMs = nowMs();
    this.tracer.queue?.add(this);
  }

  private setExtra(key: string, value: string | number | boolean): void {
    const extras = this.extras;
    if (extras === undefined) {
      this.extras = [key, value];
      return;
    }
    for (let i = 0; i < extras.length; i += 2) {
      if (extras[i] === key) {
        extras[i + 1] = value;
        return;
      }
    }
    extras.push(key, value);
  }

  /** The attributes as an object, in the order they are exported (for `readableSpan`). */
  attributeObject(): Attributes {
    if (this.attributeOverride !== undefined) return { ...this.attributeOverride };
    const a: Attributes = {};
    for (const [k, v] of this.tracer.constantAttributes) a[k] = v;
    a['http.method'] = this.method;
    a['http.url'] = this.url;
    if (this.upstreamCluster !== undefined) {
      a.upstream_cluster = this.upstreamCluster;
      a['upstream_cluster.name'] = this.upstreamCluster;
    }
    if (this.peerAddress !== undefined) a['peer.address'] = this.peerAddress;
    if (this.peerService !== undefined) a['peer.service'] = this.peerService;
    const extras = this.extras ?? [];
    for (let i = 0; i < extras.length; i += 2) a[extras[i] as string] = extras[i + 1];
    if (this.ended && !this.endInExtras) {
      a['http.status_code'] = this.statusCode;
      a.response_flags = this.responseFlags;
      if (this.error) a.error = true;
    }
    return a;
  }
}
/**
 * A span as OpenTelemetry's SDK would hand it to an exporter (ReadableSpan), built from the record: what the
 * batch encoding must write the same bytes as (the contract tests give it to OTel's ProtobufTraceSerializer).
 * Not on the request path.
 */
export function readableSpan(span: HopSpan): ReadableSpan {
  if (!(span instanceof HopSpanRecord)) throw new Error('not a span of SidecarTracer');
  const flags = span.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE;
  const context: SpanContext = { traceId: span.traceId, spanId: span.spanId, traceFlags: flags };
  const parent: SpanContext | undefined =
    span.parentSpanId === undefined
      ? undefined
      : {
          traceId: span.traceId,
          spanId: span.parentSpanId,
          traceFlags: span.parentSampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
          isRemote: true,
        };
  const events: TimedEvent[] = (span.attempts ?? []).map((a, i) => ({
    name: 'attempt',
    time: toHrTime(span.attemptTimes?.[i] ?? 0),
    attributes: {
      attempt: a.attempt,
      endpoint: a.endpoint,
      'http.status_code': a.statusCode,
      response_flags: a.responseFlags,
      duration_ms: a.durationMs,
      retry: a.attempt > 1,
    },
    droppedAttributesCount: 0,
  }));
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => context,
    parentSpanContext: parent,
    startTime: toHrTime(span.startMs),
    endTime: toHrTime(span.endMs),
    duration: toHrTime(Math.max(0, span.endMs - span.startMs)),
    status: span.error
      ? {
          code: SpanStatusCode.ERROR,
          message: span.responseFlags === '-' ? `HTTP ${span.statusCode}` : span.responseFlags,
        }
      : { code: SpanStatusCode.UNSET },
    attributes: span.attributeObject(),
    links: [],
    events,
    ended: span.ended,
    resource: span.tracer.resource,
    instrumentationScope: SCOPE,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

/**
 * OpenTelemetry's OTLP/HTTP export machinery (bounded concurrency, timeout, retries on 429/502/503/504,
 * keep-alive), given bodies the tracer encoded (otlp-protobuf-spans.ts): the same bytes as the SDK's
 * `ProtobufTraceSerializer` writes for the same spans.
 */
function otlpExporter(endpoint: string | undefined): EncodedSpansExporter | undefined {
  if (endpoint === undefined || endpoint === '') return undefined;
  const options = convertLegacyHttpOptions(
    {
      url: tracesUrl(endpoint),
      timeoutMillis: EXPORT_TIMEOUT_MS,
      // The queue (span-export.ts) bounds the exports in flight. The delegate's own bound must not bite
      // first: it frees a slot a microtask after calling back, while the queue hands over the next sealed
      // batch within that callback, which the delegate's bound at EXPORT_CONCURRENCY refused as a failed
      // export (its spans dropped) every time a batch waited for a slot.
      concurrencyLimit: EXPORT_CONCURRENCY + 1,
    },
    'TRACES',
    'v1/traces',
    { 'Content-Type': 'application/x-protobuf' },
  );
  return createOtlpHttpExportDelegate(
    options,
    {
      serializeRequest: (batch: EncodedSpans) => batch.body,
      deserializeResponse: (data: Uint8Array) => ProtobufTraceSerializer.deserializeResponse(data),
    },
    'otlp_http_span_exporter',
    { name: 'span', countItems: (batch: EncodedSpans) => batch.spans },
    undefined,
  );
}

/** `http://host:4318` → `http://host:4318/v1/traces`; a URL with a path is taken as the traces URL. */
export function tracesUrl(endpoint: string): string {
  const url = new URL(endpoint);
  if (url.pathname === '' || url.pathname === '/') url.pathname = '/v1/traces';
  return url.toString();
}

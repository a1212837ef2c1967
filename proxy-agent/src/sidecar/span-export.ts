// The export queue of a sidecar's spans: each sampled span is encoded into the batch filling when it ends
// (otlp-protobuf-spans.ts), a batch is sealed at 512 spans, 1 MiB or 2 s, and sealed batches go to the
// exporter (OpenTelemetry's OTLP/HTTP transport) two at a time. Bounded: at most `maxQueueSize` spans wait
// (the batch filling and the sealed ones not yet sent); beyond that, with the trace backend slow or down,
// spans are dropped and counted, and a request never waits for tracing.
import type { MetricFamily } from './exposition';
import { type HopSpanEncoder, type HopSpanFields, SpanBatch } from './otlp-protobuf-spans';

/** One export: an OTLP ExportTraceServiceRequest in protobuf, and how many spans it holds. */
export interface EncodedSpans {
  readonly body: Uint8Array;
  readonly spans: number;
}

/** Where sealed batches go (OpenTelemetry's OTLP export delegate has this shape). */
export interface EncodedSpansExporter {
  /** `done` is called once, with code 0 when the export succeeded. */
  export(batch: EncodedSpans, done: (result: { code: number; error?: Error }) => void): void;
  forceFlush?(): Promise<void>;
  shutdown(): Promise<void>;
}

export interface SpanExportLimits {
  /** Spans encoded and not yet handed to the exporter, at most. */
  maxQueueSize: number;
  maxBatchSize: number;
  /** A batch is sealed once its body reaches this many bytes. */
  maxBatchBytes: number;
  /** A batch is sealed this long after its first span at the latest. */
  delayMs: number;
  /** Exports in flight at once. */
  concurrency: number;
}

/** What the queue has done so far (counters, as Envoy's OpenTelemetry tracer keeps them). */
export interface SpanExportStats {
  /** Spans handed to the exporter (Envoy's `spans_sent`: counted when a report goes, whatever its outcome). */
  spansSent: number;
  /** Exports handed to the exporter (`http_reports_sent`). */
  exportsSent: number;
  /** Exports that succeeded (`http_reports_success`). */
  exportsSucceeded: number;
  /** Exports that failed, after the exporter's own retries (`http_reports_failed`). */
  exportsFailed: number;
  /** Batches sealed by the delay rather than by size (`timer_flushed`). */
  timerFlushed: number;
  /** Spans not exported: dropped with the queue full or after shutdown, or in an export that failed. */
  spansDropped: number;
}

export class SpanExportQueue {
  /** Spans not exported: dropped with the queue full or after shutdown, or in an export that failed. */
  dropped = 0;
  private spansSent = 0;
  private exportsSent = 0;
  private exportsSucceeded = 0;
  private exportsFailed = 0;
  private timerFlushed = 0;
  private batch: SpanBatch | undefined;
  private readonly sealed: EncodedSpans[] = [];
  private sealedSpans = 0;
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private idleWaiters: Array<() => void> = [];
  private closed = false;

  constructor(
    private readonly exporter: EncodedSpansExporter,
    private readonly encoder: HopSpanEncoder,
    private readonly limits: SpanExportLimits,
  ) {}

  /** Encodes an ended span into the batch filling, or drops it (counted) when the queue is full. */
  add(span: HopSpanFields): void {
    let batch = this.batch;
    if (batch === undefined) {
      if (this.closed || this.sealedSpans >= this.limits.maxQueueSize) {
        this.dropped++;
        return;
      }
      batch = new SpanBatch(this.encoder);
      this.batch = batch;
      this.timer = setTimeout(this.onTimer, this.limits.delayMs);
      this.timer.unref();
    } else if (this.sealedSpans + batch.spans >= this.limits.maxQueueSize) {
      this.dropped++;
      return;
    }
    batch.append(span);
    if (batch.spans >= this.limits.maxBatchSize || batch.bytes >= this.limits.maxBatchBytes) this.seal();
  }

  /** Spans encoded and waiting: the batch filling and the sealed batches not yet handed over. */
  queued(): number {
    return this.sealedSpans + (this.batch?.spans ?? 0);
  }

  stats(): SpanExportStats {
    return {
      spansSent: this.spansSent,
      exportsSent: this.exportsSent,
      exportsSucceeded: this.exportsSucceeded,
      exportsFailed: this.exportsFailed,
      timerFlushed: this.timerFlushed,
      spansDropped: this.dropped,
    };
  }

  /** Seals the batch filling and waits (at most `waitMs`) until every sealed batch's export is done. */
  async flush(waitMs: number): Promise<void> {
    this.seal();
    if (this.sealed.length > 0 || this.inFlight > 0) {
      await bounded(
        new Promise<void>((resolve) => {
          this.idleWaiters.push(resolve);
        }),
        waitMs,
      );
    }
    if (this.exporter.forceFlush) await bounded(this.exporter.forceFlush(), waitMs);
  }

  /** Exports what is queued (bounded wait), then stops: later spans are dropped. */
  async shutdown(waitMs: number): Promise<void> {
    await this.flush(waitMs);
    this.closed = true;
    this.dropped += this.queued();
    this.sealed.length = 0;
    this.sealedSpans = 0;
    await bounded(this.exporter.shutdown(), waitMs);
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    if (this.batch !== undefined) this.timerFlushed++;
    this.seal();
  };

  private seal(): void {
    const batch = this.batch;
    if (batch === undefined) return;
    this.batch = undefined;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.sealed.push({ body: batch.seal(), spans: batch.spans });
    this.sealedSpans += batch.spans;
    this.pump();
  }

  private pump(): void {
    while (this.inFlight < this.limits.concurrency && this.sealed.length > 0 && !this.closed) {
      const next = this.sealed.shift() as EncodedSpans;
      this.sealedSpans -= next.spans;
      this.inFlight++;
      this.spansSent += next.spans;
      this.exportsSent++;
      let finished = false;
      const done = (result: { code: number }): void => {
        if (finished) return;
        finished = true;
        this.inFlight--;
        if (result.code === 0) this.exportsSucceeded++;
        else {
          this.exportsFailed++;
          this.dropped += next.spans;
        }
        this.pump();
        if (this.inFlight === 0 && this.sealed.length === 0) this.wakeIdle();
      };
      try {
        this.exporter.export(next, done);
      } catch {
        done({ code: 1 });
      }
    }
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    if (waiters.length === 0) return;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
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

/**
 * The span export's counters on the admin listener's /stats/prometheus, named as Envoy's OpenTelemetry tracer
 * publishes its `tracing.opentelemetry.*` stats; the spans dropped, which Envoy does not count, under the
 * `meshlens_` prefix.
 */
export function spanExportFamilies(stats: () => SpanExportStats): MetricFamily[] {
  const counter = (name: string, help: string, value: (s: SpanExportStats) => number): MetricFamily => ({
    name,
    help,
    type: 'counter',
    samples: () => [{ labels: '', value: value(stats()) }],
  });
  return [
    counter(
      'envoy_tracing_opentelemetry_spans_sent',
      'Spans handed to the OTLP exporter',
      (s) => s.spansSent,
    ),
    counter('envoy_tracing_opentelemetry_http_reports_sent', 'OTLP/HTTP exports sent', (s) => s.exportsSent),
    counter(
      'envoy_tracing_opentelemetry_http_reports_success',
      'OTLP/HTTP exports that succeeded',
      (s) => s.exportsSucceeded,
    ),
    counter(
      'envoy_tracing_opentelemetry_http_reports_failed',
      'OTLP/HTTP exports that failed (after retries)',
      (s) => s.exportsFailed,
    ),
    counter(
      'envoy_tracing_opentelemetry_timer_flushed',
      'Span batches sent by the flush timer rather than by size',
      (s) => s.timerFlushed,
    ),
    counter(
      'meshlens_tracing_spans_dropped',
      'Sampled spans not exported: the export queue full, an export failed, or the sidecar stopping',
      (s) => s.spansDropped,
    ),
  ];
}

// The export queue of a sidecar's spans: each sampled span is encoded into the batch filling when it ends
// (otlp-protobuf-spans.ts), a batch is sealed at 512 spans, 1 MiB or 2 s, and sealed batches go to the
// exporter (OpenTelemetry's OTLP/HTTP transport) two at a time. Bounded: at most `maxQueueSize` spans wait
// (the batch filling and the sealed ones not yet sent); beyond that, with the trace backend slow or down,
// spans are dropped and counted, and a request never waits for tracing.
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

export class SpanExportQueue {
  /** Spans not exported: dropped with the queue full or after shutdown, or in an export that failed. */
  dropped = 0;
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
      let finished = false;
      const done = (result: { code: number }): void => {
        if (finished) return;
        finished = true;
        this.inFlight--;
        if (result.code !== 0) this.dropped += next.spans;
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

// The trace store's memory: at most `maxTraces` traces in Jaeger's model (oldest created evicted first),
// indexed by service, operation, tag and duration bucket so that a search reads only candidate traces.
// Search semantics follow Jaeger's memory storage: one span must match all conditions; newest traces first.
import { type ConvertedSpan, processKey } from '../../../lib/jaeger/from-otlp';
import type { DependencyLink, Operation, Process, Span, Trace } from '../../../lib/jaeger/model';
import { PostingIndex } from './posting-index';
import { tagValueString } from './tag-value';

export const DEFAULT_MAX_TRACES = 50_000;
export const DEFAULT_MAX_SPANS_PER_TRACE = 10_000;

export interface TraceStoreOptions {
  maxTraces?: number;
  /** Spans past this in one trace are rejected (a runaway trace must not take all the memory). */
  maxSpansPerTrace?: number;
}

export interface TraceQuery {
  serviceName: string;
  operationName?: string;
  /** Tag key → value as text; matched against span tags, process tags and log fields. */
  tags?: Record<string, string>;
  /** Span start time bounds, µs since the epoch. */
  startTimeMin?: number;
  startTimeMax?: number;
  /** Span duration bounds in nanoseconds (0 or absent: no bound). */
  durationMinNs?: number;
  durationMaxNs?: number;
  limit: number;
}

export interface AddResult {
  accepted: number;
  rejected: number;
  errors: string[];
}

interface TraceRecord {
  seq: number;
  trace: Trace;
  /** processKey → processID within this trace. */
  processIds: Map<string, string>;
  /** Earliest span start and latest span end, µs. */
  startTime: number;
  endTime: number;
}

const SEP = '\u0000';
const DURATION_BUCKETS = 48;

/** Duration bucket of a span: floor(log2(µs + 1)), so bucket b holds durations in [2^b - 1, 2^(b+1) - 1). */
function durationBucket(durationUs: number): number {
  return Math.min(DURATION_BUCKETS - 1, Math.floor(Math.log2(durationUs + 1)));
}

export class TraceStore {
  readonly maxTraces: number;
  readonly maxSpansPerTrace: number;
  private readonly traces = new Map<string, TraceRecord>();
  private readonly index = new PostingIndex();
  /** service → "name\0kind" → live span count; services and operations vanish with their last span. */
  private readonly operationCounts = new Map<string, Map<string, number>>();
  private readonly processKeys = new WeakMap<Process, string>();
  private nextSeq = 0;
  private spanTotal = 0;

  constructor(options: TraceStoreOptions = {}) {
    this.maxTraces = Math.max(1, options.maxTraces ?? DEFAULT_MAX_TRACES);
    this.maxSpansPerTrace = Math.max(1, options.maxSpansPerTrace ?? DEFAULT_MAX_SPANS_PER_TRACE);
  }

  get traceCount(): number {
    return this.traces.size;
  }

  get spanCount(): number {
    return this.spanTotal;
  }

  add(spans: ConvertedSpan[]): AddResult {
    let accepted = 0;
    let rejected = 0;
    const errors = new Set<string>();
    for (const { span, process } of spans) {
      let record = this.traces.get(span.traceID);
      if (!record) {
        while (this.traces.size >= this.maxTraces) this.evictOldest();
        record = this.createRecord(span.traceID);
      }
      if (record.trace.spans.length >= this.maxSpansPerTrace) {
        rejected++;
        errors.add(`trace ${span.traceID} holds the maximum of ${this.maxSpansPerTrace} spans`);
        continue;
      }
      this.addSpan(record, span, process);
      accepted++;
    }
    return { accepted, rejected, errors: [...errors] };
  }

  getTrace(traceID: string): Trace | undefined {
    return this.traces.get(traceID)?.trace;
  }

  services(): string[] {
    return [...this.operationCounts.keys()].sort();
  }

  /** Operations of a service, optionally of one span kind ("" = spans without a kind). */
  operations(service: string, spanKind?: string): Operation[] {
    const ops = this.operationCounts.get(service);
    if (!ops) return [];
    const out: Operation[] = [];
    for (const key of ops.keys()) {
      const [name = '', kind = ''] = key.split(SEP);
      if (spanKind === undefined || spanKind === '' || spanKind === kind) out.push({ name, spanKind: kind });
    }
    return out.sort((a, b) => cmp(a.name, b.name) || cmp(a.spanKind, b.spanKind));
  }

  findTraces(query: TraceQuery): Trace[] {
    const service = query.serviceName;
    // Each condition the index can answer is a list of terms a trace must have one of.
    const conditions: string[][] = [[`s${SEP}${service}`]];
    if (query.operationName) conditions.push([`o${SEP}${service}${SEP}${query.operationName}`]);
    for (const [key, value] of Object.entries(query.tags ?? {})) {
      conditions.push([`t${SEP}${service}${SEP}${key}${SEP}${value}`]);
    }
    const minUs = query.durationMinNs ? Math.floor(query.durationMinNs / 1000) : 0;
    const maxUs = query.durationMaxNs ? Math.ceil(query.durationMaxNs / 1000) : undefined;
    if (minUs > 0 || maxUs !== undefined) {
      const first = durationBucket(minUs);
      const last = maxUs === undefined ? DURATION_BUCKETS - 1 : durationBucket(maxUs);
      const terms: string[] = [];
      for (let b = first; b <= last; b++) terms.push(`d${SEP}${service}${SEP}${b}`);
      conditions.push(terms);
    }
    const sized = conditions
      .map((terms) => ({ terms, size: terms.reduce((n, t) => n + this.index.size(t), 0) }))
      .sort((a, b) => a.size - b.size);
    const [driver, ...others] = sized;
    if (!driver || driver.size === 0) return [];

    const matches: TraceRecord[] = [];
    for (const term of driver.terms) {
      for (const id of this.index.ids(term)) {
        if (!others.every((c) => c.terms.some((t) => this.index.has(t, id)))) continue;
        const record = this.traces.get(id);
        if (!record) continue;
        const { trace } = record;
        if (trace.spans.some((s) => this.spanMatches(trace, s, query))) matches.push(record);
      }
    }
    const unique = driver.terms.length > 1 ? [...new Set(matches)] : matches;
    unique.sort((a, b) => b.seq - a.seq);
    return unique.slice(0, Math.max(0, query.limit)).map((r) => r.trace);
  }

  /**
   * Call counts between services: a span whose parent span (its first CHILD_OF reference) belongs to
   * another service is one call, over traces lying within [endTs - lookback, endTs] (ms).
   */
  dependencies(endTsMs: number, lookbackMs: number): DependencyLink[] {
    const startUs = (endTsMs - lookbackMs) * 1000;
    const endUs = endTsMs * 1000;
    const counts = new Map<string, DependencyLink>();
    for (const { trace, startTime, endTime } of this.traces.values()) {
      if (startTime < startUs || endTime > endUs) continue;
      const serviceOfSpan = new Map<string, string>();
      for (const s of trace.spans)
        serviceOfSpan.set(s.spanID, trace.processes[s.processID]?.serviceName ?? '');
      for (const s of trace.spans) {
        const parentRef = s.references.find((r) => r.refType === 'CHILD_OF');
        const parent = parentRef && serviceOfSpan.get(parentRef.spanID);
        const child = trace.processes[s.processID]?.serviceName;
        if (parent === undefined || child === undefined || parent === child) continue;
        const key = `${parent}${SEP}${child}`;
        const link = counts.get(key);
        if (link) link.callCount++;
        else counts.set(key, { parent, child, callCount: 1 });
      }
    }
    return [...counts.values()];
  }

  private createRecord(traceID: string): TraceRecord {
    const record: TraceRecord = {
      seq: this.nextSeq++,
      trace: { traceID, spans: [], processes: {}, warnings: null },
      processIds: new Map(),
      startTime: Number.POSITIVE_INFINITY,
      endTime: Number.NEGATIVE_INFINITY,
    };
    this.traces.set(traceID, record);
    return record;
  }

  private addSpan(record: TraceRecord, span: Span, process: Process): void {
    let key = this.processKeys.get(process);
    if (key === undefined) {
      key = processKey(process);
      this.processKeys.set(process, key);
    }
    let pid = record.processIds.get(key);
    if (pid === undefined) {
      pid = `p${record.processIds.size + 1}`;
      record.processIds.set(key, pid);
      record.trace.processes[pid] = process;
    }
    span.processID = pid;
    record.trace.spans.push(span);
    record.startTime = Math.min(record.startTime, span.startTime);
    record.endTime = Math.max(record.endTime, span.startTime + span.duration);
    this.spanTotal++;
    for (const term of this.termsOf(span, process)) this.index.add(term, record.trace.traceID);
    this.countOperation(process.serviceName, span, +1);
  }

  private evictOldest(): void {
    const oldest = this.traces.values().next().value as TraceRecord | undefined;
    if (!oldest) return;
    const id = oldest.trace.traceID;
    this.traces.delete(id);
    for (const span of oldest.trace.spans) {
      const process = oldest.trace.processes[span.processID];
      if (!process) continue;
      for (const term of this.termsOf(span, process)) this.index.remove(term, id);
      this.countOperation(process.serviceName, span, -1);
    }
    this.spanTotal -= oldest.trace.spans.length;
  }

  private *termsOf(span: Span, process: Process): Generator<string> {
    const service = process.serviceName;
    yield `s${SEP}${service}`;
    yield `o${SEP}${service}${SEP}${span.operationName}`;
    yield `d${SEP}${service}${SEP}${durationBucket(span.duration)}`;
    const tagPrefix = `t${SEP}${service}${SEP}`;
    for (const kv of span.tags) yield `${tagPrefix}${kv.key}${SEP}${tagValueString(kv)}`;
    for (const kv of process.tags) yield `${tagPrefix}${kv.key}${SEP}${tagValueString(kv)}`;
    for (const log of span.logs) {
      for (const kv of log.fields) yield `${tagPrefix}${kv.key}${SEP}${tagValueString(kv)}`;
    }
  }

  private countOperation(service: string, span: Span, delta: number): void {
    const kindTag = span.tags.find((t) => t.key === 'span.kind');
    const kind = kindTag?.type === 'string' ? kindTag.value : '';
    const key = `${span.operationName}${SEP}${kind}`;
    let ops = this.operationCounts.get(service);
    if (!ops) {
      ops = new Map();
      this.operationCounts.set(service, ops);
    }
    const n = (ops.get(key) ?? 0) + delta;
    if (n > 0) ops.set(key, n);
    else ops.delete(key);
    if (ops.size === 0) this.operationCounts.delete(service);
  }

  private spanMatches(trace: Trace, span: Span, q: TraceQuery): boolean {
    const process = trace.processes[span.processID];
    if (!process || process.serviceName !== q.serviceName) return false;
    if (q.operationName && span.operationName !== q.operationName) return false;
    if (q.startTimeMin !== undefined && span.startTime < q.startTimeMin) return false;
    if (q.startTimeMax !== undefined && span.startTime > q.startTimeMax) return false;
    const durationNs = span.duration * 1000;
    if (q.durationMinNs && durationNs < q.durationMinNs) return false;
    if (q.durationMaxNs && durationNs > q.durationMaxNs) return false;
    for (const [key, value] of Object.entries(q.tags ?? {})) {
      if (!hasTag(span, process, key, value)) return false;
    }
    return true;
  }
}

function hasTag(span: Span, process: Process, key: string, value: string): boolean {
  const match = (kv: Span['tags'][number]) => kv.key === key && tagValueString(kv) === value;
  return span.tags.some(match) || process.tags.some(match) || span.logs.some((l) => l.fields.some(match));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

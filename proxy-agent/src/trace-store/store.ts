// The trace store's memory: at most `maxTraces` traces and `maxBytes` (approximate) of spans in Jaeger's
// model (oldest created evicted first), indexed by service, operation, tag and duration bucket so that a search reads only candidate traces.
// Search semantics follow Jaeger's memory storage: one span must match all conditions; newest traces first.
import { type ConvertedSpan, processKey } from '../../../lib/jaeger/from-otlp';
import type { DependencyLink, Operation, Process, Span, Trace } from '../../../lib/jaeger/model';
import { mixHash, PostingIndex, type Term, termHash, toTerm } from './posting-index';
import {
  type IngestSpan,
  ingestSpanFromModel,
  SEP,
  spanJson,
  TAG_SEED,
  type TagPart,
  tagPart,
  writeSpanJson,
} from './span-parts';
import { tagValueString } from './tag-value';

export const DEFAULT_MAX_TRACES = 50_000;
export const DEFAULT_MAX_SPANS_PER_TRACE = 10_000;
/** Approximate bytes of spans held, as Jaeger's in-memory `max-traces` bounds its memory (by count). */
export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
/** Approximate bytes one trace may hold: a runaway trace must not push every other one out. */
export const DEFAULT_MAX_TRACE_BYTES = 32 * 1024 * 1024;

export interface TraceStoreOptions {
  maxTraces?: number;
  /** Spans past this in one trace are rejected (a runaway trace must not take all the memory). */
  maxSpansPerTrace?: number;
  /** Approximate bytes held; past it the oldest traces are evicted. */
  maxBytes?: number;
  /** Approximate bytes one trace may hold; spans past it are rejected (at most `maxBytes`). */
  maxTraceBytes?: number;
  /** A search whose most selective index term has more traces than this scans newest first (tuning). */
  scanThreshold?: number;
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

/** A stored span: the compact form the ingest paths build (see span-parts.ts). */
type StoredSpan = IngestSpan;

interface TraceRecord {
  seq: number;
  /** False once evicted (postings drop it lazily). */
  live: boolean;
  traceID: string;
  spans: StoredSpan[];
  processes: Record<string, Process>;
  /** processKey → processID within this trace. */
  processIds: Map<string, string>;
  /** Earliest span start and latest span end, µs. */
  startTime: number;
  endTime: number;
  /** Index terms this trace is filed under (each once), so eviction needs no recomputation. */
  terms: Set<Term>;
  /** Approximate heap bytes held for this trace (`spanBytes` and the overheads below). */
  bytes: number;
  /** The process and the tags of the span added last: their terms are filed already. */
  lastInfo: ProcessInfo | undefined;
  lastTags: TagPart[];
}

/** A found trace set: the traces, and whether a byte cap cut it short. */
export interface FoundTraces<T> {
  traces: T[];
  /** Traces left out because the answer would have passed the byte cap. */
  truncated: boolean;
}

// Rough heap costs beyond string characters (V8, 64-bit, pointer compression), so that the budget follows
// memory rather than text: a span object with its arrays, a trace record with its maps, one index entry.
const SPAN_OVERHEAD_BYTES = 160;
const PART_OVERHEAD_BYTES = 8;
const PROCESS_OVERHEAD_BYTES = 96;
const RECORD_OVERHEAD_BYTES = 512;
const TERM_OVERHEAD_BYTES = 48;
const DURATION_BUCKETS = 48;
const NO_TAGS: TagPart[] = [];
const DEFAULT_SCAN_THRESHOLD = 2_000;
const SERVICE_SEED = termHash('service');
const OPERATION_SEED = termHash('operation');
const DURATION_SEED = termHash('duration');

const serviceTerm = (service: string): Term => toTerm(termHash(service, SERVICE_SEED));
const operationTerm = (service: string, operation: string): Term =>
  toTerm(termHash(operation, termHash(service, OPERATION_SEED)));
const durationTerm = (service: string, bucket: number): Term =>
  toTerm(termHash(String(bucket), termHash(service, DURATION_SEED)));
const tagSeed = (service: string): number => termHash(service, TAG_SEED);
/** The term of a tag (its TagPart.hash) within a service (its tagSeed). */
const tagTermOf = (seed: number, hash: number): Term => toTerm(mixHash(seed, hash));
const tagTerm = (seed: number, key: string, value: string): Term =>
  tagTermOf(seed, termHash(value, termHash(key, TAG_SEED)));

/** What the store derives once per process object (many spans of a batch share one). */
interface ProcessInfo {
  key: string;
  tagSeed: number;
  serviceTerm: Term;
  terms: ServiceTerms;
  /** Index terms of the process tags. */
  tagTerms: Term[];
}

/** A service's operation and duration terms, computed once (per service, bounded). */
class ServiceTerms {
  private readonly operations = new Map<string, Term>();
  private readonly durations: Term[] = [];
  constructor(readonly service: string) {}

  operation(name: string): Term {
    let term = this.operations.get(name);
    if (term === undefined) {
      term = operationTerm(this.service, name);
      if (this.operations.size >= MAX_CACHED_OPERATION_TERMS) this.operations.clear();
      this.operations.set(name, term);
    }
    return term;
  }

  duration(bucket: number): Term {
    let term = this.durations[bucket];
    if (term === undefined) {
      term = durationTerm(this.service, bucket);
      this.durations[bucket] = term;
    }
    return term;
  }
}
// At most 256 × 256 cached operation terms in all; past a bound a cache starts over (terms are recomputed,
// never wrong).
const MAX_CACHED_OPERATION_TERMS = 256;
const MAX_CACHED_SERVICES = 256;

/** Duration bucket of a span: floor(log2(µs + 1)), so bucket b holds durations in [2^b - 1, 2^(b+1) - 1). */
function durationBucket(durationUs: number): number {
  return Math.min(DURATION_BUCKETS - 1, Math.floor(Math.log2(durationUs + 1)));
}

export class TraceStore {
  readonly maxTraces: number;
  readonly maxSpansPerTrace: number;
  readonly maxBytes: number;
  readonly maxTraceBytes: number;
  private readonly scanThreshold: number;
  private readonly traces = new Map<string, TraceRecord>();
  private readonly index = new PostingIndex<TraceRecord>();
  /** service → "name\0kind" → live span count; services and operations vanish with their last span. */
  private readonly operationCounts = new Map<string, Map<string, Map<string, number>>>();
  private readonly processInfo = new WeakMap<Process, ProcessInfo>();
  private readonly serviceTerms = new Map<string, ServiceTerms>();
  /** The last process looked up: the spans of a batch come grouped by resource. */
  private lastProcess: Process | undefined;
  private lastInfo: ProcessInfo | undefined;
  /**
   * Traces in creation order from `head` on; an evicted one leaves a hole (undefined). Holes are skipped
   * from the front; `after` is past the holes behind the head, for when the head itself must stay.
   */
  private order: (TraceRecord | undefined)[] = [];
  private head = 0;
  private after = 1;
  private byteTotal = 0;
  private nextSeq = 0;
  private spanTotal = 0;

  constructor(options: TraceStoreOptions = {}) {
    this.maxTraces = Math.max(1, options.maxTraces ?? DEFAULT_MAX_TRACES);
    this.maxSpansPerTrace = Math.max(1, options.maxSpansPerTrace ?? DEFAULT_MAX_SPANS_PER_TRACE);
    this.maxBytes = Math.max(1, options.maxBytes ?? DEFAULT_MAX_BYTES);
    this.maxTraceBytes = Math.min(
      this.maxBytes,
      Math.max(1, options.maxTraceBytes ?? DEFAULT_MAX_TRACE_BYTES),
    );
    this.scanThreshold = options.scanThreshold ?? DEFAULT_SCAN_THRESHOLD;
  }

  get traceCount(): number {
    return this.traces.size;
  }

  get spanCount(): number {
    return this.spanTotal;
  }

  /** Approximate heap bytes held by the traces (what `maxBytes` bounds). */
  get byteCount(): number {
    return this.byteTotal;
  }

  /** Adds spans of Jaeger's model (the reference path; each span's processID is set as stored). */
  add(spans: ConvertedSpan[]): AddResult {
    const ingest = spans.map(({ span, process }) => ingestSpanFromModel(span, process));
    const result = this.addSpans(ingest);
    ingest.forEach((s, i) => {
      const model = spans[i]?.span;
      if (model && s.processID !== '') model.processID = s.processID;
    });
    return result;
  }

  /** Adds spans in the store's own form (the ingest paths' output); each is kept as given. */
  addSpans(spans: IngestSpan[]): AddResult {
    let accepted = 0;
    let rejected = 0;
    const errors = new Set<string>();
    for (const span of spans) {
      let record = this.traces.get(span.traceID);
      if (record && record.spans.length >= this.maxSpansPerTrace) {
        rejected++;
        errors.add(`trace ${span.traceID} holds the maximum of ${this.maxSpansPerTrace} spans`);
        continue;
      }
      const info = this.infoOf(span.process);
      const known = record?.processIds.get(info.key);
      const bytes = spanBytes(span) + (known === undefined ? PROCESS_OVERHEAD_BYTES + info.key.length : 0);
      if ((record?.bytes ?? RECORD_OVERHEAD_BYTES + span.traceID.length) + bytes > this.maxTraceBytes) {
        rejected++;
        errors.add(
          `trace ${span.traceID} would pass the maximum of ${this.maxTraceBytes} bytes a trace may hold`,
        );
        continue;
      }
      if (!record) {
        while (this.traces.size >= this.maxTraces) this.evictOldest();
        record = this.createRecord(span.traceID);
      }
      this.commitSpan(record, span, info, known, bytes);
      // The memory budget: the oldest other traces go first; this one fits alone (maxTraceBytes ≤ maxBytes).
      while (this.byteTotal > this.maxBytes && this.evictOldest(record)) {}
      accepted++;
    }
    return { accepted, rejected, errors: [...errors] };
  }

  getTrace(traceID: string): Trace | undefined {
    const record = this.traces.get(traceID);
    return record && toTrace(record);
  }

  /** A trace's Jaeger JSON, byte for byte `JSON.stringify(getTrace(traceID))`. */
  getTraceJson(traceID: string): string | undefined {
    const record = this.traces.get(traceID);
    return record && traceJson(record);
  }

  services(): string[] {
    return [...this.operationCounts.keys()].sort();
  }

  /** Operations of a service, optionally of one span kind ("" = spans without a kind). */
  operations(service: string, spanKind?: string): Operation[] {
    const ops = this.operationCounts.get(service);
    if (!ops) return [];
    const out: Operation[] = [];
    for (const [name, kinds] of ops) {
      for (const kind of kinds.keys()) {
        if (spanKind === undefined || spanKind === '' || spanKind === kind)
          out.push({ name, spanKind: kind });
      }
    }
    return out.sort((a, b) => cmp(a.name, b.name) || cmp(a.spanKind, b.spanKind));
  }

  findTraces(query: TraceQuery): Trace[] {
    return this.findRecords(query).map(toTrace);
  }

  /** The JSON of each trace `findTraces` finds, in the same order. */
  findTracesJson(query: TraceQuery): string[] {
    return this.findRecords(query).map(traceJson);
  }

  /**
   * `findTraces`, stopping before the trace that would take the answer past `maxBytes` (by the traces'
   * approximate size, known before any is built); the first trace is always answered.
   */
  findTracesWithin(query: TraceQuery, maxBytes: number): FoundTraces<Trace> {
    return within(this.findRecords(query), maxBytes, toTrace);
  }

  /** `findTracesJson` within a byte cap, as `findTracesWithin`. */
  findTracesJsonWithin(query: TraceQuery, maxBytes: number): FoundTraces<string> {
    return within(this.findRecords(query), maxBytes, traceJson);
  }

  /** The JSON of the given traces (absent ones skipped in `missing`) within a byte cap. */
  getTracesJsonWithin(traceIDs: string[], maxBytes: number): FoundTraces<string> & { missing: string[] } {
    const records: TraceRecord[] = [];
    const missing: string[] = [];
    for (const id of traceIDs) {
      const record = this.traces.get(id);
      if (record) records.push(record);
      else missing.push(id);
    }
    return { ...within(records, maxBytes, traceJson), missing };
  }

  private findRecords(query: TraceQuery): TraceRecord[] {
    const service = query.serviceName;
    // Each condition the index can answer is a list of terms a trace must have one of.
    const conditions: Term[][] = [[serviceTerm(service)]];
    if (query.operationName) conditions.push([operationTerm(service, query.operationName)]);
    const seed = tagSeed(service);
    for (const [key, value] of Object.entries(query.tags ?? {})) conditions.push([tagTerm(seed, key, value)]);
    const minUs = query.durationMinNs ? Math.floor(query.durationMinNs / 1000) : 0;
    const maxUs = query.durationMaxNs ? Math.ceil(query.durationMaxNs / 1000) : undefined;
    if (minUs > 0 || maxUs !== undefined) {
      const first = durationBucket(minUs);
      const last = maxUs === undefined ? DURATION_BUCKETS - 1 : durationBucket(maxUs);
      const terms: Term[] = [];
      for (let b = first; b <= last; b++) terms.push(durationTerm(service, b));
      conditions.push(terms);
    }
    const sized = conditions
      .map((terms) => ({ terms, size: terms.reduce((n, t) => n + this.index.size(t), 0) }))
      .sort((a, b) => a.size - b.size);
    const driver = sized[0];
    const limit = Math.max(0, query.limit);
    if (!driver || driver.size === 0 || limit === 0) return [];

    const traceMatches = compileSpanFilter(query);
    const candidate = (record: TraceRecord) =>
      sized.every((c) => c.terms.some((t) => record.terms.has(t))) && traceMatches(record);

    if (driver.size > this.scanThreshold) {
      // Many candidates: walk the traces newest first and stop at the limit, as Jaeger's memory store does.
      const found: TraceRecord[] = [];
      for (let i = this.order.length - 1; i >= this.head && found.length < limit; i--) {
        const record = this.order[i];
        if (record && candidate(record)) found.push(record);
      }
      return found;
    }
    // Few candidates: take those the other index terms allow, newest first, and check spans only until
    // the limit is reached.
    const others = sized.filter((c) => c !== driver);
    const pool = new Set<TraceRecord>();
    for (const term of driver.terms) {
      for (const record of this.index.items(term)) {
        if (record.live && others.every((c) => c.terms.some((t) => record.terms.has(t)))) pool.add(record);
      }
    }
    const found: TraceRecord[] = [];
    for (const record of [...pool].sort((a, b) => b.seq - a.seq)) {
      if (traceMatches(record)) found.push(record);
      if (found.length === limit) break;
    }
    return found;
  }

  /**
   * Call counts between services: a span whose parent span (its first CHILD_OF reference) belongs to
   * another service is one call, over traces lying within [endTs - lookback, endTs] (ms).
   */
  dependencies(endTsMs: number, lookbackMs: number): DependencyLink[] {
    const startUs = (endTsMs - lookbackMs) * 1000;
    const endUs = endTsMs * 1000;
    const counts = new Map<string, DependencyLink>();
    for (const { spans, startTime, endTime } of this.traces.values()) {
      if (startTime < startUs || endTime > endUs) continue;
      const serviceOfSpan = new Map<string, string>();
      for (const s of spans) serviceOfSpan.set(s.spanID, s.process.serviceName);
      for (const s of spans) {
        const parent = s.parentSpanID === '' ? undefined : serviceOfSpan.get(s.parentSpanID);
        const child = s.process.serviceName;
        if (parent === undefined || parent === child) continue;
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
      live: true,
      traceID,
      spans: [],
      processes: {},
      processIds: new Map(),
      startTime: Number.POSITIVE_INFINITY,
      endTime: Number.NEGATIVE_INFINITY,
      terms: new Set(),
      bytes: RECORD_OVERHEAD_BYTES + traceID.length,
      lastInfo: undefined,
      lastTags: NO_TAGS,
    };
    this.traces.set(traceID, record);
    this.order.push(record);
    this.byteTotal += record.bytes;
    return record;
  }

  private infoOf(process: Process): ProcessInfo {
    if (process === this.lastProcess && this.lastInfo) return this.lastInfo;
    let info = this.processInfo.get(process);
    if (!info) {
      const service = process.serviceName;
      const seed = tagSeed(service);
      let terms = this.serviceTerms.get(service);
      if (!terms) {
        if (this.serviceTerms.size >= MAX_CACHED_SERVICES) this.serviceTerms.clear();
        terms = new ServiceTerms(service);
        this.serviceTerms.set(service, terms);
      }
      info = {
        key: processKey(process),
        tagSeed: seed,
        serviceTerm: serviceTerm(service),
        terms,
        tagTerms: process.tags.map((kv) => tagTermOf(seed, tagPart(kv.key, kv.type, kv.value).hash)),
      };
      this.processInfo.set(process, info);
    }
    this.lastProcess = process;
    this.lastInfo = info;
    return info;
  }

  private commitSpan(
    record: TraceRecord,
    span: StoredSpan,
    info: ProcessInfo,
    knownPid: string | undefined,
    bytes: number,
  ): void {
    let pid = knownPid;
    if (pid === undefined) {
      pid = `p${record.processIds.size + 1}`;
      record.processIds.set(info.key, pid);
      record.processes[pid] = span.process;
    }
    span.processID = pid;
    span.traceID = record.traceID; // one string per trace, not one per span
    record.spans.push(span);
    if (span.startTime < record.startTime) record.startTime = span.startTime;
    const end = span.startTime + span.duration;
    if (end > record.endTime) record.endTime = end;
    this.spanTotal++;
    const service = span.process.serviceName;
    const terms = record.terms;
    const termsBefore = terms.size;
    // Most terms repeat across a trace's spans: touch the shared index only for new ones.
    // A span of the same process as the one before it shares most tags, part for part (pooled): those
    // terms are filed already.
    const sameProcess = record.lastInfo === info;
    if (!sameProcess) {
      this.addTerm(record, info.serviceTerm);
      for (const term of info.tagTerms) this.addTerm(record, term);
      record.lastInfo = info;
    }
    this.addTerm(record, info.terms.operation(span.operationName));
    this.addTerm(record, info.terms.duration(durationBucket(span.duration)));
    const seed = info.tagSeed;
    const { tags, fields } = span;
    const before = sameProcess ? record.lastTags : NO_TAGS;
    for (let i = 0; i < tags.length; i++) {
      const part = tags[i] as TagPart;
      if (before[i] !== part) this.addTerm(record, tagTermOf(seed, part.hash));
    }
    record.lastTags = tags;
    for (let i = 0; i < fields.length; i++)
      this.addTerm(record, tagTermOf(seed, (fields[i] as TagPart).hash));
    const total = bytes + (terms.size - termsBefore) * TERM_OVERHEAD_BYTES;
    record.bytes += total;
    this.byteTotal += total;
    this.countOperation(service, span, +1);
  }

  private addTerm(record: TraceRecord, term: Term): void {
    // One hash operation, not a lookup and then an insert: the set grows only for a new term.
    const terms = record.terms;
    const before = terms.size;
    terms.add(term);
    if (terms.size !== before) this.index.add(term, record);
  }

  /** Evicts the oldest trace other than `keep`; false when there is none. */
  private evictOldest(keep?: TraceRecord): boolean {
    while (this.head < this.order.length && this.order[this.head] === undefined) this.head++;
    let at = this.head;
    if (keep !== undefined && this.order[at] === keep) {
      this.after = Math.max(this.after, this.head + 1);
      while (this.after < this.order.length && this.order[this.after] === undefined) this.after++;
      at = this.after;
    }
    const oldest = this.order[at];
    if (!oldest) return false;
    this.order[at] = undefined; // let it be collected
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.after = Math.max(1, this.after - this.head);
      this.head = 0;
    }
    this.traces.delete(oldest.traceID);
    oldest.live = false;
    for (const term of oldest.terms) this.index.remove(term, oldest);
    for (const span of oldest.spans) this.countOperation(span.process.serviceName, span, -1);
    this.spanTotal -= oldest.spans.length;
    this.byteTotal -= oldest.bytes;
    return true;
  }

  /** Counts a span in its service's (operation, kind); nested maps, so no key is built per span. */
  private countOperation(service: string, span: StoredSpan, delta: number): void {
    let ops = this.operationCounts.get(service);
    if (!ops) {
      ops = new Map();
      this.operationCounts.set(service, ops);
    }
    let kinds = ops.get(span.operationName);
    if (!kinds) {
      kinds = new Map();
      ops.set(span.operationName, kinds);
    }
    const n = (kinds.get(span.kind) ?? 0) + delta;
    if (n > 0) kinds.set(span.kind, n);
    else {
      kinds.delete(span.kind);
      if (kinds.size === 0) ops.delete(span.operationName);
      if (ops.size === 0) this.operationCounts.delete(service);
    }
  }
}

/** Approximate heap bytes of a stored span (tag strings pooled across spans are counted for each). */
function spanBytes(s: StoredSpan): number {
  let n = SPAN_OVERHEAD_BYTES + s.spanID.length + s.operationName.length + s.parentSpanID.length;
  n += s.kind.length + (s.references?.length ?? 0) + s.logs.length + s.end.length;
  // Each tag counted in full, JSON and search text (shared ones too, so that the budget never undercounts).
  const { tags, fields } = s;
  for (let i = 0; i < tags.length; i++) n += partBytes(tags[i] as TagPart);
  for (let i = 0; i < fields.length; i++) n += partBytes(fields[i] as TagPart);
  return n;
}

function partBytes(part: TagPart): number {
  // JSON written on demand is counted as if held (about the key and text again).
  const json = part.json === '' ? part.key.length + part.text.length + 32 : part.json.length;
  return json + part.key.length + part.text.length + PART_OVERHEAD_BYTES;
}

/** The leading records whose total size stays within `maxBytes` (at least one), converted. */
function within<T>(records: TraceRecord[], maxBytes: number, convert: (r: TraceRecord) => T): FoundTraces<T> {
  const traces: T[] = [];
  let bytes = 0;
  for (const record of records) {
    if (traces.length > 0 && bytes + record.bytes > maxBytes) return { traces, truncated: true };
    bytes += record.bytes;
    traces.push(convert(record));
  }
  return { traces, truncated: false };
}

/**
 * Whether a trace has one span meeting every condition of the query — the check behind the index, which
 * only says that the trace has each term somewhere. Query-wide work is done once, here.
 */
function compileSpanFilter(q: TraceQuery): (trace: TraceRecord) => boolean {
  const tags = Object.entries(q.tags ?? {}).map(([key, value]) => ({
    key,
    value,
  }));
  const minStart = q.startTimeMin ?? Number.NEGATIVE_INFINITY;
  const maxStart = q.startTimeMax ?? Number.POSITIVE_INFINITY;
  const minNs = q.durationMinNs || 0;
  const maxNs = q.durationMaxNs || Number.POSITIVE_INFINITY;
  return (trace) => {
    for (const span of trace.spans) {
      const process = span.process;
      if (process.serviceName !== q.serviceName) continue;
      if (q.operationName && span.operationName !== q.operationName) continue;
      if (span.startTime < minStart || span.startTime > maxStart) continue;
      const durationNs = span.duration * 1000;
      if (durationNs < minNs || durationNs > maxNs) continue;
      let all = true;
      for (const { key, value } of tags) {
        if (
          !hasPart(span.tags, key, value) &&
          !hasPart(span.fields, key, value) &&
          !hasProcessTag(process, key, value)
        ) {
          all = false;
          break;
        }
      }
      if (all) return true;
    }
    return false;
  };
}

function hasProcessTag(process: Process, key: string, value: string): boolean {
  for (const kv of process.tags) if (kv.key === key && tagValueString(kv) === value) return true;
  return false;
}

function hasPart(parts: TagPart[], key: string, text: string): boolean {
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as TagPart;
    if (part.text === text && part.key === key) return true;
  }
  return false;
}

/** `JSON.stringify` of the trace, assembled from the spans' JSON (not kept: memory holds each span once). */
function traceJson(record: TraceRecord): string {
  const out = ['{"traceID":', JSON.stringify(record.traceID), ',"spans":['];
  const spans = record.spans;
  for (let i = 0; i < spans.length; i++) {
    if (i > 0) out.push(',');
    writeSpanJson(spans[i] as StoredSpan, out);
  }
  out.push('],"processes":', JSON.stringify(record.processes), ',"warnings":null}');
  return out.join('');
}

function toTrace(record: TraceRecord): Trace {
  return {
    traceID: record.traceID,
    spans: record.spans.map((s) => JSON.parse(spanJson(s)) as Span),
    processes: { ...record.processes },
    warnings: null,
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

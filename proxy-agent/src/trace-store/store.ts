// The trace store's memory: at most `maxTraces` traces and `maxBytes` (approximate) of spans in Jaeger's
// model (oldest created evicted first), indexed by service, operation, tag and duration bucket so that a search reads only candidate traces.
// Search semantics follow Jaeger's memory storage: one span must match all conditions; newest traces first.
import { type ConvertedSpan, processKey } from '../../../lib/jaeger/from-otlp';
import type { DependencyLink, KeyValue, Operation, Process, Span, Trace } from '../../../lib/jaeger/model';
import { PostingIndex, type Term, termHash, toTerm } from './posting-index';
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

/**
 * A stored span, compact: its Jaeger JSON serialized once at ingest (answers are assembled from these
 * strings), and only what search, eviction and dependencies read kept as fields. A handful of heap objects
 * per span instead of an object tree of dozens, so that GC pauses do not grow with the store.
 */
interface StoredSpan {
  spanID: string;
  processID: string;
  operationName: string;
  /** The span's `span.kind` tag ("" without one). */
  kind: string;
  /** µs since the epoch / µs. */
  startTime: number;
  duration: number;
  /** Span id of the first CHILD_OF reference, "" without one. */
  parentSpanID: string;
  /** Span tags and log fields as `\0key\0value\0key\0value\0` (values as Jaeger compares them). */
  match: string;
  /**
   * The span's Jaeger JSON in parts: the text up to and including `"tags":[`, each tag's JSON (without
   * the commas between them; repeated tags are one shared string), and the text after the tags' `]`.
   */
  json: string[];
}

interface TraceRecord {
  seq: number;
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
}

/** A found trace set: the traces, and whether a byte cap cut it short. */
export interface FoundTraces<T> {
  traces: T[];
  /** Traces left out because the answer would have passed the byte cap. */
  truncated: boolean;
}

const SEP = '\u0000';
// Rough heap costs beyond string characters (V8, 64-bit, pointer compression), so that the budget follows
// memory rather than text: a span object with its arrays, a trace record with its maps, one index entry.
const SPAN_OVERHEAD_BYTES = 160;
const PART_OVERHEAD_BYTES = 8;
const PROCESS_OVERHEAD_BYTES = 96;
const RECORD_OVERHEAD_BYTES = 512;
const TERM_OVERHEAD_BYTES = 48;
const DURATION_BUCKETS = 48;
const DEFAULT_SCAN_THRESHOLD = 2_000;
const SERVICE_SEED = termHash('service');
const OPERATION_SEED = termHash('operation');
const DURATION_SEED = termHash('duration');
const TAG_SEED = termHash('tag');

const serviceTerm = (service: string): Term => toTerm(termHash(service, SERVICE_SEED));
const operationTerm = (service: string, operation: string): Term =>
  toTerm(termHash(operation, termHash(service, OPERATION_SEED)));
const durationTerm = (service: string, bucket: number): Term =>
  toTerm(termHash(String(bucket), termHash(service, DURATION_SEED)));
const tagSeed = (service: string): number => termHash(service, TAG_SEED);
const tagTerm = (seed: number, key: string, value: string): Term =>
  toTerm(termHash(value, termHash(key, seed)));

/** What the store derives once per process object (many spans of a batch share one). */
interface ProcessInfo {
  key: string;
  tagSeed: number;
  /** Index terms of the process tags. */
  tagTerms: Term[];
}

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
  private readonly index = new PostingIndex();
  /** service → "name\0kind" → live span count; services and operations vanish with their last span. */
  private readonly operationCounts = new Map<string, Map<string, number>>();
  private readonly processInfo = new WeakMap<Process, ProcessInfo>();
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

  add(spans: ConvertedSpan[]): AddResult {
    let accepted = 0;
    let rejected = 0;
    const errors = new Set<string>();
    for (const { span, process } of spans) {
      let record = this.traces.get(span.traceID);
      if (record && record.spans.length >= this.maxSpansPerTrace) {
        rejected++;
        errors.add(`trace ${span.traceID} holds the maximum of ${this.maxSpansPerTrace} spans`);
        continue;
      }
      const prepared = this.prepareSpan(record, span, process);
      if (
        (record?.bytes ?? RECORD_OVERHEAD_BYTES + span.traceID.length) + prepared.bytes >
        this.maxTraceBytes
      ) {
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
      this.commitSpan(record, span, process, prepared);
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
    for (const key of ops.keys()) {
      const [name = '', kind = ''] = key.split(SEP);
      if (spanKind === undefined || spanKind === '' || spanKind === kind) out.push({ name, spanKind: kind });
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
      sized.every((c) => c.terms.some((t) => this.index.has(t, record.traceID))) && traceMatches(record);

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
      for (const id of this.index.ids(term)) {
        const record = this.traces.get(id);
        if (record && others.every((c) => c.terms.some((t) => this.index.has(t, id)))) pool.add(record);
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
    for (const { spans, processes, startTime, endTime } of this.traces.values()) {
      if (startTime < startUs || endTime > endUs) continue;
      const serviceOfSpan = new Map<string, string>();
      for (const s of spans) serviceOfSpan.set(s.spanID, processes[s.processID]?.serviceName ?? '');
      for (const s of spans) {
        const parent = s.parentSpanID === '' ? undefined : serviceOfSpan.get(s.parentSpanID);
        const child = processes[s.processID]?.serviceName;
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
      traceID,
      spans: [],
      processes: {},
      processIds: new Map(),
      startTime: Number.POSITIVE_INFINITY,
      endTime: Number.NEGATIVE_INFINITY,
      terms: new Set(),
      bytes: RECORD_OVERHEAD_BYTES + traceID.length,
    };
    this.traces.set(traceID, record);
    this.order.push(record);
    this.byteTotal += record.bytes;
    return record;
  }

  private infoOf(process: Process): ProcessInfo {
    let info = this.processInfo.get(process);
    if (!info) {
      const seed = tagSeed(process.serviceName);
      info = {
        key: processKey(process),
        tagSeed: seed,
        tagTerms: process.tags.map((kv) => tagTerm(seed, kv.key, tagValueString(kv))),
      };
      this.processInfo.set(process, info);
    }
    return info;
  }

  /** The stored form of a span for `record` (not yet added) and the bytes adding it would cost. */
  private prepareSpan(record: TraceRecord | undefined, span: Span, process: Process): PreparedSpan {
    const info = this.infoOf(process);
    const known = record?.processIds.get(info.key);
    const pid = known ?? `p${(record?.processIds.size ?? 0) + 1}`;
    span.processID = pid;
    const stored = storedSpan(span);
    const processBytes = known === undefined ? PROCESS_OVERHEAD_BYTES + info.key.length : 0;
    return { stored, newProcess: known === undefined, bytes: spanBytes(stored) + processBytes };
  }

  private commitSpan(record: TraceRecord, span: Span, process: Process, prepared: PreparedSpan): void {
    const { stored } = prepared;
    if (prepared.newProcess) {
      record.processIds.set(this.infoOf(process).key, stored.processID);
      record.processes[stored.processID] = process;
    }
    record.spans.push(stored);
    record.startTime = Math.min(record.startTime, span.startTime);
    record.endTime = Math.max(record.endTime, span.startTime + span.duration);
    this.spanTotal++;
    const id = record.traceID;
    const terms = record.terms;
    let newTerms = 0;
    this.forEachTerm(span, process, (term) => {
      // Most terms repeat across a trace's spans: touch the shared index only for new ones.
      if (terms.has(term)) return;
      terms.add(term);
      this.index.add(term, id);
      newTerms++;
    });
    const bytes = prepared.bytes + newTerms * TERM_OVERHEAD_BYTES;
    record.bytes += bytes;
    this.byteTotal += bytes;
    this.countOperation(process.serviceName, stored, +1);
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
    const id = oldest.traceID;
    this.traces.delete(id);
    for (const term of oldest.terms) this.index.remove(term, id);
    for (const span of oldest.spans) {
      const process = oldest.processes[span.processID];
      if (process) this.countOperation(process.serviceName, span, -1);
    }
    this.spanTotal -= oldest.spans.length;
    this.byteTotal -= oldest.bytes;
    return true;
  }

  /** The index terms of one span: its service, operation, duration bucket, and every tag it can match. */
  private forEachTerm(span: Span, process: Process, fn: (term: Term) => void): void {
    const service = process.serviceName;
    const info = this.infoOf(process);
    fn(serviceTerm(service));
    fn(operationTerm(service, span.operationName));
    fn(durationTerm(service, durationBucket(span.duration)));
    for (const kv of span.tags) fn(tagTerm(info.tagSeed, kv.key, tagValueString(kv)));
    for (const term of info.tagTerms) fn(term);
    for (const log of span.logs) {
      for (const kv of log.fields) fn(tagTerm(info.tagSeed, kv.key, tagValueString(kv)));
    }
  }

  private countOperation(service: string, span: StoredSpan, delta: number): void {
    const key = `${span.operationName}${SEP}${span.kind}`;
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
}

interface PreparedSpan {
  stored: StoredSpan;
  /** The span's process is not yet one of the trace's. */
  newProcess: boolean;
  /** Approximate bytes the span (and its process, when new to the trace) adds. */
  bytes: number;
}

/** Approximate heap bytes of a stored span (tag strings pooled across spans are counted for each). */
function spanBytes(s: StoredSpan): number {
  let n = SPAN_OVERHEAD_BYTES + s.spanID.length + s.operationName.length + s.parentSpanID.length;
  n += s.match.length + s.kind.length;
  for (const part of s.json) n += part.length + PART_OVERHEAD_BYTES;
  return n;
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
    pair: matchPair(key, value),
  }));
  const minStart = q.startTimeMin ?? Number.NEGATIVE_INFINITY;
  const maxStart = q.startTimeMax ?? Number.POSITIVE_INFINITY;
  const minNs = q.durationMinNs || 0;
  const maxNs = q.durationMaxNs || Number.POSITIVE_INFINITY;
  return (trace) => {
    for (const span of trace.spans) {
      const process = trace.processes[span.processID];
      if (!process || process.serviceName !== q.serviceName) continue;
      if (q.operationName && span.operationName !== q.operationName) continue;
      if (span.startTime < minStart || span.startTime > maxStart) continue;
      const durationNs = span.duration * 1000;
      if (durationNs < minNs || durationNs > maxNs) continue;
      let all = true;
      for (const { key, value, pair } of tags) {
        if (!span.match.includes(pair) && !hasProcessTag(process, key, value)) {
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

/** `key`=`value` as it appears in `StoredSpan.match`. */
function matchPair(key: string, value: string): string {
  return `${SEP}${key}${SEP}${value}${SEP}`;
}

function storedSpan(span: Span): StoredSpan {
  let match = SEP;
  let kind = '';
  for (const kv of span.tags) {
    const value = tagValueString(kv);
    if (kv.key === 'span.kind' && kind === '' && kv.type === 'string') kind = value;
    match += `${kv.key}${SEP}${value}${SEP}`;
  }
  for (const log of span.logs) {
    for (const kv of log.fields) match += `${kv.key}${SEP}${tagValueString(kv)}${SEP}`;
  }
  return {
    spanID: span.spanID,
    processID: span.processID,
    operationName: span.operationName,
    kind,
    startTime: span.startTime,
    duration: span.duration,
    parentSpanID: span.references.find((r) => r.refType === 'CHILD_OF')?.spanID ?? '',
    // Flattened: a concatenation tree would keep its parts alive.
    match: flat(match),
    json: jsonParts(span),
  };
}

const TAGS_MARK = ',"tags":[]';
const MAX_SHARED_VALUE_LENGTH = 200;
const MAX_VALUES_PER_KEY = 256;
const MAX_SHARED_KEYS = 1024;
/** Keys longer than this are not pooled: the pool outlives the spans, so it must not keep huge keys. */
const MAX_SHARED_KEY_LENGTH = 200;
/** Characters the pool may hold in all (keys and JSON); past it, tags are serialized per span. */
const MAX_SHARED_CHARS = 8 * 1024 * 1024;
let sharedChars = 0;

interface SharedTag {
  type: KeyValue['type'];
  json: string;
}

/**
 * Serialized tags, shared: most tags repeat across spans (method, status, cluster, flags, kind), so each
 * repeated one is serialized and held once. Tag key → value → JSON; a key seen with more than
 * MAX_VALUES_PER_KEY values (ids, urls) is marked `null` and no longer pooled. Bounded by the limits above
 (at most MAX_SHARED_CHARS characters in all).
 */
const sharedTags = new Map<string, Map<KeyValue['value'], SharedTag> | null>();

function tagJson(kv: KeyValue): string {
  let values = sharedTags.get(kv.key);
  if (
    values === null ||
    kv.key.length > MAX_SHARED_KEY_LENGTH ||
    (typeof kv.value === 'string' && kv.value.length > MAX_SHARED_VALUE_LENGTH)
  ) {
    return JSON.stringify(kv);
  }
  if (values === undefined) {
    if (sharedTags.size >= MAX_SHARED_KEYS || sharedChars >= MAX_SHARED_CHARS) return JSON.stringify(kv);
    values = new Map();
    sharedTags.set(kv.key, values);
    sharedChars += kv.key.length;
  }
  const known = values.get(kv.value);
  if (known !== undefined && known.type === kv.type) return known.json;
  const json = JSON.stringify(kv);
  if (known === undefined && sharedChars < MAX_SHARED_CHARS) {
    if (values.size >= MAX_VALUES_PER_KEY) {
      for (const v of values.values()) sharedChars -= v.json.length;
      sharedTags.set(kv.key, null);
    } else {
      values.set(kv.value, { type: kv.type, json });
      sharedChars += json.length;
    }
  }
  return json;
}

function jsonParts(span: Span): string[] {
  // Key order as in the span itself: `tags` keeps its place, and can be found as the only `,"tags":[]`
  // (a string value cannot hold an unescaped quote; no nested object has a `tags` key).
  const text = JSON.stringify({ ...span, tags: [] });
  const at = text.indexOf(TAGS_MARK);
  if (at < 0) return [JSON.stringify(span)]; // not a model span (no tags array): kept whole
  const cut = at + TAGS_MARK.length - 1;
  return [text.slice(0, cut), ...span.tags.map(tagJson), text.slice(cut)];
}

/** The span's JSON text from its parts. */
function spanJson(parts: string[]): string {
  if (parts.length === 1) return parts[0] as string;
  return `${parts[0]}${parts.slice(1, -1).join(',')}${parts[parts.length - 1]}`;
}

/** `text` as one flat string (V8 keeps concatenations as trees of their parts until first read). */
function flat(text: string): string {
  // Converting a string to a number flattens it (the trick of the flatstr package).
  void ((text as unknown as number) | 0);
  return text;
}

/** `JSON.stringify` of the trace, assembled from the spans' JSON (not kept: memory holds each span once). */
function traceJson(record: TraceRecord): string {
  let spans = '';
  for (const s of record.spans) spans += spans === '' ? spanJson(s.json) : `,${spanJson(s.json)}`;
  return `{"traceID":${JSON.stringify(record.traceID)},"spans":[${spans}],"processes":${JSON.stringify(record.processes)},"warnings":null}`;
}

function toTrace(record: TraceRecord): Trace {
  return {
    traceID: record.traceID,
    spans: record.spans.map((s) => JSON.parse(spanJson(s.json)) as Span),
    processes: { ...record.processes },
    warnings: null,
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

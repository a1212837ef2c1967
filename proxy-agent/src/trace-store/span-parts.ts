// The store's compact span, as the ingest paths build it: the span's Jaeger JSON in parts (tag JSON shared
// across spans through a bounded pool), the text search matches tags in, and the tags' hashes for the index.
// Built from plain values, so a decoder never makes the Jaeger model's object tree.
import type { KeyValue, Process, Span } from '../../../lib/jaeger/model';
import { termHash } from './posting-index';
import { tagValueString } from './tag-value';

export const SEP = '\u0000';
export const TAG_SEED = termHash('tag');

/** One tag (or log field) as stored: its JSON, `key\0value\0` as search compares it, and its hash. */
export interface TagPart {
  json: string;
  match: string;
  /** termHash of value and key, independent of the service (the index mixes the service in). */
  hash: number;
}

/**
 * A span ready for the store (and, once added, the stored span itself: the store fills `processID`).
 * `json` is `[head, ...tag JSON, logs, end]`: head runs up to and including `"tags":[`, logs from the tags'
 * `]` to the `"processID":"` opening quote, end from the closing quote on; the store writes the process id
 * between the last two, so that logs and end are shared strings for most spans.
 */
export interface IngestSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  /** The span's `span.kind` tag ("" without one). */
  kind: string;
  /** µs since the epoch / µs. */
  startTime: number;
  duration: number;
  /** Span id of the first CHILD_OF reference, "" without one. */
  parentSpanID: string;
  json: string[];
  /** Span tags and log fields as `\0key\0value\0key\0value\0` (values as Jaeger compares them). */
  match: string;
  /** Hashes of span tags and log fields (TagPart.hash); the store drops them once indexed. */
  hashes: number[];
  process: Process;
  processID: string;
}

export const NO_LOGS = '],"logs":[],"processID":"';
export const NO_WARNINGS = '","warnings":null}';
export const EMPTY_HASHES: number[] = [];

/** The head of a span's JSON: `{"traceID":...` up to and including `"tags":[`. */
export function spanHead(
  traceID: string,
  spanID: string,
  operationName: string,
  references: string,
  startTime: number,
  duration: number,
): string {
  // Ids are hex (no escaping); numbers are integers (their JSON is their text).
  return flat(
    `{"traceID":"${traceID}","spanID":"${spanID}","operationName":${jsonString(operationName)},"references":${references},"startTime":${startTime},"duration":${duration},"tags":[`,
  );
}

/** JSON of the references: none, or one CHILD_OF the parent (what the fast paths handle). */
export function childOfJson(traceID: string, parentSpanID: string): string {
  return parentSpanID === ''
    ? '[]'
    : `[{"refType":"CHILD_OF","traceID":"${traceID}","spanID":"${parentSpanID}"}]`;
}

export function warningsEnd(warnings: string[] | null): string {
  return warnings === null ? NO_WARNINGS : `","warnings":${JSON.stringify(warnings)}}`;
}

/** `logs` part for log JSON texts (each `{"timestamp":N,"fields":[...]}`). */
export function logsPart(logs: string[]): string {
  return logs.length === 0 ? NO_LOGS : flat(`],"logs":[${logs.join(',')}],"processID":"`);
}

export function logJson(timestamp: number, fields: TagPart[]): string {
  let text = `{"timestamp":${timestamp},"fields":[`;
  for (let i = 0; i < fields.length; i++)
    text += i === 0 ? (fields[i] as TagPart).json : `,${(fields[i] as TagPart).json}`;
  return `${text}]}`;
}

export function jsonString(text: string): string {
  return JSON.stringify(text);
}

// The pool of shared tags: most tags repeat across spans (method, status, cluster, flags, kind), so each
// repeated one is built and held once. Keyed by key, then value; a key seen with more than
// MAX_VALUES_PER_KEY values (ids, urls) is marked `null` and no longer pooled. Bounded in all.
const MAX_SHARED_VALUE_LENGTH = 200;
const MAX_VALUES_PER_KEY = 256;
const MAX_SHARED_KEYS = 1024;
/** Keys longer than this are not pooled: the pool outlives the spans, so it must not keep huge keys. */
const MAX_SHARED_KEY_LENGTH = 200;
/** Characters the pool may hold in all (keys, JSON and match text); past it, tags are built per span. */
const MAX_SHARED_CHARS = 8 * 1024 * 1024;
let sharedChars = 0;

interface PooledTag extends TagPart {
  type: KeyValue['type'];
}
const sharedTags = new Map<string, Map<KeyValue['value'], PooledTag> | null>();

/** The stored form of a tag (pooled when it repeats). `value` must be valid for `type` (as in KeyValue). */
export function tagPart(key: string, type: KeyValue['type'], value: KeyValue['value']): TagPart {
  let values = sharedTags.get(key);
  if (
    values === null ||
    (typeof value === 'string' && value.length > MAX_SHARED_VALUE_LENGTH) ||
    Object.is(value, -0) // a Map does not tell -0 from 0, and their texts differ
  ) {
    return buildTag(key, type, value);
  }
  if (values === undefined) {
    if (
      key.length > MAX_SHARED_KEY_LENGTH ||
      sharedTags.size >= MAX_SHARED_KEYS ||
      sharedChars >= MAX_SHARED_CHARS
    ) {
      return buildTag(key, type, value);
    }
    values = new Map();
    sharedTags.set(key, values);
    sharedChars += key.length;
  }
  const known = values.get(value);
  if (known !== undefined && known.type === type) return known;
  const part = buildTag(key, type, value);
  if (known === undefined && sharedChars < MAX_SHARED_CHARS) {
    if (values.size >= MAX_VALUES_PER_KEY) {
      for (const v of values.values()) sharedChars -= v.json.length + v.match.length;
      sharedTags.set(key, null);
    } else {
      values.set(value, part);
      sharedChars += part.json.length + part.match.length;
    }
  }
  return part;
}

function buildTag(key: string, type: KeyValue['type'], value: KeyValue['value']): PooledTag {
  const kv = { key, type, value } as KeyValue;
  const text = tagValueString(kv);
  return {
    type,
    json: JSON.stringify(kv),
    match: flat(`${key}${SEP}${text}${SEP}`),
    hash: termHash(text, termHash(key, TAG_SEED)),
  };
}

/** Written by `flat`, so that the optimizing compiler cannot drop the read that flattens. */
let flatSink = 0;

/**
 * `text` as one flat string: V8 keeps a concatenation as a tree of its parts (an object each) until it is
 * read. Reading a character flattens it; `text | 0` (flatstr's trick) does not once the code is optimized
 * (measured: a stored concatenation of 8 parts kept 256 bytes with it, 142 flattened).
 */
export function flat(text: string): string {
  flatSink ^= text.charCodeAt(0);
  return text;
}

/** Collects a span's tags and log fields: JSON parts, match text, hashes. */
export class TagCollector {
  json: string[] = [''];
  match = SEP;
  hashes: number[] = [];
  kind = '';

  tag(part: TagPart): void {
    this.json.push(part.json);
    this.match += part.match;
    this.hashes.push(part.hash);
  }

  /** A log field: matched and indexed, its JSON goes into its log's text. */
  field(part: TagPart): void {
    this.match += part.match;
    this.hashes.push(part.hash);
  }

  finish(
    span: Omit<IngestSpan, 'json' | 'match' | 'hashes' | 'kind' | 'processID'>,
    head: string,
    logs: string,
    end: string,
  ): IngestSpan {
    const json = this.json;
    json[0] = head;
    json.push(logs, end);
    return {
      traceID: span.traceID,
      spanID: span.spanID,
      operationName: span.operationName,
      kind: this.kind,
      startTime: span.startTime,
      duration: span.duration,
      parentSpanID: span.parentSpanID,
      json,
      match: flat(this.match),
      hashes: this.hashes,
      process: span.process,
      processID: '',
    };
  }
}

/** A span of Jaeger's model (from lib/jaeger/from-otlp) in the store's form: the reference path. */
export function ingestSpanFromModel(span: Span, process: Process): IngestSpan {
  const tags = new TagCollector();
  for (const kv of span.tags) {
    if (kv.key === 'span.kind' && tags.kind === '' && kv.type === 'string') tags.kind = kv.value;
    tags.tag(tagPart(kv.key, kv.type, kv.value));
  }
  const logs = span.logs.map((log) => {
    const fields = log.fields.map((kv) => tagPart(kv.key, kv.type, kv.value));
    for (const f of fields) tags.field(f);
    return logJson(log.timestamp, fields);
  });
  const head = spanHead(
    span.traceID,
    span.spanID,
    span.operationName,
    JSON.stringify(span.references),
    span.startTime,
    span.duration,
  );
  return tags.finish(
    {
      traceID: span.traceID,
      spanID: span.spanID,
      operationName: span.operationName,
      startTime: span.startTime,
      duration: span.duration,
      parentSpanID: span.references.find((r) => r.refType === 'CHILD_OF')?.spanID ?? '',
      process,
    },
    head,
    logsPart(logs),
    warningsEnd(span.warnings),
  );
}

/** The span's JSON text from its parts, with its process id. */
export function spanJson(span: IngestSpan): string {
  const parts = span.json;
  const n = parts.length;
  let text = parts[0] as string;
  for (let i = 1; i < n - 2; i++) text += i === 1 ? parts[i] : `,${parts[i]}`;
  return `${text}${parts[n - 2]}${span.processID}${parts[n - 1]}`;
}

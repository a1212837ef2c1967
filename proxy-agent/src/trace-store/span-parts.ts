// The store's compact span, as the ingest paths build it: the span's Jaeger JSON in parts, its tags and log
// fields as tag parts (JSON, the text search compares, the hash the index files) shared across spans through
// a bounded pool. Built from plain values, so a decoder never makes the Jaeger model's object tree.
import type { KeyValue, Process, Span } from '../../../lib/jaeger/model';
import { termHash } from './posting-index';
import { tagValueString } from './tag-value';

export const SEP = '\u0000';
export const TAG_SEED = termHash('tag');

/** One tag (or log field) as stored: its JSON, its key and value as search compares them, and its hash. */
export interface TagPart {
  /** The tag's JSON; "" when it is written on demand (tagJson) from the fields below. */
  json: string;
  /** `{"key":<key JSON>,"type":"`, shared by the key's tags. */
  prefix: string;
  type: KeyValue['type'];
  key: string;
  /** The value as text, as Jaeger compares it (tagValueString). */
  text: string;
  /** termHash of value and key, independent of the service (the index mixes the service in). */
  hash: number;
}

/**
 * A span ready for the store (and, once added, the stored span itself: the store fills `processID`).
 * Its JSON is written when answered (spanJson): the fields up to `"tags":[`, the tags' JSON joined by
 * commas, `logs` (from the tags' `]` to the `"processID":"` opening quote), the process id, `end` (from the
 * closing quote on); logs and end are shared strings for most spans, repeated tags one shared part.
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
  /** The references' JSON, or null for none or just CHILD_OF the parent (written from parentSpanID). */
  references: string | null;
  tags: TagPart[];
  /** The log fields of all logs (their JSON is in `logs`), for search and the index. */
  fields: TagPart[];
  logs: string;
  end: string;
  process: Process;
  processID: string;
}

export const NO_LOGS = '],"logs":[],"processID":"';
export const NO_WARNINGS = '","warnings":null}';
const NO_FIELDS: TagPart[] = [];

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
    text += i === 0 ? tagJson(fields[i] as TagPart) : `,${tagJson(fields[i] as TagPart)}`;
  return `${text}]}`;
}

export function jsonString(text: string): string {
  return JSON.stringify(text);
}

// The pool of shared tags: most tags repeat across spans (method, status, cluster, flags, kind), so each
// repeated one is built and held once. Keyed by key, then value; a key seen with more than
// MAX_VALUES_PER_KEY values (ids, urls) stops pooling values (its key entry, with the key's JSON and hash,
// stays). Bounded in all.
const MAX_SHARED_VALUE_LENGTH = 200;
const MAX_VALUES_PER_KEY = 256;
const MAX_SHARED_KEYS = 1024;
/** Keys longer than this are not pooled: the pool outlives the spans, so it must not keep huge keys. */
const MAX_SHARED_KEY_LENGTH = 200;
/** Characters the pool may hold in all (keys, JSON and text); past it, tags are built per span. */
const MAX_SHARED_CHARS = 8 * 1024 * 1024;
let sharedChars = 0;

interface PooledTag extends TagPart {
  /** Held by the pool (so repeated, and held once). */
  shared: boolean;
}

/** A tag's JSON, byte for byte JSON.stringify({key, type, value}). */
export function tagJson(part: TagPart): string {
  if (part.json !== '') return part.json;
  const value = part.type === 'string' ? jsonString(part.text) : part.text;
  return `${part.prefix}${part.type}","value":${value}}`;
}

/** Whether `part` is one the pool holds (a tag that repeats across spans). */
export function isShared(part: TagPart): boolean {
  return (part as PooledTag).shared === true;
}
interface KeyEntry {
  key: string;
  /** `{"key":<key JSON>,"type":"` */
  prefix: string;
  hash: number;
  /** Pooled values, or null once the key has too many. */
  values: Map<KeyValue['value'], PooledTag> | null;
}
const sharedKeys = new Map<string, KeyEntry>();

function keyEntry(key: string): KeyEntry {
  return {
    key,
    prefix: flat(`{"key":${jsonString(key)},"type":"`),
    hash: termHash(key, TAG_SEED),
    values: null,
  };
}

/** The stored form of a tag (pooled when it repeats). `value` must be valid for `type` (as in KeyValue). */
export function tagPart(key: string, type: KeyValue['type'], value: KeyValue['value']): TagPart {
  let entry = sharedKeys.get(key);
  if (entry === undefined) {
    if (
      key.length > MAX_SHARED_KEY_LENGTH ||
      sharedKeys.size >= MAX_SHARED_KEYS ||
      sharedChars >= MAX_SHARED_CHARS
    ) {
      return buildTag(keyEntry(key), type, value);
    }
    entry = keyEntry(key);
    entry.values = new Map();
    sharedKeys.set(key, entry);
    sharedChars += key.length + entry.prefix.length;
  }
  const values = entry.values;
  if (
    values === null ||
    (typeof value === 'string' && value.length > MAX_SHARED_VALUE_LENGTH) ||
    Object.is(value, -0) // a Map does not tell -0 from 0, and their texts differ
  ) {
    return buildTag(entry, type, value);
  }
  const known = values.get(value);
  if (known !== undefined && known.type === type) return known;
  const part = buildTag(entry, type, value);
  if (known === undefined && sharedChars < MAX_SHARED_CHARS) {
    if (values.size >= MAX_VALUES_PER_KEY) {
      for (const v of values.values()) sharedChars -= v.json.length + v.text.length;
      entry.values = null;
    } else {
      // Held for many spans: its JSON is written once, now.
      part.json = tagJson(part);
      part.shared = true;
      values.set(value, part);
      sharedChars += part.json.length + part.text.length;
    }
  }
  return part;
}

function buildTag(entry: KeyEntry, type: KeyValue['type'], value: KeyValue['value']): PooledTag {
  const text =
    type === 'string' ? (value as string) : tagValueString({ key: entry.key, type, value } as KeyValue);
  // A tag whose value's JSON follows from its text (string, bool, int64 as a number) is written on
  // demand: a one-off tag (ids, urls) then holds no JSON of its own. Others: JSON.stringify({key, type,
  // value}), from the key's cached part (flat: V8's JSON.stringify can answer a concatenation).
  const onDemand = type === 'string' || type === 'bool' || (type === 'int64' && typeof value === 'number');
  return {
    json: onDemand ? '' : flat(`${entry.prefix}${type}","value":${JSON.stringify(value)}}`),
    prefix: entry.prefix,
    type,
    key: entry.key,
    text,
    hash: termHash(text, entry.hash),
    shared: false,
  };
}

// Operation names repeat across spans: each is held once (bounded; past the bound, the table starts over).
const MAX_INTERNED_NAMES = 4096;
const MAX_INTERNED_NAME_LENGTH = 200;
const names = new Map<string, string>();

const nameJsons = new Map<string, string>();

/** JSON of an operation name, kept for the names held once (bounded as they are). */
function nameJson(name: string): string {
  let json = nameJsons.get(name);
  if (json === undefined) {
    json = jsonString(name);
    if (name.length <= MAX_INTERNED_NAME_LENGTH) {
      if (nameJsons.size >= MAX_INTERNED_NAMES) nameJsons.clear();
      nameJsons.set(name, json);
    }
  }
  return json;
}

/** `name`, as the one string already held for it when there is one. */
export function internName(name: string): string {
  if (name.length > MAX_INTERNED_NAME_LENGTH) return name;
  const known = names.get(name);
  if (known !== undefined) return known;
  if (names.size >= MAX_INTERNED_NAMES) names.clear();
  names.set(name, name);
  return name;
}

/** Written by `flat`, so that the optimizing compiler cannot drop the read that flattens. */
let _flatSink = 0;

/**
 * `text` as one flat string: V8 keeps a concatenation as a tree of its parts (an object each) until it is
 * read. Reading a character flattens it; `text | 0` (flatstr's trick) does not once the code is optimized
 * (measured: a stored concatenation of 8 parts kept 256 bytes with it, 142 flattened).
 */
export function flat(text: string): string {
  _flatSink ^= text.charCodeAt(0);
  return text;
}

/** Collects a span's tags and log fields. */
export class TagCollector {
  tags: TagPart[] = [];
  fields: TagPart[] = NO_FIELDS;
  kind = '';

  tag(part: TagPart): void {
    this.tags.push(part);
  }

  /** A log field: searched and indexed; its JSON goes into its log's text. */
  field(part: TagPart): void {
    if (this.fields === NO_FIELDS) this.fields = [];
    this.fields.push(part);
  }

  finish(
    span: Pick<
      IngestSpan,
      'traceID' | 'spanID' | 'operationName' | 'startTime' | 'duration' | 'parentSpanID' | 'process'
    >,
    references: string | null,
    logs: string,
    end: string,
  ): IngestSpan {
    return {
      traceID: span.traceID,
      spanID: span.spanID,
      operationName: span.operationName,
      kind: this.kind,
      startTime: span.startTime,
      duration: span.duration,
      parentSpanID: span.parentSpanID,
      references,
      tags: this.tags,
      fields: this.fields,
      logs,
      end,
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
  const parentSpanID = span.references.find((r) => r.refType === 'CHILD_OF')?.spanID ?? '';
  const references = JSON.stringify(span.references);
  return tags.finish(
    {
      traceID: span.traceID,
      spanID: span.spanID,
      operationName: span.operationName,
      startTime: span.startTime,
      duration: span.duration,
      parentSpanID,
      process,
    },
    references === childOfJson(span.traceID, parentSpanID) ? null : references,
    logsPart(logs),
    warningsEnd(span.warnings),
  );
}

/** The span's JSON text, byte for byte JSON.stringify of its model object (key order as the translator's). */
export function spanJson(span: IngestSpan): string {
  const out: string[] = [];
  writeSpanJson(span, out);
  return out.join('');
}

/**
 * Appends the span's JSON to `out` in pieces: joined once per answer, they make one flat string (a chain of
 * concatenations would be a tree of thousands of small strings to walk when the answer is written).
 */
export function writeSpanJson(span: IngestSpan, out: string[]): void {
  const { traceID } = span;
  // Ids are hex (no escaping); times are integers (their JSON is their text).
  out.push(
    '{"traceID":"',
    traceID,
    '","spanID":"',
    span.spanID,
    '","operationName":',
    nameJson(span.operationName),
    ',"references":',
    span.references ?? childOfJson(traceID, span.parentSpanID),
    ',"startTime":',
    String(span.startTime),
    ',"duration":',
    String(span.duration),
    ',"tags":[',
  );
  const tags = span.tags;
  for (let i = 0; i < tags.length; i++) {
    if (i > 0) out.push(',');
    const part = tags[i] as TagPart;
    if (part.json !== '') out.push(part.json);
    else
      out.push(
        part.prefix,
        part.type,
        '","value":',
        part.type === 'string' ? jsonString(part.text) : part.text,
        '}',
      );
  }
  out.push(span.logs, span.processID, span.end);
}

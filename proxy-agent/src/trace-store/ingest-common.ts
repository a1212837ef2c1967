// What both OTLP ingest paths (JSON objects, protobuf bytes) share: the batch they answer, a resource's
// process and a scope's tags, the tags after the attributes, and a span left to the reference translator.
import {
  type OtlpResourceSpans,
  type OtlpScopeSpans,
  type OtlpSpan,
  spansFromOtlp,
} from '../../../lib/jaeger/from-otlp';
import type { Process } from '../../../lib/jaeger/model';
import { type IngestSpan, ingestSpanFromModel, type TagCollector, type TagPart, tagPart } from './span-parts';

export interface IngestBatch {
  spans: IngestSpan[];
  /** Spans that could not be converted (bad ids, bad timestamps, not an object). */
  rejectedSpans: number;
  /** Distinct reasons for the rejections, a few at most (MAX_REPORTED_ERRORS). */
  errors: Set<string>;
}

/** As lib/jaeger/from-otlp.ts reports them. */
export const MAX_REPORTED_ERRORS = 5;
export const SPAN_KIND_TAGS = ['', 'internal', 'server', 'client', 'producer', 'consumer'];

export function newBatch(): IngestBatch {
  return { spans: [], rejectedSpans: 0, errors: new Set() };
}

export function reject(batch: IngestBatch, count: number, errors: Iterable<string>): void {
  batch.rejectedSpans += count;
  for (const e of errors) if (batch.errors.size < MAX_REPORTED_ERRORS) batch.errors.add(e);
}

const PROBE_SPAN: OtlpSpan = { traceId: '1'.repeat(32), spanId: '1'.repeat(16) };

/** A resource's process, by the reference translator (once per resource); its error text if unreadable. */
export function processOf(resource: OtlpResourceSpans['resource'], maxValueLength: number): Process | string {
  const probe = spansFromOtlp(
    { resourceSpans: [{ resource, scopeSpans: [{ spans: [PROBE_SPAN] }] }] },
    { maxValueLength },
  );
  return probe.spans[0]?.process ?? probe.errors[0] ?? 'resource cannot be read';
}

/** One span through the reference translator, into the batch (or its rejection). */
export function addReferenceSpan(
  batch: IngestBatch,
  resource: OtlpResourceSpans['resource'],
  scope: OtlpScopeSpans['scope'],
  span: OtlpSpan,
  process: Process,
  maxValueLength: number,
): void {
  const one = spansFromOtlp(
    { resourceSpans: [{ resource, scopeSpans: [{ scope, spans: [span] }] }] },
    { maxValueLength },
  );
  const converted = one.spans[0];
  if (converted) batch.spans.push(ingestSpanFromModel(converted.span, process));
  else reject(batch, 1, one.errors);
}

/** The scope's tags, as the reference makes them. */
export function scopeTags(name: unknown, version: unknown): TagPart[] {
  const tags: TagPart[] = [];
  if (typeof name === 'string' && name !== '') tags.push(tagPart('otel.scope.name', 'string', name));
  if (typeof version === 'string' && version !== '') {
    tags.push(tagPart('otel.scope.version', 'string', version));
  }
  return tags;
}

// The few constant tags, built once (the pool would find them, at two lookups a span).
const KIND_PARTS: (TagPart | undefined)[] = [];
const STATUS_ERROR = [
  tagPart('otel.status_code', 'string', 'ERROR'),
  tagPart('error', 'bool', true),
] as const;
const STATUS_OK = tagPart('otel.status_code', 'string', 'OK');

/** The tags after the attributes: span kind, status, trace state (in the reference's order). */
export function trailingTags(
  tags: TagCollector,
  kind: number,
  code: number,
  message: unknown,
  traceState: unknown,
): void {
  const kindTag = SPAN_KIND_TAGS[kind];
  if (kindTag) {
    tags.kind = kindTag;
    let part = KIND_PARTS[kind];
    if (part === undefined) {
      part = tagPart('span.kind', 'string', kindTag);
      KIND_PARTS[kind] = part;
    }
    tags.tag(part);
  }
  if (code === 2) {
    tags.tag(STATUS_ERROR[0]);
    tags.tag(STATUS_ERROR[1]);
  } else if (code === 1) {
    tags.tag(STATUS_OK);
  }
  if (typeof message === 'string' && message !== '') {
    tags.tag(tagPart('otel.status_description', 'string', message));
  }
  if (typeof traceState === 'string' && traceState !== '') {
    tags.tag(tagPart('w3c.tracestate', 'string', traceState));
  }
}

/** The warning for a value cut to `maxLen` characters, as the reference words it. */
export function cutWarning(key: string, length: number, maxLen: number): string {
  return `value of "${key}" truncated from ${length} to ${maxLen} characters`;
}

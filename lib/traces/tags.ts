// Reading Jaeger's typed tags: a value by key, as text or number, and whether a span counts as failed.
import type { KeyValue, Span } from '@/lib/jaeger/model';

/** The first tag named `key`, or undefined. */
export function findTag(tags: readonly KeyValue[], key: string): KeyValue | undefined {
  // A plain loop: called a few times for each of 100,000 spans while a big trace opens.
  for (let i = 0; i < tags.length; i++) if ((tags[i] as KeyValue).key === key) return tags[i];
  return undefined;
}

/** A tag's value as text (numbers and booleans printed, null float as empty), as the detail pane shows it. */
export function tagText(tag: KeyValue): string {
  if (tag.value === null) return '';
  return String(tag.value);
}

/** The value of tag `key` as text, or undefined when the span has no such tag. */
export function tagString(tags: readonly KeyValue[], key: string): string | undefined {
  const tag = findTag(tags, key);
  return tag === undefined ? undefined : tagText(tag);
}

/** The value of tag `key` as a finite number (int64 may travel as a string), else undefined. */
export function tagNumber(tags: readonly KeyValue[], key: string): number | undefined {
  const text = tagString(tags, key);
  if (text === undefined || text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * A span failed when it carries `error=true` (bool, or the string form some tracers write) or OTLP's
 * ERROR status (`otel.status_code=ERROR`), which is what Jaeger's `error=true` search matches.
 */
export function isErrorSpan(span: Pick<Span, 'tags'>): boolean {
  const error = findTag(span.tags, 'error');
  if (error !== undefined && (error.value === true || String(error.value).toLowerCase() === 'true'))
    return true;
  return tagString(span.tags, 'otel.status_code') === 'ERROR';
}

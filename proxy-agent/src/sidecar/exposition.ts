// Writes metric families as Prometheus text (0.0.4) or OpenMetrics 1.0, line for line as prom-client's
// Registry does, but in chunks with a turn of the event loop between them: a scrape of many series never
// becomes one giant string (V8's string limit, seconds of blocked traffic) and never stops the proxying.

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
/** A chunk of the exposition is written (and the event loop let run) once it holds this many characters. */
export const EXPOSITION_CHUNK_CHARS = 64 * 1024;

export type Format = 'prometheus' | 'openmetrics';
export type FamilyType = 'counter' | 'gauge' | 'histogram' | 'unknown';

export interface Exemplar {
  labelSet: Readonly<Record<string, string>>;
  value: number;
  timestamp: number;
}

export interface Sample {
  /** Sample name when it differs from the family's (`_bucket`, `_sum`, `_count`). */
  name?: string;
  /** Rendered labels without braces (`le="5",reporter="source"`), '' for none. */
  labels: string;
  value: number;
  exemplar?: Exemplar | undefined;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: FamilyType;
  /** Read lazily, while the exposition is written. */
  samples(): Iterable<Sample>;
}

function escapeString(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function escapeLabelValue(s: string): string {
  return escapeString(s).replace(/"/g, '\\"');
}

/** `a="1",b="2"` for a label set, escaped. */
export function formatLabels(labels: Readonly<Record<string, string | number>>): string {
  let out = '';
  for (const [name, value] of Object.entries(labels)) {
    const v = typeof value === 'string' ? escapeLabelValue(value) : String(value);
    out += out === '' ? `${name}="${v}"` : `,${name}="${v}"`;
  }
  return out;
}

function valueString(value: number): string {
  if (Number.isNaN(value)) return 'Nan';
  if (!Number.isFinite(value)) return value < 0 ? '-Inf' : '+Inf';
  return `${value}`;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The exposition in chunks of about `chunkChars`. OpenMetrics names a counter family without `_total`
 * and its samples with it, and ends with `# EOF`.
 */
export async function* expose(
  families: readonly MetricFamily[],
  format: Format,
  chunkChars = EXPOSITION_CHUNK_CHARS,
): AsyncGenerator<string> {
  const openMetrics = format === 'openmetrics';
  let buf = '';
  for (let f = 0; f < families.length; f++) {
    const family = families[f] as MetricFamily;
    const counterOm = openMetrics && family.type === 'counter';
    const familyName = escapeString(counterOm ? family.name.replace(/_total$/, '') : family.name);
    if (f > 0) buf += openMetrics ? '\n' : '\n\n';
    buf += `# HELP ${familyName} ${escapeString(family.help)}\n# TYPE ${familyName} ${family.type}`;
    for (const s of family.samples()) {
      let name = s.name ?? familyName;
      if (counterOm) name = `${name}_total`;
      buf +=
        s.labels === ''
          ? `\n${name} ${valueString(s.value)}`
          : `\n${name}{${s.labels}} ${valueString(s.value)}`;
      if (openMetrics && s.exemplar) {
        const e = s.exemplar;
        buf += ` # {${formatLabels(e.labelSet)}} ${valueString(e.value)} ${e.timestamp}`;
      }
      if (buf.length >= chunkChars) {
        yield buf;
        buf = '';
        await nextTurn();
      }
    }
  }
  buf += openMetrics ? '\n# EOF\n' : '\n';
  yield buf;
}

/**
 * An exposition's chunks followed by more families, written as if they had been one list: the text ends
 * once (OpenMetrics' `# EOF` after the last family) and families are separated as `expose` separates them.
 */
export async function* withFamilies(
  chunks: AsyncIterable<string>,
  families: readonly MetricFamily[],
  format: Format,
  chunkChars = EXPOSITION_CHUNK_CHARS,
): AsyncGenerator<string> {
  if (families.length === 0) {
    yield* chunks;
    return;
  }
  let last: string | undefined;
  let before = false;
  for await (const chunk of chunks) {
    if (last !== undefined && last !== '') {
      yield last;
      before = true;
    }
    last = chunk;
  }
  const end = format === 'openmetrics' ? '\n# EOF\n' : '\n';
  let head = last ?? '';
  if (head.endsWith(end)) head = head.slice(0, -end.length);
  // The text so far ends with its last sample and no newline, whichever chunk the end was in (`expose` may
  // yield it alone): the separator is written whenever any family came before.
  if (head !== '' || before) yield `${head}${format === 'openmetrics' ? '\n' : '\n\n'}`;
  yield* expose(families, format, chunkChars);
}

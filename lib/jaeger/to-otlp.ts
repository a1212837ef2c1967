// Jaeger model → OTLP/JSON (TracesData), what Jaeger's /api/v3 endpoints answer under `result`: the reverse
// of from-otlp.ts — span.kind, otel.status_*, error, otel.scope.* and w3c.tracestate tags become fields
// again, the first CHILD_OF reference the parent, other references links, logs events, processes resources.
import type { KeyValue, Process, Span, Trace } from './model';
import { fullTraceId } from './trace-id';

export interface OtlpJsonAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string;
  doubleValue?: number;
  bytesValue?: string;
}
export interface OtlpJsonKeyValue {
  key: string;
  value: OtlpJsonAnyValue;
}
export interface OtlpJsonSpan {
  traceId: string;
  spanId: string;
  traceState?: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes?: OtlpJsonKeyValue[];
  events?: { timeUnixNano: string; name?: string; attributes?: OtlpJsonKeyValue[] }[];
  links?: { traceId: string; spanId: string }[];
  status: { code?: number; message?: string };
}
export interface OtlpJsonTracesData {
  resourceSpans: {
    resource: { attributes: OtlpJsonKeyValue[] };
    scopeSpans: { scope: { name?: string; version?: string }; spans: OtlpJsonSpan[] }[];
  }[];
}

const KIND_NUMBERS: Record<string, number> = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };
const FIELD_TAGS = new Set([
  'span.kind',
  'otel.status_code',
  'otel.status_description',
  'otel.scope.name',
  'otel.scope.version',
  'w3c.tracestate',
]);

/** Traces as one OTLP TracesData: one ResourceSpans per process and trace, one ScopeSpans per scope. */
export function tracesToOtlp(traces: Trace[]): OtlpJsonTracesData {
  const resourceSpans: OtlpJsonTracesData['resourceSpans'] = [];
  for (const trace of traces) {
    const byProcess = new Map<
      string,
      Map<string, { scope: { name?: string; version?: string }; spans: OtlpJsonSpan[] }>
    >();
    for (const span of trace.spans) {
      const scopeName = stringTag(span.tags, 'otel.scope.name');
      const scopeVersion = stringTag(span.tags, 'otel.scope.version');
      let scopes = byProcess.get(span.processID);
      if (!scopes) {
        scopes = new Map();
        byProcess.set(span.processID, scopes);
      }
      const scopeKey = `${scopeName ?? ''}\u0000${scopeVersion ?? ''}`;
      let scope = scopes.get(scopeKey);
      if (!scope) {
        scope = {
          scope: { ...(scopeName && { name: scopeName }), ...(scopeVersion && { version: scopeVersion }) },
          spans: [],
        };
        scopes.set(scopeKey, scope);
      }
      scope.spans.push(spanToOtlp(span));
    }
    for (const [processID, scopes] of byProcess) {
      const process = trace.processes[processID] ?? { serviceName: '', tags: [] };
      resourceSpans.push({
        resource: { attributes: resourceAttributes(process) },
        scopeSpans: [...scopes.values()],
      });
    }
  }
  return { resourceSpans };
}

function resourceAttributes(process: Process): OtlpJsonKeyValue[] {
  return [
    ...process.tags.map(toAttribute),
    { key: 'service.name', value: { stringValue: process.serviceName } },
  ];
}

function spanToOtlp(span: Span): OtlpJsonSpan {
  const statusCode = stringTag(span.tags, 'otel.status_code');
  const isError = statusCode === 'ERROR';
  const attributes = span.tags
    .filter((t) => !FIELD_TAGS.has(t.key) && !(isError && t.key === 'error' && t.type === 'bool'))
    .map(toAttribute);
  const [parent, ...others] = splitParent(span);
  const startNs = BigInt(span.startTime) * 1000n;
  const kind = KIND_NUMBERS[stringTag(span.tags, 'span.kind') ?? ''];
  const message = stringTag(span.tags, 'otel.status_description');
  const traceState = stringTag(span.tags, 'w3c.tracestate');
  const out: OtlpJsonSpan = {
    traceId: fullTraceId(span.traceID),
    spanId: span.spanID,
    ...(traceState && { traceState }),
    ...(parent && { parentSpanId: parent.spanID }),
    name: span.operationName,
    ...(kind && { kind }),
    startTimeUnixNano: startNs.toString(),
    endTimeUnixNano: (startNs + BigInt(span.duration) * 1000n).toString(),
    status: {
      ...(statusCode === 'ERROR' ? { code: 2 } : statusCode === 'OK' ? { code: 1 } : {}),
      ...(message && { message }),
    },
  };
  if (attributes.length > 0) out.attributes = attributes;
  if (span.logs.length > 0) {
    out.events = span.logs.map((log) => {
      const name = log.fields.find((f) => f.key === 'event' && f.type === 'string');
      const attrs = log.fields.filter((f) => f !== name).map(toAttribute);
      return {
        timeUnixNano: (BigInt(log.timestamp) * 1000n).toString(),
        ...(name && { name: String(name.value) }),
        ...(attrs.length > 0 && { attributes: attrs }),
      };
    });
  }
  if (others.length > 0)
    out.links = others.map((r) => ({ traceId: fullTraceId(r.traceID), spanId: r.spanID }));
  return out;
}

/** The parent (first CHILD_OF reference in the same trace) first, then every other reference. */
function splitParent(span: Span): [Span['references'][number] | undefined, ...Span['references']] {
  const i = span.references.findIndex((r) => r.refType === 'CHILD_OF' && r.traceID === span.traceID);
  if (i < 0) return [undefined, ...span.references];
  const parent = span.references[i];
  return [parent, ...span.references.filter((_, j) => j !== i)];
}

function toAttribute(kv: KeyValue): OtlpJsonKeyValue {
  switch (kv.type) {
    case 'string':
      return { key: kv.key, value: { stringValue: kv.value } };
    case 'bool':
      return { key: kv.key, value: { boolValue: kv.value } };
    case 'int64':
      return { key: kv.key, value: { intValue: String(kv.value) } };
    case 'float64':
      return { key: kv.key, value: { doubleValue: kv.value ?? Number.NaN } };
    case 'binary':
      return { key: kv.key, value: { bytesValue: kv.value } };
  }
}

function stringTag(tags: KeyValue[], key: string): string | undefined {
  const tag = tags.find((t) => t.key === key);
  return tag?.type === 'string' ? tag.value : undefined;
}

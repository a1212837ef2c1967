// Small hand-made traces for the unit tests: spans by id with start, duration, parent and tags.
import type { KeyValue, Span, Trace } from '@/lib/jaeger/model';

export interface SpanSpec {
  id: string;
  start: number;
  duration: number;
  parent?: string;
  refType?: 'CHILD_OF' | 'FOLLOWS_FROM';
  service?: string;
  operation?: string;
  tags?: Record<string, string | number | boolean>;
  logs?: Span['logs'];
}

function kv(key: string, value: string | number | boolean): KeyValue {
  if (typeof value === 'boolean') return { key, type: 'bool', value };
  if (typeof value === 'number') return { key, type: 'int64', value };
  return { key, type: 'string', value };
}

export function makeTrace(specs: readonly SpanSpec[], traceID = 'abc123'): Trace {
  const services = [...new Set(specs.map((s) => s.service ?? 'svc'))];
  const pid = (service: string) => `p${services.indexOf(service) + 1}`;
  return {
    traceID,
    spans: specs.map((s) => ({
      traceID,
      spanID: s.id,
      operationName: s.operation ?? `op-${s.id}`,
      references: s.parent ? [{ refType: s.refType ?? 'CHILD_OF', traceID, spanID: s.parent }] : [],
      startTime: s.start,
      duration: s.duration,
      tags: Object.entries(s.tags ?? {}).map(([k, v]) => kv(k, v)),
      logs: s.logs ?? [],
      processID: pid(s.service ?? 'svc'),
      warnings: null,
    })),
    processes: Object.fromEntries(services.map((name) => [pid(name), { serviceName: name, tags: [] }])),
    warnings: null,
  };
}

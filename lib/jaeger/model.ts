// Jaeger's query-API JSON model (the "UI model" of /api/traces, /api/services, ...), defined once with zod.
// The embedded trace store writes these shapes and the dashboard reads them, from it or from a real Jaeger.
import { z } from 'zod';

/** A typed tag or log field. int64 beyond JavaScript's safe range travels as a decimal string, binary as base64. */
export const KeyValueSchema = z.discriminatedUnion('type', [
  z.object({ key: z.string(), type: z.literal('string'), value: z.string() }),
  z.object({ key: z.string(), type: z.literal('bool'), value: z.boolean() }),
  z.object({ key: z.string(), type: z.literal('int64'), value: z.union([z.number(), z.string()]) }),
  z.object({ key: z.string(), type: z.literal('float64'), value: z.number().nullable() }),
  z.object({ key: z.string(), type: z.literal('binary'), value: z.string() }),
]);
export type KeyValue = z.infer<typeof KeyValueSchema>;

export const ReferenceSchema = z.object({
  refType: z.enum(['CHILD_OF', 'FOLLOWS_FROM']),
  traceID: z.string(),
  spanID: z.string(),
});
export type Reference = z.infer<typeof ReferenceSchema>;

export const LogSchema = z.object({
  timestamp: z.number(),
  fields: z.array(KeyValueSchema),
});
export type Log = z.infer<typeof LogSchema>;

export const ProcessSchema = z.object({
  serviceName: z.string(),
  tags: z.array(KeyValueSchema),
});
export type Process = z.infer<typeof ProcessSchema>;

export const SpanSchema = z.object({
  traceID: z.string(),
  spanID: z.string(),
  /** Deprecated in Jaeger; present only in old payloads. */
  parentSpanID: z.string().optional(),
  flags: z.number().optional(),
  operationName: z.string(),
  references: z.array(ReferenceSchema),
  /** Microseconds since the Unix epoch. */
  startTime: z.number(),
  /** Microseconds. */
  duration: z.number(),
  tags: z.array(KeyValueSchema),
  logs: z.array(LogSchema),
  processID: z.string(),
  warnings: z.array(z.string()).nullable(),
});
export type Span = z.infer<typeof SpanSchema>;

export const TraceSchema = z.object({
  traceID: z.string(),
  spans: z.array(SpanSchema),
  processes: z.record(z.string(), ProcessSchema),
  warnings: z.array(z.string()).nullable(),
});
export type Trace = z.infer<typeof TraceSchema>;

export const OperationSchema = z.object({ name: z.string(), spanKind: z.string() });
export type Operation = z.infer<typeof OperationSchema>;

export const DependencyLinkSchema = z.object({
  parent: z.string(),
  child: z.string(),
  callCount: z.number(),
});
export type DependencyLink = z.infer<typeof DependencyLinkSchema>;

export const StructuredErrorSchema = z.object({
  code: z.number().optional(),
  msg: z.string(),
  traceID: z.string().optional(),
});
export type StructuredError = z.infer<typeof StructuredErrorSchema>;

/** Every v1 answer: `{data, total, limit, offset, errors}`. */
export function envelopeSchema<T extends z.ZodType>(data: T) {
  return z.object({
    data: data,
    total: z.number(),
    limit: z.number(),
    offset: z.number(),
    errors: z.array(StructuredErrorSchema).nullable(),
  });
}
export interface Envelope<T> {
  data: T;
  total: number;
  limit: number;
  offset: number;
  errors: StructuredError[] | null;
}

export const TracesResponseSchema = envelopeSchema(z.array(TraceSchema));
export const ServicesResponseSchema = envelopeSchema(z.array(z.string()));
export const OperationNamesResponseSchema = envelopeSchema(z.array(z.string()));
export const OperationsResponseSchema = envelopeSchema(z.array(OperationSchema));
export const DependenciesResponseSchema = envelopeSchema(z.array(DependencyLinkSchema));
/** An error answer: `data` is null. */
export const ErrorResponseSchema = envelopeSchema(z.null());

/** The span kinds Jaeger writes into the `span.kind` tag and `/api/operations`' `spanKind`. */
export const SPAN_KINDS = ['internal', 'server', 'client', 'producer', 'consumer'] as const;
export type SpanKind = (typeof SPAN_KINDS)[number];

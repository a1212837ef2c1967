// Interim tracer until tracing.ts lands: continues B3 contexts and hands out B3 headers, exports nothing.
import { randomBytes } from 'node:crypto';
import { parseB3 } from './b3';
import type { AttemptRecord, HopSpan, SidecarTracerApi, SpanStart } from './telemetry-types';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

export interface RecordedSpan {
  kind: 'server' | 'client';
  start: SpanStart;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  attempts: AttemptRecord[];
  attributes: Record<string, string | number | boolean>;
  result?: { statusCode: number; responseFlags: string; error: boolean };
}

export function createPropagatingTracer(onEnd?: (span: RecordedSpan) => void): SidecarTracerApi {
  const start = (
    kind: 'server' | 'client',
    incoming: Record<string, string | string[] | undefined>,
    s: SpanStart,
  ): HopSpan => {
    const parent = parseB3(incoming);
    const rec: RecordedSpan = {
      kind,
      start: s,
      traceId: parent?.traceId ?? hex(16),
      spanId: hex(8),
      parentSpanId: parent?.spanId,
      attempts: [],
      attributes: {},
    };
    const sampled = parent?.sampled ?? true;
    return {
      traceId: rec.traceId,
      spanId: rec.spanId,
      sampled,
      b3Headers: () => ({
        'x-b3-traceid': rec.traceId,
        'x-b3-spanid': rec.spanId,
        ...(rec.parentSpanId ? { 'x-b3-parentspanid': rec.parentSpanId } : {}),
        'x-b3-sampled': sampled ? '1' : '0',
      }),
      setAttribute: (k, v) => {
        rec.attributes[k] = v;
      },
      addAttempt: (a) => {
        rec.attempts.push(a);
      },
      end: (result) => {
        rec.result = result;
        onEnd?.(rec);
      },
    };
  };
  return {
    startServerSpan: (incoming, s) => start('server', incoming, s),
    startClientSpan: (incoming, s) => start('client', incoming, s),
    shutdown: async () => {},
  };
}

// The shared Jaeger client's failures as the trace API's error codes.
import type { JaegerError } from '@/lib/jaeger/client';
import type { TraceApiErrorCode } from './api-types';

export function jaegerApiError(e: JaegerError): { code: TraceApiErrorCode; message: string } {
  switch (e.kind) {
    case 'unavailable':
      return { code: 'jaeger_unavailable', message: e.message };
    case 'not_found':
      return { code: 'trace_not_found', message: e.message };
    default:
      // A gateway in front of Jaeger answering 502-504 means Jaeger is down, not wrong.
      if (e.status !== undefined && e.status >= 502 && e.status <= 504) {
        return { code: 'jaeger_unavailable', message: `Jaeger answered ${e.status}: ${e.message}` };
      }
      return { code: 'jaeger_error', message: `Jaeger failed (${e.kind}): ${e.message}` };
  }
}

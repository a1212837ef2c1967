// How the trace and exemplar route handlers answer: JSON, never cached, failures as
// `{error: {code, message}}` with a status that says whose fault it is.
import type { TraceApiError, TraceApiErrorCode } from './api-types';

const STATUS: Record<TraceApiErrorCode, number> = {
  invalid_request: 400,
  trace_not_found: 404,
  jaeger_unavailable: 503,
  prometheus_unavailable: 503,
  jaeger_error: 502,
  prometheus_error: 502,
};

const NO_STORE = { 'cache-control': 'no-store' };

export function ok(body: unknown): Response {
  return Response.json(body, { headers: NO_STORE });
}

export function failure(
  error: { code: TraceApiErrorCode; message: string },
  fields?: { field: string; message: string }[],
): Response {
  const body: TraceApiError = {
    error: { code: error.code, message: error.message, ...(fields ? { fields } : {}) },
  };
  return Response.json(body, { status: STATUS[error.code], headers: NO_STORE });
}

export function invalid(message: string, fields?: { field: string; message: string }[]): Response {
  return failure({ code: 'invalid_request', message }, fields);
}

// How every route handler answers: JSON, never cached. Failures come in the two envelopes the API
// documents — reads `{error: {code, message, fields?}}`, canary outcomes `{ok: false, kind, message}` —
// each with the status its code or kind says (whose fault it is).

/** A field the request got wrong, for `invalid_request`. */
export interface FieldError {
  field: string;
  message: string;
}

/** Every error code a read answers, with the status it goes out with. */
const ERROR_STATUS = {
  bad_request: 400,
  invalid_request: 400,
  trace_not_found: 404,
  jaeger_unavailable: 503,
  prometheus_unavailable: 503,
  jaeger_error: 502,
  prometheus_error: 502,
  prometheus_query_error: 502,
  prometheus_timeout: 502,
} as const;
export type ApiErrorCode = keyof typeof ERROR_STATUS;

/** The body of every failed read. */
export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string; fields?: FieldError[] };
}

/** Every kind of failed canary outcome (a read, an Apply, a rollback), with its status. */
const OUTCOME_STATUS = {
  'bad-request': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  invalid: 422,
  error: 502,
  unavailable: 503,
} as const;
export type OutcomeKind = keyof typeof OUTCOME_STATUS;

export type Outcome = { ok: true } | { ok: false; kind: OutcomeKind; message: string };

export function statusOfOutcome(outcome: Outcome): number {
  return outcome.ok ? 200 : OUTCOME_STATUS[outcome.kind];
}

/** A JSON answer; `timings` (ms by phase) go out as `Server-Timing`, which browsers' devtools show. */
export function answerJson(
  body: unknown,
  options: { status?: number; timings?: Record<string, number> } = {},
): Response {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': 'no-store' };
  const started = performance.now();
  const text = JSON.stringify(body);
  if (options.timings) {
    const all = { ...options.timings, serialize: performance.now() - started };
    headers['server-timing'] = Object.entries(all)
      .map(([name, ms]) => `${name};dur=${ms.toFixed(1)}`)
      .join(', ');
  }
  return new Response(text, { status: options.status ?? 200, headers });
}

/** A failed read: `{error: {code, message, fields?}}`. */
export function answerError(error: { code: ApiErrorCode; message: string }, fields?: FieldError[]): Response {
  const body: ApiErrorBody = {
    error: { code: error.code, message: error.message, ...(fields ? { fields } : {}) },
  };
  return answerJson(body, { status: ERROR_STATUS[error.code] });
}

/** A canary outcome as it is, with its status. */
export function answerOutcome(outcome: Outcome): Response {
  return answerJson(outcome, { status: statusOfOutcome(outcome) });
}

/** A canary read: `{ok: true, ...value}` (`items` for a list), or the failed outcome. */
export function answerLoaded<T>(
  loaded: { ok: true; value: T } | { ok: false; kind: OutcomeKind; message: string },
): Response {
  if (!loaded.ok) return answerOutcome(loaded);
  const value = loaded.value;
  return answerJson(Array.isArray(value) ? { ok: true, items: value } : { ok: true, ...(value as object) });
}

/** A canary request refused before any work: `{ok: false, kind: 'bad-request', message}`, 400. */
export function answerBadRequest(message: string): Response {
  return answerOutcome({ ok: false, kind: 'bad-request', message });
}

/** Bad input to a read: `invalid_request` with a message, or with the invalid fields (and a message naming them). */
export function answerInvalid(what: string | FieldError[]): Response {
  if (typeof what === 'string') return answerError({ code: 'invalid_request', message: what });
  return answerError(
    { code: 'invalid_request', message: what.map((e) => `${e.field}: ${e.message}`).join('; ') },
    what,
  );
}

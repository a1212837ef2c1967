// A Jaeger call's outcome as a value: the answer, or an error kind the UI says in words.
export type JaegerErrorKind =
  | 'unavailable' // no answer (connection refused, timeout)
  | 'not_found' // unknown trace
  | 'bad_request' // Jaeger refused the parameters (400)
  | 'unsupported' // neither v1 nor v3 offers this call
  | 'server_error' // any other non-2xx
  | 'bad_answer'; // 2xx, but not the JSON Jaeger writes
export interface JaegerError {
  kind: JaegerErrorKind;
  message: string;
  status?: number;
}
export type JaegerResult<T> = { ok: true; value: T } | { ok: false; error: JaegerError };

// One trace from Jaeger's 2xx answer to `/api/traces/{id}` (v1) or `/api/v3/traces/{id}`, read leniently:
// the same reading on the server (`JaegerClient.getTrace`) and in the browser (a big trace's bytes passed
// through by the dashboard, parsed once, in the tab). No zod here: the browser's bundle stays small.

import type { Trace } from './model';
import { readTraces } from './read-traces';
import type { JaegerError, JaegerResult } from './result';

/**
 * A 2xx trace answer's bytes and which API wrote it (v1: `{data: [trace]}`; v3: OTLP under `result`). Bytes,
 * not text: the server passes 46 MiB on without decoding and encoding them again.
 */
export interface TraceAnswer {
  api: 'v1' | 'v3';
  bytes: Uint8Array<ArrayBuffer>;
}

export function badAnswer(status: number, why: string): { ok: false; error: JaegerError } {
  return {
    ok: false,
    error: { kind: 'bad_answer', message: `unexpected answer from Jaeger: ${why}`, status },
  };
}

/** The trace in an answer already parsed from JSON (`Response.json()` in the browser: no copy as text kept). */
export function readTraceAnswerBody(
  api: TraceAnswer['api'],
  body: unknown,
  status = 200,
): JaegerResult<Trace> {
  if (api === 'v3' && (typeof body !== 'object' || body === null)) return badAnswer(status, 'not JSON');
  const read = readTraces(body);
  if (!read.ok) return badAnswer(status, api === 'v1' ? read.message : 'unexpected v3 answer');
  const [trace] = read.traces;
  return trace
    ? { ok: true, value: trace }
    : { ok: false, error: { kind: 'not_found', message: 'trace not found' } };
}

/** The trace in an answer's bytes (UTF-8 JSON). */
export function readTraceAnswer(answer: TraceAnswer, status = 200): JaegerResult<Trace> {
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(answer.bytes));
  } catch {
    return badAnswer(status, 'not JSON');
  }
  return readTraceAnswerBody(answer.api, body, status);
}

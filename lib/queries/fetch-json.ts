// The one way the browser calls the dashboard's route handlers: JSON answers, and every failure an
// `ApiFailure` carrying the answer's code and message in words (either envelope the API answers).
import type { ApiErrorBody, FieldError, OutcomeKind } from '@/lib/http/answer';

/** The code of a request that got no answer at all (the dashboard server down, the network gone). */
export const UNREACHABLE = 'dashboard_unreachable';

export class ApiFailure extends Error {
  constructor(
    /** The answer's error code (`jaeger_unavailable`…) or canary kind (`not-found`…); `UNREACHABLE`. */
    readonly code: string,
    message: string,
    /** HTTP status; 0 without an answer. */
    readonly status: number,
    readonly fields?: FieldError[],
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

type OutcomeFailure = { ok: false; kind: OutcomeKind; message: string };

function isErrorBody(body: unknown): body is ApiErrorBody {
  const error = (body as Partial<ApiErrorBody> | null | undefined)?.error;
  return typeof error === 'object' && error !== null && typeof error.code === 'string';
}

function isOutcomeFailure(body: unknown): body is OutcomeFailure {
  const b = body as Partial<OutcomeFailure> | null | undefined;
  return b?.ok === false && typeof b.kind === 'string';
}

export interface Answer {
  status: number;
  ok: boolean;
  /** The parsed JSON; undefined when the answer was not JSON. */
  body: unknown;
}

export interface SendInit {
  signal?: AbortSignal;
  method?: 'GET' | 'PUT' | 'POST' | 'DELETE';
  json?: unknown;
  /**
   * A GET with no headers at all: the only request a page's `<link rel=preload as=fetch>` of the same URL
   * serves (the graph page's first graph, `lib/graph-page/lean-graph.ts`).
   */
  plain?: boolean;
}

/** Sends a request to one of our own route handlers; throws `ApiFailure(UNREACHABLE)` only without an answer. */
export async function send(path: string, init: SendInit = {}): Promise<Answer> {
  let res: Response;
  try {
    res = await fetch(
      path,
      init.plain
        ? { signal: init.signal }
        : {
            method: init.method ?? 'GET',
            signal: init.signal,
            headers: {
              accept: 'application/json',
              ...(init.json === undefined ? {} : { 'content-type': 'application/json' }),
            },
            ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
          },
    );
  } catch (err) {
    if (init.signal?.aborted) throw err;
    throw new ApiFailure(UNREACHABLE, 'The dashboard server cannot be reached.', 0);
  }
  const body: unknown = await res.json().catch(() => undefined);
  return { status: res.status, ok: res.ok, body };
}

/** A GET answered with JSON; any failure thrown as an `ApiFailure` in words. `plain`: see `SendInit`. */
export async function fetchJson<T>(
  path: string,
  signal?: AbortSignal,
  opts: { plain?: boolean } = {},
): Promise<T> {
  const { status, ok, body } = await send(path, { signal, plain: opts.plain });
  if (isErrorBody(body)) throw new ApiFailure(body.error.code, body.error.message, status, body.error.fields);
  if (isOutcomeFailure(body)) throw new ApiFailure(body.kind, body.message, status);
  if (!ok || body === undefined)
    throw new ApiFailure('http_error', `The dashboard answered ${status}.`, status);
  return body as T;
}

/**
 * Only a request that got no answer is retried (once): the handlers' answers are final or say a backend
 * is down, which the page should show at once rather than after a retry.
 */
export function retryUnlessFinal(count: number, error: Error): boolean {
  return error instanceof ApiFailure && error.code === UNREACHABLE && count < 1;
}

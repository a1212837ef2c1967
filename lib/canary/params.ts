// Validation of what route handlers receive: path segments and JSON bodies, as values.
import type { z } from 'zod';
import { DEFAULT_OBSERVED_WINDOW, isObservedWindow, type ObservedWindow } from './observed';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

export function parseServiceParams(params: { namespace: string; name: string }): Parsed<{
  namespace: string;
  name: string;
}> {
  for (const [what, value] of Object.entries(params)) {
    if (!DNS1123_LABEL.test(value))
      return { ok: false, message: `${what} ${JSON.stringify(value)} is not a DNS-1123 label` };
  }
  return { ok: true, value: { namespace: params.namespace, name: params.name } };
}

export function parseWindow(value: string | null): Parsed<ObservedWindow> {
  if (value === null || value === '') return { ok: true, value: DEFAULT_OBSERVED_WINDOW };
  return isObservedWindow(value)
    ? { ok: true, value }
    : { ok: false, message: `window must be one of 15s, 30s, 1m, 5m` };
}

/** A request body parsed as JSON and checked against a schema. */
export async function parseBody<S extends z.ZodType>(
  request: Request,
  schema: S,
): Promise<Parsed<z.infer<S>>> {
  let json: unknown;
  try {
    json = await request.json();
  } catch {
    return { ok: false, message: 'the request body is not JSON' };
  }
  const r = schema.safeParse(json);
  if (r.success) return { ok: true, value: r.data };
  return {
    ok: false,
    message: r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
  };
}

/** The second argument of the handlers under `/api/{services,canary}/[namespace]/[name]`. */
export interface ServiceRoute {
  params: Promise<{ namespace: string; name: string }>;
}

/** The sign-in handler (app/api/auth, owned elsewhere) still imports this name; it is the shared answer. */
export { answerBadRequest as badRequest } from '../http/answer';

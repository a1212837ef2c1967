// Route handler answers for loaded values: `{ok: true, ...value}` (`items` for a list) or
// `{ok: false, kind, message}` with the matching HTTP status (control plane down → 503, never an
// HTML error page).
import { httpStatusOf } from './apply-plan';
import type { Loaded } from './load';

/** The second argument of the handlers under `/api/{services,canary}/[namespace]/[name]`. */
export interface ServiceRoute {
  params: Promise<{ namespace: string; name: string }>;
}

export function answer<T>(loaded: Loaded<T>): Response {
  if (!loaded.ok) return Response.json(loaded, { status: httpStatusOf(loaded) });
  const value = loaded.value;
  return Response.json(
    Array.isArray(value) ? { ok: true, items: value } : { ok: true, ...(value as object) },
  );
}

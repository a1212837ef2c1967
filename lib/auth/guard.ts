// The check every mutating route handler runs first: same-origin request, and in token mode a
// signed-in user. Answers the user to act for, or the JSON error response to send.
import 'server-only';
import { currentUser } from './config';
import { checkOrigin } from './origin';
import { allowedOrigins } from './settings';

export type Guard = { ok: true; user: string } | { ok: false; response: Response };

const refuse = (status: number, kind: string, message: string): Guard => ({
  ok: false,
  response: Response.json({ ok: false, kind, message }, { status }),
});

/** Same-origin check alone (the sign-in form, which has no session yet). */
export function guardOrigin(request: Request): Guard | undefined {
  const check = checkOrigin({
    origin: request.headers.get('origin'),
    secFetchSite: request.headers.get('sec-fetch-site'),
    host: request.headers.get('host'),
    allowedOrigins: allowedOrigins(),
  });
  return check.ok ? undefined : refuse(403, 'forbidden', check.message);
}

export async function guardWrite(request: Request): Promise<Guard> {
  const origin = guardOrigin(request);
  if (origin) return origin;
  const { user } = await currentUser();
  if (user === null)
    return refuse(401, 'unauthorized', 'Sign in with a token to change the mesh configuration.');
  return { ok: true, user };
}

// POST /api/auth/session `{token}` signs in (MESHLENS_AUTH=token) and sets the httpOnly session
// cookie; DELETE signs out. Same-origin only, so another site cannot sign a browser in or out.
// Failed tokens back off per client (429 with Retry-After).
import { cookies } from 'next/headers';
import { z } from 'zod';
import { authMode, sessionSecret, signInTokens } from '@/lib/auth/config';
import { clientKey, HTTPS_HEADER } from '@/lib/auth/forwarded';
import { guardOrigin } from '@/lib/auth/guard';
import { encodeSession, SESSION_COOKIE, SESSION_TTL_S } from '@/lib/auth/session';
import { signInLimiter } from '@/lib/auth/sign-in-limiter';
import { userForToken } from '@/lib/auth/token-file';
import { badRequest, parseBody } from '@/lib/canary/params';

const SignInSchema = z.strictObject({ token: z.string().min(1).max(4096) });

const cookieOptions = (request: Request) => ({
  httpOnly: true,
  sameSite: 'strict' as const,
  path: '/',
  // The proxy (proxy.ts) decides whether the request was HTTPS: the socket, or a trusted
  // X-Forwarded-Proto from a TLS-terminating proxy in front.
  secure: request.headers.get(HTTPS_HEADER) === '1',
});

export async function POST(request: Request) {
  const refused = guardOrigin(request);
  if (refused && !refused.ok) return refused.response;
  if (authMode() !== 'token')
    return badRequest(
      'Sign-in is off: the dashboard runs anonymous (set MESHLENS_AUTH=token to require it).',
    );
  const body = await parseBody(request, SignInSchema);
  if (!body.ok) return badRequest(body.message);
  // From here to recording the outcome nothing awaits, so parallel guesses cannot all pass admit.
  // X-Forwarded-For is the socket's address unless a trusted proxy set it (proxy.ts).
  const client = clientKey(request.headers.get('x-forwarded-for'));
  const limiter = signInLimiter();
  const now = Date.now();
  const admission = limiter.admit(client, now);
  if (!admission.ok)
    return Response.json(
      {
        ok: false,
        kind: 'too-many-requests',
        message: `Too many failed sign-ins; try again in ${admission.retryAfterS} s.`,
      },
      { status: 429, headers: { 'retry-after': String(admission.retryAfterS) } },
    );
  const user = userForToken(body.value.token, signInTokens());
  if (user === undefined) {
    limiter.failed(client, now);
    return Response.json(
      { ok: false, kind: 'unauthorized', message: 'That token is not accepted.' },
      { status: 401 },
    );
  }
  limiter.succeeded(client);
  const exp = Math.floor(now / 1000) + SESSION_TTL_S;
  (await cookies()).set(SESSION_COOKIE, encodeSession({ user, exp }, sessionSecret()), {
    ...cookieOptions(request),
    maxAge: SESSION_TTL_S,
  });
  return Response.json({ ok: true, user });
}

export async function DELETE(request: Request) {
  const refused = guardOrigin(request);
  if (refused && !refused.ok) return refused.response;
  (await cookies()).set(SESSION_COOKIE, '', { ...cookieOptions(request), maxAge: 0 });
  return Response.json({ ok: true });
}

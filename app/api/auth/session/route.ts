// POST /api/auth/session `{token}` signs in (MESHLENS_AUTH=token) and sets the httpOnly session
// cookie; DELETE signs out. Same-origin only, so another site cannot sign a browser in or out.
import { cookies } from 'next/headers';
import { z } from 'zod';
import { authMode, sessionSecret, signInTokens } from '@/lib/auth/config';
import { guardOrigin } from '@/lib/auth/guard';
import { encodeSession, SESSION_COOKIE, SESSION_TTL_S } from '@/lib/auth/session';
import { userForToken } from '@/lib/auth/token-file';
import { badRequest, parseBody } from '@/lib/canary/params';

const SignInSchema = z.strictObject({ token: z.string().min(1).max(4096) });

const cookieOptions = (request: Request) => ({
  httpOnly: true,
  sameSite: 'strict' as const,
  path: '/',
  secure: new URL(request.url).protocol === 'https:',
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
  const user = userForToken(body.value.token, signInTokens());
  if (user === undefined)
    return Response.json(
      { ok: false, kind: 'unauthorized', message: 'That token is not accepted.' },
      { status: 401 },
    );
  const exp = Math.floor(Date.now() / 1000) + SESSION_TTL_S;
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

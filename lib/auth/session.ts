// The dashboard's sign-in session, kept in an httpOnly cookie: `<payload>.<signature>`, the payload
// base64url JSON `{user, exp}`, signed with HMAC-SHA256 so the browser cannot alter it.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'meshlens_session';
export const SESSION_TTL_S = 8 * 3600;

export interface Session {
  user: string;
  /** Expiry, Unix seconds. */
  exp: number;
}

const sign = (payload: string, secret: string) =>
  createHmac('sha256', secret).update(payload).digest('base64url');

export function encodeSession(session: Session, secret: string): string {
  const payload = Buffer.from(JSON.stringify(session)).toString('base64url');
  return `${payload}.${sign(payload, secret)}`;
}

/** The session a cookie value holds, or undefined when it is forged, malformed or expired. */
export function decodeSession(value: string | undefined, secret: string, nowS: number): Session | undefined {
  if (!value) return undefined;
  const [payload, signature, extra] = value.split('.');
  if (!payload || !signature || extra !== undefined) return undefined;
  const expected = Buffer.from(sign(payload, secret));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const s = parsed as Partial<Session> | null;
  if (typeof s?.user !== 'string' || typeof s.exp !== 'number' || s.exp <= nowS) return undefined;
  return { user: s.user, exp: s.exp };
}

// How the dashboard authenticates its users: `MESHLENS_AUTH=anonymous` (the default, for a loopback
// demo) or `token` (sign in with a token). Server-side only.
import 'server-only';
import { cookies } from 'next/headers';
import { controlPlaneToken } from '../mesh-config/server';
import { decodeSession, SESSION_COOKIE } from './session';
import { type AuthMode, authMode, sessionSecret } from './settings';
import { parseTokenText, readTokenFile, type TokenEntry } from './token-file';

export { type AuthMode, authMode, sessionSecret };
export const ANONYMOUS_USER = 'anonymous';

/**
 * Tokens users sign in with: `MESHLENS_AUTH_TOKENS` (lines of `token,user`) and the file
 * `MESHLENS_AUTH_TOKEN_FILE`; when neither is set, the control plane's own token signs in as `admin`.
 */
export function signInTokens(): TokenEntry[] {
  const tokens: TokenEntry[] = [];
  const fromEnv = process.env.MESHLENS_AUTH_TOKENS;
  const file = process.env.MESHLENS_AUTH_TOKEN_FILE;
  try {
    if (fromEnv) tokens.push(...parseTokenText(fromEnv, 'MESHLENS_AUTH_TOKENS'));
    if (file) tokens.push(...readTokenFile(file));
  } catch (err) {
    // A malformed, unsafe or unreadable source signs nobody in; the reason goes to the server's log
    // and the sign-in form says the token is not accepted.
    console.error(`meshlens: sign-in tokens: ${err instanceof Error ? err.message : String(err)}`);
    return [];
  }
  if (tokens.length === 0 && !fromEnv && !file) {
    const cp = controlPlaneToken();
    if (cp) tokens.push(...parseTokenText(cp));
  }
  return tokens;
}

export interface CurrentUser {
  mode: AuthMode;
  /** The signed-in user, `anonymous` in anonymous mode, null when token mode has no session. */
  user: string | null;
}

export async function currentUser(): Promise<CurrentUser> {
  // Read per request even in anonymous mode: the mode is runtime configuration, so no page showing
  // the user may be prerendered at build time.
  const jar = await cookies();
  const mode = authMode();
  if (mode === 'anonymous') return { mode, user: ANONYMOUS_USER };
  const session = decodeSession(jar.get(SESSION_COOKIE)?.value, sessionSecret(), Date.now() / 1000);
  return { mode, user: session?.user ?? null };
}

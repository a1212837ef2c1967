// Sign-in tokens in Kubernetes' static token format (`token,user` a line, or a bare token for
// `admin`), compared in constant time over fixed-length digests.
import { createHash, timingSafeEqual } from 'node:crypto';

export interface UserToken {
  digest: Buffer;
  user: string;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export function parseUserTokens(text: string, defaultUser = 'admin'): UserToken[] {
  const out: UserToken[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [token, user] = line.split(',').map((s) => s.trim());
    if (token) out.push({ digest: digest(token), user: user || defaultUser });
  }
  return out;
}

/** The user a presented token signs in as, or undefined. Every entry is compared, always. */
export function userForToken(presented: string, tokens: readonly UserToken[]): string | undefined {
  const d = digest(presented.trim());
  let user: string | undefined;
  for (const t of tokens) if (timingSafeEqual(d, t.digest) && presented.trim() !== '') user ??= t.user;
  return user;
}

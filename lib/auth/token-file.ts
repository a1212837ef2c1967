// The one reader of Meshlens' token files (control plane, sidecars, demo apps, dashboard): one token a
// line, optionally `token,user` (Kubernetes' static token format; later fields such as uid and groups
// are ignored), `#` comments and blank lines skipped. A file readable by group or others is refused,
// as ssh refuses a private key. Presented tokens are compared in constant time over digests.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

/** The user a bare token (no `,user`) signs in as. */
export const DEFAULT_TOKEN_USER = 'admin';
/** Permission bits that make a token file unsafe: any access by group or others. */
const UNSAFE_MODE_BITS = 0o077;

export interface TokenEntry {
  /** sha256 of the token: entries never hold the token itself. */
  digest: Buffer;
  user: string;
}

export class TokenFileError extends Error {
  override name = 'TokenFileError';
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

interface ParsedLine {
  token: string;
  user: string;
}

function parseLines(text: string, where: string, defaultUser: string): ParsedLine[] {
  const out: ParsedLine[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const [token = '', user = ''] = line.split(',').map((s) => s.trim());
    if (token === '') throw new TokenFileError(`${where} line ${i + 1}: the token is empty`);
    if (/\s/.test(token)) throw new TokenFileError(`${where} line ${i + 1}: a token holds no whitespace`);
    out.push({ token, user: user.replace(/^"|"$/g, '') || defaultUser });
  }
  return out;
}

/** Entries of a token file's text (or of an environment variable in the same format). */
export function parseTokenText(
  text: string,
  where = 'tokens',
  defaultUser = DEFAULT_TOKEN_USER,
): TokenEntry[] {
  return parseLines(text, where, defaultUser).map(({ token, user }) => ({ digest: digest(token), user }));
}

function readPrivateText(file: string): string {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (err) {
    throw new TokenFileError(
      `cannot read token file ${file}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if ((mode & UNSAFE_MODE_BITS) !== 0) {
    const octal = (mode & 0o777).toString(8).padStart(3, '0');
    throw new TokenFileError(
      `token file ${file} is accessible by group or others (mode ${octal}): chmod 600 ${file}`,
    );
  }
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new TokenFileError(
      `cannot read token file ${file}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/** Every entry of a token file; throws TokenFileError if it is unreadable, unsafe, malformed or empty. */
export function readTokenFile(file: string, defaultUser = DEFAULT_TOKEN_USER): TokenEntry[] {
  const entries = parseTokenText(readPrivateText(file), `token file ${file}`, defaultUser);
  if (entries.length === 0) throw new TokenFileError(`token file ${file} holds no token`);
  return entries;
}

/** The token a client presents: the first one in the file (the server's own token file works). */
export function readClientToken(file: string): string {
  const first = parseLines(readPrivateText(file), `token file ${file}`, DEFAULT_TOKEN_USER)[0];
  if (!first) throw new TokenFileError(`token file ${file} holds no token`);
  return first.token;
}

/**
 * The user a presented token belongs to, or undefined. Every entry is compared, always, over
 * fixed-length digests: neither content nor length leaks through timing.
 */
export function userForToken(presented: string, entries: readonly TokenEntry[]): string | undefined {
  const token = presented.trim();
  const d = digest(token);
  let user: string | undefined;
  for (const e of entries) if (timingSafeEqual(d, e.digest) && token !== '') user ??= e.user;
  return user;
}

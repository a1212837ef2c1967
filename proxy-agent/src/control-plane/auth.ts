// Bearer-token authentication. The token file is Kubernetes' static token format: one
// `token,user[,uid[,"group1,group2"]]` a line, or a bare token (identity `admin`). Comparison is
// constant-time over fixed-length digests, so neither content nor length leaks through timing.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

export const ANONYMOUS = 'anonymous';
const DEFAULT_IDENTITY = 'admin';

export interface TokenEntry {
  digest: Buffer;
  identity: string;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export function parseTokens(text: string): TokenEntry[] {
  const entries: TokenEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [token, user] = line.split(',').map((s) => s.trim());
    if (!token) continue;
    entries.push({ digest: digest(token), identity: user || DEFAULT_IDENTITY });
  }
  return entries;
}

export function loadTokenFile(file: string): TokenEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read token file ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const tokens = parseTokens(text);
  if (tokens.length === 0) throw new Error(`token file ${file} holds no token`);
  return tokens;
}

/**
 * The identity an `Authorization` header proves, or undefined. Every entry is compared, always.
 * `Bearer <token>`, or the bare token: Prometheus 2.42's http_sd sends `credentials_file` without the
 * scheme unless its config says `type: Bearer`, and the demo's Prometheus must still discover sidecars.
 */
export function authenticate(header: string | undefined, tokens: readonly TokenEntry[]): string | undefined {
  const m = /^(?:Bearer\s+)?(\S+)\s*$/i.exec(header ?? '');
  const presented = digest(m?.[1] ?? '');
  let identity: string | undefined;
  for (const t of tokens) {
    if (timingSafeEqual(presented, t.digest) && m) identity ??= t.identity;
  }
  return identity;
}

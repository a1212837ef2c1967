// Bearer-token authentication of control-plane requests, over the token file format every part reads
// (lib/auth/token-file: `token[,user]` lines; a bare token is `admin`).
import { type TokenEntry, userForToken } from '../../../lib/auth/token-file';

export const ANONYMOUS = 'anonymous';

/**
 * The user an `Authorization` header proves, or undefined. Every entry is compared, always.
 * `Bearer <token>`, or the bare token: Prometheus 2.42's http_sd sends `credentials_file` without the
 * scheme unless its config says `type: Bearer`, and the demo's Prometheus must still discover sidecars.
 */
export function authenticate(header: string | undefined, tokens: readonly TokenEntry[]): string | undefined {
  const m = /^(?:Bearer\s+)?(\S+)\s*$/i.exec(header ?? '');
  return userForToken(m?.[1] ?? '', tokens);
}

// What the dashboard believes about the connection a request came on: whether it was HTTPS (for the
// session cookie's `Secure`) and which client sent it (for sign-in backoff). `X-Forwarded-*` headers
// are believed only when the operator says a proxy in front sets them; otherwise any client could
// claim to be anyone.

/** The request header through which the proxy (proxy.ts) tells route handlers the request was HTTPS. */
export const HTTPS_HEADER = 'x-meshlens-https';

export interface HttpsInput {
  /** The protocol Next.js derived for the request (`https:` on a TLS socket or when the client sent X-Forwarded-Proto: https). */
  urlProtocol: string;
  /** The `X-Forwarded-Proto` header as the client sent it. */
  forwardedProto: string | null;
  trustForwardedProto: boolean;
}

/** Whether the request reached us over HTTPS: the socket itself, or a trusted proxy saying so. */
export function isHttps(input: HttpsInput): boolean {
  // Next.js believes X-Forwarded-Proto on its own; without it, `https:` can only be the socket.
  const fromSocket = input.forwardedProto === null && input.urlProtocol === 'https:';
  if (fromSocket) return true;
  if (!input.trustForwardedProto || input.forwardedProto === null) return false;
  // With several proxies the first value is the one the client's connection had.
  return input.forwardedProto.split(',')[0]?.trim().toLowerCase() === 'https';
}

/**
 * The key sign-in backoff counts by: the client's address from `X-Forwarded-For` (its last entry,
 * which the nearest proxy — ours, or Next.js itself from the socket — appended). IPv6 clients are
 * keyed by their /64, which one client usually holds whole.
 */
export function clientKey(forwardedFor: string | null): string {
  const last = forwardedFor?.split(',').at(-1)?.trim() ?? '';
  if (last === '') return 'unknown';
  const v4Mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(last);
  if (v4Mapped?.[1]) return v4Mapped[1];
  if (!last.includes(':')) return last;
  const groups = expandIpv6(last.replace(/^\[|\]$/g, '').split('%')[0] ?? '');
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : last;
}

function expandIpv6(address: string): string[] | undefined {
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const part = (s: string | undefined) => (s ? s.split(':') : []);
  const head = part(halves[0]);
  const tail = part(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
  const groups = [...head, ...Array<string>(missing).fill('0'), ...tail];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  return groups.map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''));
}

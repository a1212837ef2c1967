// The proxy's decision for one request, before any page or route handler runs: refuse a name that
// is not this dashboard's (DNS rebinding), and when reads need a session, send a visitor without
// one to sign-in (pages) or answer 401 (APIs).
import { checkHost } from './host-check';

export type GateDecision =
  | { kind: 'pass' }
  | { kind: 'misdirected'; message: string }
  | { kind: 'sign-in'; location: string }
  | { kind: 'unauthorized'; message: string };

export interface GateInput {
  host: string | null;
  pathname: string;
  search: string;
  allowedHosts: readonly string[];
  readsNeedSession: boolean;
  signedIn: boolean;
}

/** Paths open without a session: the sign-in page and its API, and the build's static assets. */
const PUBLIC_PATHS = [
  /^\/sign-in\/?$/,
  /^\/api\/auth\/session\/?$/,
  /^\/_next\/static\//,
  /^\/icon\.svg$/,
  /^\/favicon\.ico$/,
];

export function isPublicPath(pathname: string): boolean {
  return PUBLIC_PATHS.some((p) => p.test(pathname));
}

export function gate(input: GateInput): GateDecision {
  const host = checkHost(input.host, input.allowedHosts);
  if (!host.ok) return { kind: 'misdirected', message: host.message };
  if (!input.readsNeedSession || input.signedIn || isPublicPath(input.pathname)) return { kind: 'pass' };
  if (input.pathname === '/api' || input.pathname.startsWith('/api/'))
    return {
      kind: 'unauthorized',
      message: 'Sign in with a token to read this dashboard (MESHLENS_AUTH_READS=1).',
    };
  return {
    kind: 'sign-in',
    location: `/sign-in?next=${encodeURIComponent(`${input.pathname}${input.search}`)}`,
  };
}

// Next.js Proxy (formerly middleware): runs before every page, route handler and asset. It refuses
// requests for names that are not this dashboard's (DNS rebinding), asks for a session when reads
// are guarded, sets the security headers with a per-request CSP nonce, and tells route handlers
// what it believes about the connection (HTTPS, client address).
import { type NextRequest, NextResponse } from 'next/server';
import { HTTPS_HEADER, isHttps } from './lib/auth/forwarded';
import { gate } from './lib/auth/request-gate';
import { contentSecurityPolicy, newNonce, securityHeaders } from './lib/auth/security-headers';
import { decodeSession, SESSION_COOKIE } from './lib/auth/session';
import {
  allowedHosts,
  allowedOrigins,
  readsNeedSession,
  sessionSecret,
  trustForwardedFor,
  trustForwardedProto,
} from './lib/auth/settings';

export function proxy(request: NextRequest): NextResponse {
  const reads = readsNeedSession();
  const decision = gate({
    host: request.headers.get('host'),
    pathname: request.nextUrl.pathname,
    search: request.nextUrl.search,
    // A reverse proxy's public origin (allowed to write) is a name the dashboard answers to.
    allowedHosts: [...allowedHosts(), ...allowedOrigins().flatMap(hostOfOrigin)],
    readsNeedSession: reads,
    signedIn:
      reads &&
      decodeSession(request.cookies.get(SESSION_COOKIE)?.value, sessionSecret(), Date.now() / 1000) !==
        undefined,
  });
  const https = isHttps({
    urlProtocol: request.nextUrl.protocol,
    forwardedProto: request.headers.get('x-forwarded-proto'),
    trustForwardedProto: trustForwardedProto(),
  });
  const nonce = newNonce();
  const csp = contentSecurityPolicy({ nonce, dev: process.env.NODE_ENV === 'development', https });

  let response: NextResponse;
  if (decision.kind === 'misdirected') {
    const api = request.nextUrl.pathname.startsWith('/api/');
    response = api
      ? NextResponse.json({ ok: false, kind: 'misdirected', message: decision.message }, { status: 421 })
      : new NextResponse(`${decision.message}\n`, {
          status: 421,
          headers: { 'content-type': 'text/plain; charset=utf-8' },
        });
  } else if (decision.kind === 'unauthorized') {
    response = NextResponse.json(
      { ok: false, kind: 'unauthorized', message: decision.message },
      { status: 401 },
    );
  } else if (decision.kind === 'sign-in') {
    // On the name the browser used (allowed above); Next's own URL names the bind address.
    const base = `${https ? 'https' : 'http'}://${request.headers.get('host')}`;
    response = NextResponse.redirect(new URL(decision.location, base), 307);
  } else {
    const headers = new Headers(request.headers);
    // Next.js reads the nonce from the request's CSP header and puts it on its scripts.
    headers.set('content-security-policy', csp);
    headers.set('x-nonce', nonce);
    headers.set(HTTPS_HEADER, https ? '1' : '0');
    // Untrusted forwarding headers are dropped: Next.js then fills them in from the socket, so
    // route handlers see the real client address and protocol.
    if (!trustForwardedFor()) headers.delete('x-forwarded-for');
    if (!trustForwardedProto()) headers.delete('x-forwarded-proto');
    response = NextResponse.next({ request: { headers } });
  }
  for (const [name, value] of Object.entries(securityHeaders(csp))) response.headers.set(name, value);
  return response;
}

function hostOfOrigin(origin: string): string[] {
  try {
    return [new URL(origin).host];
  } catch {
    return [];
  }
}

// Every request, static assets included: the Host check and the headers apply to all of them.
export const config = { matcher: '/:path*' };

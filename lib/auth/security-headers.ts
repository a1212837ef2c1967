// The headers every response carries: a Content-Security-Policy with a per-request nonce (Next.js
// reads it from the request's CSP header and puts it on its own scripts), framing refused, MIME
// sniffing off, and no full URL leaked in Referer.
import { createHash, randomBytes } from 'node:crypto';
import { THEME_BOOTSTRAP_SCRIPT } from '../ui/theme-script';

/** The layout's theme script runs before hydration, without the nonce: allowed by its hash. */
const THEME_SCRIPT_HASH = `'sha256-${createHash('sha256').update(THEME_BOOTSTRAP_SCRIPT).digest('base64')}'`;

export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

export interface CspInput {
  nonce: string;
  /** Next.js dev mode: React rebuilds server error stacks with eval. */
  dev: boolean;
  /** Served over HTTPS: subresources on http: URLs are upgraded too. */
  https: boolean;
}

export function contentSecurityPolicy({ nonce, dev, https }: CspInput): string {
  const directives = [
    "default-src 'self'",
    // 'strict-dynamic': scripts the nonce'd Next.js runtime loads (route chunks) run too.
    `script-src 'self' 'nonce-${nonce}' ${THEME_SCRIPT_HASH} 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    // React and cytoscape/uPlot set style attributes, which a nonce cannot cover; styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ['upgrade-insecure-requests'] : []),
  ];
  return directives.join('; ');
}

/** The headers for a response, the CSP included. */
export function securityHeaders(csp: string): Record<string, string> {
  return {
    'content-security-policy': csp,
    // For browsers that predate frame-ancestors.
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
  };
}

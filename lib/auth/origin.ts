// Cross-site write protection for mutating route handlers: a browser request must come from the
// dashboard's own origin. Fetch Metadata (`Sec-Fetch-Site`) when the browser sends it, else `Origin`
// compared with the request's host. Requests with neither come from non-browser clients (curl,
// scripts), which a forged page cannot make a browser send, so they pass.

export interface OriginInput {
  /** The `Origin` header. */
  origin: string | null;
  /** The `Sec-Fetch-Site` header. */
  secFetchSite: string | null;
  /** The `Host` header the request came in on. */
  host: string | null;
  /** Extra origins allowed to write (a reverse proxy's public origin), e.g. `https://mesh.example.com`. */
  allowedOrigins?: readonly string[];
}

export type OriginCheck = { ok: true } | { ok: false; message: string };

function originOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.origin === 'null' ? undefined : u.origin;
  } catch {
    return undefined;
  }
}

export function checkOrigin(input: OriginInput): OriginCheck {
  const allowed = new Set((input.allowedOrigins ?? []).map(originOf).filter((o) => o !== undefined));
  const refuse = (why: string): OriginCheck => ({ ok: false, message: `cross-site write refused: ${why}` });
  const origin = input.origin === null ? null : originOf(input.origin);
  const allowedOrigin = origin != null && allowed.has(origin);
  if (input.origin !== null) {
    if (origin === undefined) return refuse(`Origin ${input.origin} is not an origin`);
    const host = input.host?.toLowerCase();
    if (!allowedOrigin && (!host || new URL(origin as string).host !== host))
      return refuse(`Origin ${origin} is not this dashboard (${input.host ?? 'no Host header'})`);
  }
  const site = input.secFetchSite?.toLowerCase() ?? null;
  // `same-site` is refused too: another port or subdomain of this host is another application.
  if (site !== null && site !== 'same-origin' && site !== 'none' && !allowedOrigin)
    return refuse(`the request is ${site}`);
  return { ok: true };
}

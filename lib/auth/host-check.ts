// DNS-rebinding protection: a request is served only when its `Host` names this dashboard — a
// loopback name, or one the operator allowed. A hostile page whose name was rebound to 127.0.0.1
// sends its own name as `Host` (and as `Origin`), so comparing the two proves nothing.

/** Names the dashboard answers to on any port without configuration. */
export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

export type HostCheck = { ok: true } | { ok: false; message: string };

interface HostPort {
  hostname: string;
  port: string;
}

/** `name` or `name:port` (IPv6 in brackets), lower case; undefined when it is anything more. */
export function parseHost(value: string): HostPort | undefined {
  if (value === '' || /[\s/?#@\\]/.test(value)) return undefined;
  try {
    const url = new URL(`http://${value}`);
    // WHATWG drops the default port; keep the port the header named so `name:80` still matches.
    const port = /:(\d+)$/.exec(value)?.[1] ?? url.port;
    return { hostname: url.hostname, port: port === '' ? '' : String(Number(port)) };
  } catch {
    return undefined;
  }
}

/**
 * Whether `host` (the `Host` header) is one of the loopback names (any port) or an allowed entry:
 * `name` allows any port, `name:port` that port only.
 */
export function checkHost(host: string | null, allowed: readonly string[] = []): HostCheck {
  const hint = 'add it to MESHLENS_ALLOWED_HOSTS if this dashboard is meant to be reached by that name';
  if (!host) return { ok: false, message: 'Misdirected request: no Host header.' };
  const given = parseHost(host.trim());
  if (!given)
    return { ok: false, message: `Misdirected request: Host ${JSON.stringify(host)} is malformed.` };
  for (const entry of [...LOOPBACK_HOSTS, ...allowed]) {
    const want = parseHost(entry.trim());
    if (!want) continue;
    const bare = !/:\d+$/.test(entry.trim());
    if (want.hostname === given.hostname && (bare || want.port === given.port)) return { ok: true };
  }
  return {
    ok: false,
    message: `Misdirected request: this dashboard does not answer to the name ${given.hostname}; ${hint}.`,
  };
}

// The demo apps' misbehaviour knobs: each service's behaviour annotation on its ServiceEntry, polled from
// the control plane (so scenarios switch without restarts). One poller serves every app of a process.
import { get } from 'node:http';
import { resourcePath } from '../../../lib/mesh-config/client';
import type { ServiceEntry } from '../../../lib/mesh-config/schema';
import { BEHAVIOUR_ANNOTATION, type Behaviour, parseBehaviour } from './app-behaviour';
import { DEMO_NAMESPACE, type Role } from './topology';

/** How often the knobs are read again. */
export const KNOB_POLL_MS = 2_000;
/** How long one read may take. */
const KNOB_READ_TIMEOUT_MS = 2_000;

export interface KnobSource {
  controlPlane: string;
  token?: string;
  /** PEM roots of the control plane's HTTPS certificate. */
  ca?: string;
}

export interface Knobs {
  behaviourOf(role: Role): Behaviour;
  close(): void;
}

/** Reads the knobs of `roles` now (resolving after the first read), then every KNOB_POLL_MS. */
export async function pollKnobs(source: KnobSource, roles: readonly Role[]): Promise<Knobs> {
  const current = new Map<Role, Behaviour>();
  const getter = new URL(source.controlPlane).protocol === 'https:' ? (await import('node:https')).get : get;
  const refresh = async (role: Role) => {
    const url = new URL(resourcePath('ServiceEntry', DEMO_NAMESPACE, role), source.controlPlane);
    const se = await getJson<ServiceEntry>(getter, url, source.token, source.ca);
    // Unreachable control plane: keep the last knobs, like a sidecar keeps its last config.
    if (se) current.set(role, parseBehaviour(se.metadata.annotations?.[BEHAVIOUR_ANNOTATION]));
  };
  const unique = [...new Set(roles)];
  const refreshAll = () => Promise.all(unique.map(refresh));
  await refreshAll();
  const timer = setInterval(() => void refreshAll(), KNOB_POLL_MS);
  timer.unref();
  return {
    behaviourOf: (role) => current.get(role) ?? {},
    close: () => clearInterval(timer),
  };
}

/**
 * GET a JSON document with node:http (not fetch: its lazily loaded HTTP stack would add ~15 MB to the
 * process). Undefined on any failure.
 */
function getJson<T>(
  getter: typeof get,
  url: URL,
  token: string | undefined,
  ca: string | undefined,
): Promise<T | undefined> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    const req = getter(
      url,
      { headers, timeout: KNOB_READ_TIMEOUT_MS, ...(ca !== undefined ? { ca } : {}) },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () => {
          try {
            resolve(res.statusCode === 200 ? (JSON.parse(body) as T) : undefined);
          } catch {
            resolve(undefined);
          }
        });
        res.on('error', () => resolve(undefined));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

// The Proxy tab's reads (server only): the workload's instances from the control plane, then the chosen
// instance's sidecar admin port (its registered address only), parsed by ./parse.ts. Failures are values.
import 'server-only';
import type { OutcomeKind } from '../http/answer';
import type { WorkloadEntry } from '../mesh-config/schema';
import { controlPlaneClient } from '../mesh-config/server';
import { type AdminTarget, adminTargets } from './admin-target';
import {
  ProxyParseError,
  parseAccessLog,
  parseClusters,
  parseListeners,
  parseRoutes,
  parseSecrets,
} from './parse';
import type { ProxyAnswer, ProxyView, ProxyViewData } from './types';

/** How long one admin read may take (ms). */
export const PROXY_ADMIN_TIMEOUT_MS = positiveIntFromEnv('MESHLENS_PROXY_ADMIN_TIMEOUT_MS', 3_000);
/** Largest admin answer read (bytes); a bigger one is refused, not buffered. */
export const MAX_PROXY_ADMIN_BYTES = positiveIntFromEnv('MESHLENS_PROXY_ADMIN_MAX_BYTES', 8 * 1024 * 1024);
/** Access-log lines read per request (the sidecar keeps at most its ring). */
export const PROXY_LOG_LIMIT = 200;

function positiveIntFromEnv(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
}

export type ProxyRead = { ok: true; value: ProxyAnswer } | { ok: false; kind: OutcomeKind; message: string };

const allowRemote = () => process.env.MESHLENS_PROXY_ADMIN_REMOTE === '1';

async function readJson(
  origin: string,
  path: string,
): Promise<{ ok: true; value: unknown } | { ok: false; message: string }> {
  let res: Response;
  try {
    res = await fetch(`${origin}${path}`, {
      signal: AbortSignal.timeout(PROXY_ADMIN_TIMEOUT_MS),
      redirect: 'error',
    });
  } catch (err) {
    const timedOut = err instanceof Error && err.name === 'TimeoutError';
    return {
      ok: false,
      message: timedOut ? `no answer within ${PROXY_ADMIN_TIMEOUT_MS} ms` : 'cannot be reached',
    };
  }
  if (!res.ok) {
    await res.body?.cancel();
    return { ok: false, message: `answered ${res.status} to ${path}` };
  }
  const declared = Number(res.headers.get('content-length'));
  if (declared > MAX_PROXY_ADMIN_BYTES) {
    await res.body?.cancel();
    return { ok: false, message: `its answer to ${path} is larger than ${MAX_PROXY_ADMIN_BYTES} bytes` };
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body?.getReader();
  for (;;) {
    const part = reader ? await reader.read() : { done: true as const, value: undefined };
    if (part.done) break;
    size += part.value.byteLength;
    if (size > MAX_PROXY_ADMIN_BYTES) {
      await reader?.cancel();
      return { ok: false, message: `its answer to ${path} is larger than ${MAX_PROXY_ADMIN_BYTES} bytes` };
    }
    chunks.push(part.value);
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
  } catch {
    return { ok: false, message: `its answer to ${path} is not JSON` };
  }
}

async function readView(
  origin: string,
  view: ProxyView,
): Promise<{ ok: true; value: ProxyViewData } | { ok: false; message: string }> {
  const paths: Record<ProxyView, string[]> = {
    routes: ['/config_dump?resource=routes'],
    clusters: ['/config_dump?resource=clusters', '/clusters'],
    listeners: ['/config_dump?resource=listeners'],
    secrets: ['/certs', '/config_dump'],
    log: [`/access_log?limit=${PROXY_LOG_LIMIT}`],
  };
  const answers = await Promise.all(paths[view].map((p) => readJson(origin, p)));
  const failed = answers.find((a) => !a.ok);
  // The whole config_dump only adds the mTLS mode to the secrets: without it they still show.
  if (failed && !failed.ok && !(view === 'secrets' && answers[0]?.ok)) return failed;
  const [a, b] = answers.map((x) => (x.ok ? x.value : undefined));
  try {
    switch (view) {
      case 'routes':
        return { ok: true, value: { view, routes: parseRoutes(a) } };
      case 'clusters':
        return { ok: true, value: { view, clusters: parseClusters(a, b) } };
      case 'listeners':
        return { ok: true, value: { view, listeners: parseListeners(a) } };
      case 'secrets': {
        const mode = (b as { security?: { mtlsMode?: unknown } } | undefined)?.security?.mtlsMode;
        return {
          ok: true,
          value: {
            view,
            certificates: parseSecrets(a),
            ...(typeof mode === 'string' ? { mtlsMode: mode } : {}),
          },
        };
      }
      case 'log':
        return { ok: true, value: { view, ...parseAccessLog(a) } };
    }
  } catch (err) {
    if (err instanceof ProxyParseError) return { ok: false, message: err.message };
    throw err;
  }
}

/** The view of one instance of `workload` (the named one, else the first that can be read). */
export async function readProxy(
  namespace: string,
  workload: string,
  view: ProxyView,
  instance: string | undefined,
): Promise<ProxyRead> {
  const listed = await controlPlaneClient(undefined, PROXY_ADMIN_TIMEOUT_MS).list<WorkloadEntry>(
    'WorkloadEntry',
    namespace,
  );
  if (!listed.ok)
    return { ok: false, kind: 'unavailable', message: `The control plane cannot be read: ${listed.message}` };
  const targets = adminTargets(listed.value.items, namespace, workload, allowRemote());
  if (targets.length === 0)
    return {
      ok: false,
      kind: 'not-found',
      message: `Workload ${workload} in ${namespace} has no registered instance.`,
    };
  let target: AdminTarget | undefined;
  if (instance !== undefined) {
    target = targets.find((t) => t.name === instance);
    if (!target)
      return { ok: false, kind: 'not-found', message: `Workload ${workload} has no instance ${instance}.` };
  } else
    target =
      targets.find((t) => t.admin.ok && t.healthy !== false) ?? targets.find((t) => t.admin.ok) ?? targets[0];
  const chosen = target as AdminTarget;
  const instances = targets.map(({ name, address, healthy }) => ({ name, address, healthy }));
  const base = { namespace, workload, instances, instance: chosen.name };
  if (!chosen.admin.ok)
    return {
      ok: true,
      value: {
        ...base,
        result: { ok: false, message: `The sidecar of ${chosen.name} is not read: ${chosen.admin.reason}.` },
      },
    };
  const read = await readView(chosen.admin.origin, view);
  if (!read.ok)
    return {
      ok: true,
      value: {
        ...base,
        result: { ok: false, message: `The sidecar of ${chosen.name} (${chosen.address}) ${read.message}.` },
      },
    };
  return { ok: true, value: { ...base, result: { ok: true, data: read.value } } };
}

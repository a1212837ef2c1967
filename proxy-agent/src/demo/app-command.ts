// `meshlens-agent demo-app`: one demo workload instance (the app; its sidecar is a separate process):
// an HTTP app, ratings over gRPC, or the TCP store. It follows its service's behaviour knobs on the
// control plane, so scenarios switch without restarts.
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { parseArgs } from 'node:util';
import { readClientToken } from '../../../lib/auth/token-file';
import { resourcePath } from '../../../lib/mesh-config/client';
import type { ServiceEntry } from '../../../lib/mesh-config/schema';
import { BEHAVIOUR_ANNOTATION, type Behaviour, parseBehaviour } from './app-behaviour';
import { type AppHandle, type AppOptions, call, FORWARDED, startApp } from './apps';
import { callsOf, DEMO_NAMESPACE, type Role, SERVICES } from './topology';

const KNOB_POLL_MS = 2_000;

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      role: { type: 'string' },
      version: { type: 'string', default: 'v1' },
      instance: { type: 'string' },
      port: { type: 'string' },
      'outbound-port': { type: 'string' },
      'control-plane': { type: 'string' },
      'token-file': { type: 'string' },
      'control-plane-ca-file': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(
      'usage: meshlens-agent demo-app --role productpage|details|reviews|ratings|mongodb --version V --instance NAME\n' +
        '         --port N --outbound-port N [--control-plane URL --token-file FILE --control-plane-ca-file FILE]',
    );
    return;
  }
  const role = values.role as Role | undefined;
  if (!role || !Object.hasOwn(SERVICES, role))
    throw new Error(`--role must be one of ${Object.keys(SERVICES).join(', ')}`);
  const port = Number(values.port);
  const outboundPort = Number(values['outbound-port']);
  if (!Number.isInteger(port) || !Number.isInteger(outboundPort))
    throw new Error('--port and --outbound-port are required');

  let behaviour: Behaviour = {};
  let poll: NodeJS.Timeout | undefined;
  if (values['control-plane']) {
    const token = values['token-file'] ? readClientToken(values['token-file']) : undefined;
    const url = new URL(resourcePath('ServiceEntry', DEMO_NAMESPACE, role), values['control-plane']);
    // The control plane serves HTTPS with a certificate from its CA: verify it against the CA file.
    const caFile = values['control-plane-ca-file'] ?? (process.env.MESH_CONTROL_CA_FILE?.trim() || undefined);
    const ca = caFile !== undefined ? readFileSync(caFile, 'utf8') : undefined;
    const getter = url.protocol === 'https:' ? (await import('node:https')).get : get;
    const refresh = async () => {
      const se = await getJson<ServiceEntry>(getter, url, token, ca);
      // Unreachable control plane: keep the last knobs, like a sidecar keeps its last config.
      if (se) behaviour = parseBehaviour(se.metadata.annotations?.[BEHAVIOUR_ANNOTATION]);
    };
    await refresh();
    poll = setInterval(refresh, KNOB_POLL_MS);
  }

  const app = await startRole({
    role,
    version: values.version,
    instance: values.instance ?? `${role}-${values.version}-1`,
    port,
    outboundPort,
    behaviour: () => behaviour,
  });
  console.log(`demo-app ${role} ${values.version} listening on 127.0.0.1:${app.port}`);
  const stop = async () => {
    if (poll) clearInterval(poll);
    await app.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/** The app of a role: the store (TCP), ratings (gRPC, reading the store), or an HTTP app. */
async function startRole(options: AppOptions): Promise<AppHandle> {
  if (options.role === 'mongodb') return (await import('./store')).startStore(options.port);
  if (options.role !== 'ratings') return startApp(options);
  const [{ startRatingsServer }, { StoreClient }] = await Promise.all([
    import('./grpc-ratings'),
    import('./store'),
  ]);
  const calls = callsOf(options.role, options.version);
  const storeCall = calls.find((c) => c.protocol === 'tcp');
  if (storeCall === undefined) throw new Error('ratings has no store to read');
  const store = new StoreClient(options.outboundPort, storeCall.host, storeCall.port ?? 0);
  const http = calls.filter((c) => c.protocol === 'http');
  const server = await startRatingsServer({
    port: options.port,
    instance: options.instance,
    version: options.version,
    behaviour: options.behaviour,
    store,
    forwarded: FORWARDED,
    dependencies: async (headers) => {
      const statuses = await Promise.all(
        http.map((c) => call(options.outboundPort, c.host, c.path, headers)),
      );
      const failed = statuses.findIndex((s) => s < 200 || s >= 400);
      return failed < 0 ? undefined : `${http[failed]?.host} answered ${statuses[failed]}`;
    },
  });
  return {
    port: server.port,
    close: async () => {
      store.close();
      await server.close();
    },
  };
}

/**
 * GET a JSON document with node:http (not fetch: its lazily loaded HTTP stack would add ~15 MB to
 * each of the demo's small app processes). Undefined on any failure.
 */
function getJson<T>(
  getter: typeof get,
  url: URL,
  token: string | undefined,
  ca: string | undefined,
): Promise<T | undefined> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    const req = getter(url, { headers, timeout: 2_000, ...(ca !== undefined ? { ca } : {}) }, (res) => {
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
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

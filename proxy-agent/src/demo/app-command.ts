// `meshlens-agent demo-app`: one demo workload instance (the app; its sidecar is a separate process):
// an HTTP app, ratings over gRPC, or the TCP store. It follows its service's behaviour knobs on the
// control plane, so scenarios switch without restarts. (The demo itself runs its apps together in one
// thread, apps-thread.ts; this command runs one on its own.)
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readClientToken } from '../../../lib/auth/token-file';
import { startRole } from './app-roles';
import { type Knobs, pollKnobs } from './knobs';
import { type Role, SERVICES } from './topology';

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      role: { type: 'string' },
      version: { type: 'string', default: 'v1' },
      instance: { type: 'string' },
      port: { type: 'string' },
      'outbound-port': { type: 'string' },
      'outside-port': { type: 'string' },
      'control-plane': { type: 'string' },
      'token-file': { type: 'string' },
      'control-plane-ca-file': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(
      'usage: meshlens-agent demo-app --role productpage|details|reviews|ratings|mongodb --version V --instance NAME\n' +
        '         --port N --outbound-port N [--outside-port N] [--control-plane URL --token-file FILE --control-plane-ca-file FILE]\n' +
        '  --outside-port N   the port of the unregistered host (localhost) details calls, best effort',
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
  const outsidePort = values['outside-port'] === undefined ? undefined : Number(values['outside-port']);
  if (outsidePort !== undefined && !(Number.isInteger(outsidePort) && outsidePort > 0 && outsidePort < 65536))
    throw new Error(`--outside-port must be a port number, not ${values['outside-port']}`);

  let knobs: Knobs | undefined;
  if (values['control-plane']) {
    // The control plane serves HTTPS with a certificate from its CA: verify it against the CA file.
    const caFile = values['control-plane-ca-file'] ?? (process.env.MESH_CONTROL_CA_FILE?.trim() || undefined);
    knobs = await pollKnobs(
      {
        controlPlane: values['control-plane'],
        ...(values['token-file'] ? { token: readClientToken(values['token-file']) } : {}),
        ...(caFile !== undefined ? { ca: readFileSync(caFile, 'utf8') } : {}),
      },
      [role],
    );
  }

  const app = await startRole({
    role,
    version: values.version,
    instance: values.instance ?? `${role}-${values.version}-1`,
    port,
    outboundPort,
    ...(outsidePort !== undefined ? { outsidePort } : {}),
    behaviour: () => knobs?.behaviourOf(role) ?? {},
  });
  console.log(`demo-app ${role} ${values.version} listening on 127.0.0.1:${app.port}`);
  const stop = async () => {
    knobs?.close();
    await app.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

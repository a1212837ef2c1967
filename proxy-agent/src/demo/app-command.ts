// `meshlens-agent demo-app`: one demo workload instance (the app; its sidecar is a separate process).
// It follows its service's behaviour knobs on the control plane, so scenarios switch without restarts.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { MeshConfigClient } from '../../../lib/mesh-config/client';
import type { ServiceEntry } from '../../../lib/mesh-config/schema';
import { BEHAVIOUR_ANNOTATION, type Behaviour, parseBehaviour } from './app-behaviour';
import { startApp } from './apps';
import { DEMO_NAMESPACE, type Role, SERVICES } from './topology';

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
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(
      'usage: meshlens-agent demo-app --role productpage|details|reviews|ratings --version V --instance NAME\n' +
        '         --port N --outbound-port N [--control-plane URL --token-file FILE]',
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
    const token = values['token-file'] ? readFileSync(values['token-file'], 'utf8').trim() : undefined;
    const client = new MeshConfigClient({ baseUrl: values['control-plane'], token });
    const refresh = async () => {
      const se = await client.get<ServiceEntry>('ServiceEntry', DEMO_NAMESPACE, role);
      // Unreachable control plane: keep the last knobs, like a sidecar keeps its last config.
      if (se.ok) behaviour = parseBehaviour(se.value.metadata.annotations?.[BEHAVIOUR_ANNOTATION]);
    };
    await refresh();
    poll = setInterval(refresh, KNOB_POLL_MS);
  }

  const app = await startApp({
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

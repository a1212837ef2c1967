// `meshlens-agent kubeconfig`: prints a kubeconfig for kubectl (or any client-go client) that reaches
// this control plane over HTTPS, trusting its CA and sending its token.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readClientToken } from '../../../lib/auth/token-file';
import { caDir, TRUST_BUNDLE_FILE } from './ca/root-store';

export const USAGE = `usage: meshlens-agent kubeconfig [--data-dir DIR] [--server URL] [--token-file FILE] [--ca-file FILE]

Prints a kubeconfig for kubectl: the control plane's URL, the CA it serves HTTPS with and a token.
  KUBECONFIG=<(meshlens-agent kubeconfig --data-dir DIR --token-file FILE) kubectl get vs

flags:
  --data-dir DIR     the control plane's data dir: its CA is DIR/ca/${TRUST_BUNDLE_FILE}
  --server URL       where it listens (default https://127.0.0.1:15010)
  --token-file FILE  the token to send (the first in the file; the control plane's own file works)
  --ca-file FILE     the CA bundle to trust instead of DIR's (e.g. with --tls-cert-file)
  --namespace NS     the context's namespace (default "default")
  --name NAME        cluster, user and context name (default meshlens)`;

export interface KubeconfigInput {
  server: string;
  caPem: string;
  token?: string;
  namespace?: string;
  name?: string;
}

/** The kubeconfig YAML (every value quoted as JSON, which is YAML). */
export function kubeconfigYaml(i: KubeconfigInput): string {
  const name = JSON.stringify(i.name ?? 'meshlens');
  const ca = Buffer.from(i.caPem).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${name}`,
    '  cluster:',
    `    server: ${JSON.stringify(i.server)}`,
    `    certificate-authority-data: ${ca}`,
    'users:',
    `- name: ${name}`,
    `  user: ${i.token === undefined ? '{}' : `\n    token: ${JSON.stringify(i.token)}`}`,
    'contexts:',
    `- name: ${name}`,
    '  context:',
    `    cluster: ${name}`,
    `    user: ${name}`,
    `    namespace: ${JSON.stringify(i.namespace ?? 'default')}`,
    `current-context: ${name}`,
    '',
  ].join('\n');
}

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'data-dir': { type: 'string' },
      server: { type: 'string', default: 'https://127.0.0.1:15010' },
      'token-file': { type: 'string' },
      'ca-file': { type: 'string' },
      namespace: { type: 'string' },
      name: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const caFile =
    values['ca-file'] ??
    (values['data-dir'] !== undefined ? join(caDir(values['data-dir']), TRUST_BUNDLE_FILE) : undefined);
  if (caFile === undefined) throw new Error(`--data-dir or --ca-file is required\n\n${USAGE}`);
  if (!values.server?.startsWith('https://'))
    throw new Error('--server must be https://…: kubectl sends credentials over HTTPS only');
  process.stdout.write(
    kubeconfigYaml({
      server: values.server,
      caPem: readFileSync(caFile, 'utf8'),
      ...(values['token-file'] !== undefined ? { token: readClientToken(values['token-file']) } : {}),
      ...(values.namespace !== undefined ? { namespace: values.namespace } : {}),
      ...(values.name !== undefined ? { name: values.name } : {}),
    }),
  );
}

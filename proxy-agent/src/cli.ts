// meshlens-agent: parses the subcommand and hands the rest of argv to the part that runs it.
const COMMANDS: Record<
  string,
  { summary: string; load: () => Promise<{ main(argv: string[]): Promise<void> }> }
> = {
  sidecar: {
    summary: 'run a sidecar proxy for one workload instance',
    load: () => import('./sidecar/command'),
  },
  'control-plane': {
    summary: 'run the control plane (mesh config, registry)',
    load: () => import('./control-plane/command'),
  },
  kubeconfig: {
    summary: 'print a kubeconfig for kubectl',
    load: () => import('./control-plane/kubeconfig-command'),
  },
  'trace-store': {
    summary: 'run the Jaeger-compatible trace store',
    load: () => import('./trace-store/command'),
  },
  demo: { summary: 'run the demo mesh', load: () => import('./demo/command') },
  'graph-rules': {
    summary: "print the graph's recording rules for a Prometheus",
    load: () => import('./prometheus/graph-rules-command'),
  },
  'demo-app': {
    summary: 'run one demo app instance (started by the demo)',
    load: () => import('./demo/app-command'),
  },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(15)} ${c.summary}`);
  return `usage: meshlens-agent <command> [flags]\n\ncommands:\n${lines.join('\n')}\n\nRun meshlens-agent <command> --help for its flags.`;
}

const [commandName, ...rest] = process.argv.slice(2);
const command = commandName === undefined ? undefined : COMMANDS[commandName];
if (!command) {
  const help = commandName === undefined || commandName === '--help' || commandName === '-h';
  console.error(help ? usage() : `unknown command: ${commandName}\n\n${usage()}`);
  process.exit(help && commandName !== undefined ? 0 : 2);
}
try {
  await (await command.load()).main(rest);
} catch (err) {
  // Start-up failures (bad flags, invalid config, a port in use) are reported as one clear line.
  console.error(`meshlens-agent ${commandName}: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}

export {};

// `meshlens-agent demo`: runs the whole demo until Ctrl-C. `demo scenario NAME` switches the
// scenario of a running demo (a control-plane change, no restart).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readClientToken } from '../../../lib/auth/token-file';
import { MeshConfigClient } from '../../../lib/mesh-config/client';
import { nodeTransport } from '../sidecar-config/http-request';
import { applyScenario } from './apply-scenario';
import { ensurePrometheus } from './ensure-prometheus';
import { isScenario, SCENARIOS, type ScenarioName } from './scenarios';
import { CA_FILE, DEFAULT_PORTS, DEMO_SAMPLING_PERCENT, startDemo } from './supervisor';

const USAGE = `usage: meshlens-agent demo [--rps N] [--scenario NAME] [--sampling PERCENT] [--no-dashboard] [--data-dir DIR] [--free-ports]
                          [--store etcd|etcd://host:port,…]
       meshlens-agent demo scenario NAME [--data-dir DIR] [--control-plane URL]

Runs the Bookinfo demo mesh: control plane, trace store, Prometheus, sidecars, apps, traffic, dashboard.
--sampling: share of requests traced (default ${DEMO_SAMPLING_PERCENT} %; Istio's default is 1 %).
--store etcd: the control plane keeps its state in etcd (a local member in DIR/etcd, or the given URL).
Environment: PROMETHEUS_URL to use an existing Prometheus instead of starting one.

scenarios:
${Object.entries(SCENARIOS)
  .map(([name, text]) => `  ${name.padEnd(15)} ${text}`)
  .join('\n')}`;

function scenarioArg(name: string | undefined): ScenarioName {
  if (name === undefined) return 'default';
  if (!isScenario(name))
    throw new Error(`unknown scenario ${name}; one of: ${Object.keys(SCENARIOS).join(', ')}`);
  return name;
}

export async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      rps: { type: 'string', default: '20' },
      sampling: { type: 'string', default: String(DEMO_SAMPLING_PERCENT) },
      scenario: { type: 'string' },
      'no-dashboard': { type: 'boolean', default: false },
      'data-dir': { type: 'string', default: '.meshlens' },
      'free-ports': { type: 'boolean', default: false },
      store: { type: 'string' },
      'control-plane': { type: 'string', default: `https://127.0.0.1:${DEFAULT_PORTS.controlPlane}` },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const dataDir = values['data-dir'];
  if (positionals[0] === 'scenario') {
    const name = scenarioArg(positionals[1]);
    const token = readClientToken(join(dataDir, 'control-plane.token'));
    const client = new MeshConfigClient({
      baseUrl: values['control-plane'],
      token,
      user: 'meshlens-demo',
      transport: nodeTransport(readFileSync(join(dataDir, CA_FILE), 'utf8')),
    });
    const errors = await applyScenario(client, name);
    if (errors.length > 0) throw new Error(errors.join('\n'));
    console.log(`scenario ${name} applied: ${SCENARIOS[name]}`);
    return;
  }
  if (positionals.length > 0) throw new Error(`unexpected argument ${positionals[0]}\n\n${USAGE}`);
  const rps = Number(values.rps);
  if (!Number.isFinite(rps) || rps < 0) throw new Error('--rps must be a number ≥ 0');
  const samplingPercent = Number(values.sampling);
  if (!Number.isFinite(samplingPercent) || samplingPercent < 0 || samplingPercent > 100)
    throw new Error('--sampling must be a percentage (0-100)');
  const scenario = scenarioArg(values.scenario);
  const prometheusUrl = process.env.PROMETHEUS_URL;
  if (!prometheusUrl) ensurePrometheus((line) => console.log(line));

  console.log(`Starting the Meshlens demo (scenario ${scenario}, ${rps} req/s)…`);
  const demo = await startDemo({
    rps,
    scenario,
    samplingPercent,
    dashboard: !values['no-dashboard'],
    dataDir,
    ports: values['free-ports'] ? 'free' : DEFAULT_PORTS,
    ...(values.store !== undefined ? { store: values.store } : {}),
    prometheusUrl,
  });
  const u = demo.urls;
  console.log(
    [
      '',
      'Meshlens demo is running:',
      ...(u.dashboard ? [`  dashboard        ${u.dashboard}`] : []),
      `  prometheus       ${u.prometheus}`,
      `  jaeger query     ${u.jaegerQuery}   (Jaeger HTTP API)`,
      `  otlp             ${u.otlp}`,
      `  control plane    ${u.controlPlane}   (token in ${join(dataDir, 'control-plane.token')}, CA in ${join(dataDir, CA_FILE)})`,
      `  ingress          ${u.ingress}   (Host: productpage.bookinfo.svc.cluster.local)`,
      `  logs             ${join(dataDir, 'logs')}/`,
      '',
      'Switch scenarios live: npx meshlens-agent demo scenario <name>. Ctrl-C stops everything.',
    ].join('\n'),
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the demo…`);
    await demo.stop();
    console.log('stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

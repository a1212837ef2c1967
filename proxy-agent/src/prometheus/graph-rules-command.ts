// `meshlens-agent graph-rules`: prints the graph's recording rules as a Prometheus rule file, for the
// Prometheus of a real mesh (`rule_files:`). With them a large graph reads a third of the latency
// series; without them it reads Istio's raw histogram (see `lib/graph/recording-rules.ts`).
import { parseArgs } from 'node:util';
import { recordingRulesYaml } from '../../../lib/graph/recording-rules';

const HELP = `usage: meshlens-agent graph-rules [--interval 15s]

Prints the dashboard graph's recording rules as a Prometheus rule file (YAML) on stdout.
Add the file to Prometheus' rule_files; the graph finds the recorded series by itself.

  --interval   evaluation interval of the rule group (default 15s, Istio's scrape interval)`;

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { interval: { type: 'string', default: '15s' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const interval = values.interval ?? '15s';
  if (!/^\d+(ms|s|m|h)$/.test(interval))
    throw new Error(`--interval: "${interval}" is not a duration like 15s or 1m`);
  process.stdout.write(recordingRulesYaml(interval));
}

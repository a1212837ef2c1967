// `meshlens-agent graph-rules` prints a rule file a real Prometheus accepts (`promtool check rules`), with
// the graph's rules in evaluation order; a bad flag is one clear error.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { GRAPH_RECORDING_RULES } from '../../lib/graph/recording-rules';
import { AGENT_BIN } from './support/processes';

const run = promisify(execFile);

describe('meshlens-agent graph-rules', () => {
  it('prints the recording rules as a file promtool accepts', async () => {
    const { stdout } = await run(process.execPath, [AGENT_BIN, 'graph-rules', '--interval', '30s']);
    expect(stdout).toContain('interval: 30s');
    const records = [...stdout.matchAll(/record: (\S+)/g)].map((m) => m[1]);
    expect(records).toEqual(GRAPH_RECORDING_RULES.map((r) => r.record));
    const dir = await mkdtemp(join(tmpdir(), 'meshlens-rules-'));
    try {
      await writeFile(join(dir, 'graph.rules.yml'), stdout);
      const check = await run('promtool', ['check', 'rules', join(dir, 'graph.rules.yml')]);
      expect(check.stdout).toContain(`SUCCESS: ${GRAPH_RECORDING_RULES.length} rules found`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects an interval that is not a duration', async () => {
    const failed = await run(process.execPath, [AGENT_BIN, 'graph-rules', '--interval', 'soon']).catch(
      (err: { code?: number; stderr?: string }) => err,
    );
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr?: string }).stderr).toContain('--interval: "soon" is not a duration');
  });
});

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProcessGroup } from './process-group';

const dir = mkdtempSync(join(tmpdir(), 'meshlens-group-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const node = (name: string, code: string) => ({ name, command: process.execPath, args: ['-e', code] });

describe('ProcessGroup', () => {
  it('runs a one-shot step to its end without reporting its exit as unexpected', async () => {
    const unexpected: string[] = [];
    const group = new ProcessGroup(dir, (name, code) => unexpected.push(`${name}:${code}`));
    expect(await group.run(node('build', 'console.log("built")'))).toEqual({ code: 0, signal: null });
    expect(await group.run(node('broken', 'process.exit(3)'))).toEqual({ code: 3, signal: null });
    expect(unexpected).toEqual([]);
    expect(readFileSync(group.logFile('build'), 'utf8')).toContain('built');
    await group.stopAll();
  });

  it('reports a long-running child that exits on its own', async () => {
    const unexpected: string[] = [];
    const group = new ProcessGroup(dir, (name, code) => unexpected.push(`${name}:${code}`));
    const child = group.start(node('server', 'process.exit(7)'));
    await new Promise((r) => child.once('exit', r));
    expect(unexpected).toEqual(['server:7']);
    await group.stopAll();
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_NODE_ARGS } from './dashboard-process';

const root = join(__dirname, '..', '..', '..');

describe("the dashboard server's V8 flags", () => {
  it('are the ones `npm run start:dashboard` gives node, before Next is started', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const words = (pkg.scripts['start:dashboard'] ?? '').split(/\s+/);
    expect(words[0]).toBe('node');
    const script = words.indexOf('node_modules/next/dist/bin/next');
    expect(script).toBeGreaterThan(0);
    expect(words.slice(1, script)).toEqual([...DASHBOARD_NODE_ARGS]);
    expect(words[script + 1]).toBe('start');
  });

  it('are flags node accepts', () => {
    for (const flag of DASHBOARD_NODE_ARGS) {
      expect(process.allowedNodeEnvironmentFlags.has(flag.split('=')[0] as string)).toBe(true);
    }
  });
});

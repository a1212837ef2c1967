#!/usr/bin/env node
// The agent runs as plain compiled ESM (no TypeScript loader): `npm run build` writes dist/.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/agent/cli.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('meshlens-agent: dist/agent/cli.js is missing; run `npm run build` first.');
  process.exit(1);
}
await import(entry.href);

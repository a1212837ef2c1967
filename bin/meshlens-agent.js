#!/usr/bin/env -S node --max-semi-space-size=8
// The agent runs as plain compiled ESM (no TypeScript loader): `npm run build` writes dist/.
// The V8 flag above caps the young generation's semi-spaces at 8 MB (V8's default lets them grow to 16 MB
// under load): it keeps a busy sidecar near 90 MB resident instead of 115-145 MB, at no CPU cost measured
// (docs/benchmarks-sidecar.md, issue 20). V8 fixes heap sizes when the process starts, hence a flag of the
// launch and not a setting; `node [flags] bin/meshlens-agent.js` replaces it (the sidecar bench reads it
// from this line so that it measures what is shipped).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/agent/cli.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('meshlens-agent: dist/agent/cli.js is missing; run `npm run build` first.');
  process.exit(1);
}
await import(entry.href);

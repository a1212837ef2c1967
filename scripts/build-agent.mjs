// Builds the proxy agent (sidecar, control plane, trace store, demo) to plain Node ESM in dist/agent/.
// One bundle per entry keeps start-up fast; npm dependencies stay external and load from node_modules.
import { build } from 'esbuild';

await build({
  entryPoints: {
    cli: 'proxy-agent/src/cli.ts',
    index: 'proxy-agent/src/index.ts',
    'parent-watchdog': 'proxy-agent/src/demo/parent-watchdog.ts',
  },
  outdir: 'dist/agent',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  splitting: true,
  logLevel: 'warning',
});

// Builds the proxy agent (sidecar, control plane, trace store, demo) to plain Node ESM in dist/agent/.
// One bundle per entry keeps start-up fast; npm dependencies stay external and load from node_modules,
// except OpenTelemetry's: bundled from their ES modules and tree-shaken, so that a sidecar loads the few
// parts it uses (the OTLP trace exporter's package would otherwise load sdk-metrics, api-logs and the
// whole otlp-transformer: ~400 modules, ~15 MB resident in each of the demo's eight sidecars).
// The build goes to a fresh folder that then replaces dist/agent in one rename, so dist/ holds exactly
// one build (chunk names carry content hashes) and processes starting meanwhile never see half of one.
import { renameSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const out = 'dist/agent';
const fresh = `dist/.agent-${process.pid}`;
const old = `dist/.agent-old-${process.pid}`;

await build({
  entryPoints: {
    cli: 'proxy-agent/src/cli.ts',
    index: 'proxy-agent/src/index.ts',
    'parent-watchdog': 'proxy-agent/src/demo/parent-watchdog.ts',
    'services-worker': 'proxy-agent/src/demo/services-worker.ts',
    'apps-worker': 'proxy-agent/src/demo/apps-worker.ts',
  },
  outdir: fresh,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  mainFields: ['module', 'main'],
  plugins: [
    {
      name: 'external-but-opentelemetry',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) =>
          args.path.startsWith('@opentelemetry/') ? undefined : { path: args.path, external: true },
        );
      },
    },
  ],
  sourcemap: true,
  splitting: true,
  logLevel: 'warning',
});

try {
  renameSync(out, old);
} catch {
  // first build: nothing to move aside
}
renameSync(fresh, out);
rmSync(old, { recursive: true, force: true });

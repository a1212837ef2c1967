// Starts the whole demo (mesh, Prometheus, trace store, dashboard) on free ports for the e2e run.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readClientToken } from '../../lib/auth/token-file';
import { DEMO_ENV_VAR, type DemoEnv } from './demo-env';
import { startTokenDashboard } from './token-dashboard';

const START_TIMEOUT_MS = 300_000; // includes a first `next build`

export default async function globalSetup(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'meshlens-e2e-'));
  const child = spawn(
    process.execPath,
    // Every request traced (the demo's default is 10 %): the trace specs need sampled failures on an edge
    // whatever order they run in, not only after minutes of traffic.
    [
      'bin/meshlens-agent.js',
      'demo',
      '--free-ports',
      '--data-dir',
      dataDir,
      '--rps',
      '20',
      '--sampling',
      '100',
    ],
    // MESHLENS_TEST_HOOKS: the dashboard exposes the graph's cytoscape instance to the specs.
    { stdio: ['ignore', 'pipe', 'pipe'], detached: false, env: { ...process.env, MESHLENS_TEST_HOOKS: '1' } },
  );
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!/Meshlens demo is running/.test(out)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the demo did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const url = (label: string) => {
    const m = new RegExp(`${label}\\s+(https?://\\S+)`).exec(out);
    if (!m?.[1]) throw new Error(`no ${label} URL in the demo output:\n${out}`);
    return m[1];
  };
  const backends = {
    prometheus: url('prometheus'),
    jaeger: url('jaeger query'),
    controlPlane: url('control plane'),
    token: readClientToken(join(dataDir, 'control-plane.token')),
  };
  // The control plane serves HTTPS with a certificate from its CA: the token dashboard (MESH_CONTROL_CA_FILE)
  // and the spec workers' own clients (NODE_EXTRA_CA_CERTS, read when each worker starts) trust its roots.
  const caFile = join(dataDir, 'control-plane-ca.pem');
  process.env.MESH_CONTROL_CA_FILE = caFile;
  process.env.NODE_EXTRA_CA_CERTS = caFile;
  const tokenDashboard = await startTokenDashboard({ ...backends, controlPlaneToken: backends.token }).catch(
    (err: unknown) => {
      child.kill('SIGINT');
      throw err;
    },
  );
  const env: DemoEnv = {
    dashboard: url('dashboard'),
    ...backends,
    pid: child.pid as number,
    dataDir,
    tokenDashboard,
  };
  process.env[DEMO_ENV_VAR] = JSON.stringify(env);
  // Keep the demo's output flowing so its pipes never fill up.
  child.stdout?.resume();
  child.stderr?.resume();
  child.unref();
}

// A second dashboard for the security spec, in token mode with reads guarded, against the demo's
// Prometheus, trace store and control plane. The demo's own dashboard stays anonymous for the
// other specs. Started by the global setup from the same `next build`, stopped by the teardown.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { freePort } from '../../proxy-agent/src/net/free-port';

const READY_TIMEOUT_MS = 120_000;
const READY_POLL_MS = 250;
export const TOKEN_DASHBOARD_USER = 'e2e-operator';

export interface TokenDashboard {
  url: string;
  pid: number;
  /** The token that signs in as TOKEN_DASHBOARD_USER. */
  token: string;
}

export async function startTokenDashboard(backends: {
  prometheus: string;
  jaeger: string;
  controlPlane: string;
  controlPlaneToken: string;
}): Promise<TokenDashboard> {
  const port = await freePort();
  const token = randomBytes(24).toString('base64url');
  const next = join(process.cwd(), 'node_modules', 'next', 'dist', 'bin', 'next');
  const child = spawn(process.execPath, [next, 'start', '--port', String(port), '--hostname', '127.0.0.1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PROMETHEUS_URL: backends.prometheus,
      JAEGER_URL: backends.jaeger,
      MESH_CONTROL_URL: backends.controlPlane,
      MESH_CONTROL_TOKEN: backends.controlPlaneToken,
      MESHLENS_AUTH: 'token',
      MESHLENS_AUTH_READS: '1',
      MESHLENS_AUTH_TOKENS: `${token},${TOKEN_DASHBOARD_USER}`,
      // As behind a TLS-terminating proxy: the spec sends X-Forwarded-Proto itself.
      MESHLENS_TRUST_FORWARDED_PROTO: '1',
      // A first wait far longer than the spec's steps, so the backoff it asserts cannot lapse.
      MESHLENS_SIGN_IN_BACKOFF_BASE_S: '300',
    },
  });
  let out = '';
  const keep = (d: Buffer) => {
    // Only the start of the log is kept for an error message; the pipes keep flowing.
    if (out.length < 20_000) out += d;
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the token-mode dashboard did not start:\n${out}`);
    }
    const ready = await fetch(`${url}/sign-in`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    await new Promise((r) => setTimeout(r, READY_POLL_MS));
  }
  child.unref();
  return { url, pid: child.pid as number, token };
}

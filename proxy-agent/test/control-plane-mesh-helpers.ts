// A small live mesh for the control-plane traffic tests: apps in this process, sidecars and a load
// generator as separate processes, config from a control plane process.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AgentProcess, freePort, spawnAgent, waitFor } from './support/processes';

export const REVIEWS_FQDN = 'reviews.default.svc.cluster.local';

/** An app that answers its own name (e.g. `v2`) to every request. */
export async function startApp(answer: string): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(answer);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

export interface SidecarProcess {
  proc: AgentProcess;
  inbound: number;
  outbound: number;
  admin: number;
}

/** `meshlens-agent sidecar --control-plane URL` for one instance, waited until ready. */
export async function startSidecarProcess(o: {
  service: string;
  version: string;
  appPort: number;
  controlPlane: string;
  tokenFile?: string;
}): Promise<SidecarProcess> {
  const [inbound, outbound, admin] = [await freePort(), await freePort(), await freePort()];
  const proc = spawnAgent([
    'sidecar',
    '--service',
    o.service,
    '--version',
    o.version,
    '--app-port',
    String(o.appPort),
    '--inbound-port',
    String(inbound),
    '--outbound-port',
    String(outbound),
    '--admin-port',
    String(admin),
    '--sampling',
    '0',
    '--control-plane',
    o.controlPlane,
    ...(o.tokenFile ? ['--control-plane-token-file', o.tokenFile] : []),
  ]);
  await waitFor(
    async () => {
      if (proc.child.exitCode !== null) throw new Error(`sidecar exited: ${proc.output()}`);
      return (await fetch(`http://127.0.0.1:${admin}/ready`)).ok;
    },
    { what: `sidecar ${o.service}-${o.version}`, timeoutMs: 15_000 },
  );
  return { proc, inbound, outbound, admin };
}

/** One window of the load generator's report. */
export interface LoadWindow {
  /** Epoch ms at the end of the window. */
  t: number;
  counts: Record<string, number>;
  failures: number;
  errors: string[];
}

// Runs in its own process: keeps `concurrency` requests going through the client sidecar's outbound
// listener and prints, every `windowMs`, the answers (by body) and failures of that window as JSON.
const LOAD_SCRIPT = `
import http from 'node:http';
const [port, host, concurrency, windowMs] = process.argv.slice(1);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(concurrency) });
let counts = {}; let failures = 0; let errors = [];
function one() {
  const req = http.request({ host: '127.0.0.1', port: Number(port), path: '/reviews/1', agent, headers: { host } }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (d) => { body += d; });
    res.on('end', () => {
      if (res.statusCode === 200) counts[body] = (counts[body] ?? 0) + 1;
      else { failures++; errors.push(res.statusCode + ' ' + (res.headers['x-envoy-response-flags'] ?? '') + ' ' + body.slice(0, 80)); }
      setImmediate(one);
    });
    res.on('error', (e) => { failures++; errors.push(String(e)); setImmediate(one); });
  });
  req.on('error', (e) => { failures++; errors.push(String(e)); setTimeout(one, 5); });
  req.end();
}
for (let i = 0; i < Number(concurrency); i++) one();
setInterval(() => {
  process.stdout.write(JSON.stringify({ t: Date.now(), counts, failures, errors: errors.slice(0, 5) }) + '\\n');
  counts = {}; failures = 0; errors = [];
}, Number(windowMs));
`;

export interface LoadProcess {
  windows: LoadWindow[];
  /** Windows that ended after `since` (epoch ms). */
  after(since: number): LoadWindow[];
  stop(): Promise<void>;
}

export function startLoad(outboundPort: number, host: string, concurrency = 8, windowMs = 50): LoadProcess {
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      LOAD_SCRIPT,
      String(outboundPort),
      host,
      String(concurrency),
      String(windowMs),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const windows: LoadWindow[] = [];
  let buffer = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    buffer += d;
    let nl = buffer.indexOf('\n');
    while (nl >= 0) {
      windows.push(JSON.parse(buffer.slice(0, nl)) as LoadWindow);
      buffer = buffer.slice(nl + 1);
      nl = buffer.indexOf('\n');
    }
  });
  return {
    windows,
    after: (since) => windows.filter((w) => w.t > since),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export function total(windows: readonly LoadWindow[], key?: string): number {
  return windows.reduce(
    (s, w) => s + (key ? (w.counts[key] ?? 0) : Object.values(w.counts).reduce((a, b) => a + b, 0)),
    0,
  );
}

export function failures(windows: readonly LoadWindow[]): { count: number; errors: string[] } {
  return {
    count: windows.reduce((s, w) => s + w.failures, 0),
    errors: windows.flatMap((w) => w.errors).slice(0, 10),
  };
}

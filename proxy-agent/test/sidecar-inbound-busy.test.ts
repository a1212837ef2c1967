// The inbound side on a busy machine (issue 5, seen in the demo under load average ~20): a caller's
// sidecar → the callee's sidecar → a slow app (~1 s), with idle gaps around the 5 s keep-alive of Node
// servers between bursts. The callee's sidecar must wait for the app and relay its answer (no DC, no UC,
// the caller never left in silence until its route timeout); an app connection that really breaks gets
// a prompt 503 UC. Real processes, real HTTP, CPU burners for the load.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getText,
  type Reply,
  send,
  serviceEntry,
  startUpstream,
  type Upstream,
  yamlDocs,
} from './sidecar-harness';
import { type AgentProcess, freePort, spawnAgent, waitFor } from './support/processes';

const dir = mkdtempSync(join(tmpdir(), 'meshlens-sidecar-busy-'));
const procs: AgentProcess[] = [];
const upstreams: Upstream[] = [];
const burners: ChildProcess[] = [];

afterAll(async () => {
  for (const b of burners) b.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.stop()));
  await Promise.all(upstreams.map((u) => u.close()));
  rmSync(dir, { recursive: true, force: true });
});

interface Ports {
  inbound: number;
  outbound: number;
  admin: number;
}

async function spawnSidecar(
  service: string,
  appPort: number,
  config: string,
): Promise<Ports & { proc: AgentProcess }> {
  const ports = { inbound: await freePort(), outbound: await freePort(), admin: await freePort() };
  const file = join(dir, `${service}.yaml`);
  writeFileSync(file, config);
  const proc = spawnAgent([
    'sidecar',
    '--service',
    service,
    '--app-port',
    String(appPort),
    '--config',
    file,
    '--inbound-port',
    String(ports.inbound),
    '--outbound-port',
    String(ports.outbound),
    '--admin-port',
    String(ports.admin),
    '--otlp-endpoint',
    `http://127.0.0.1:${await freePort()}/v1/traces`,
  ]);
  procs.push(proc);
  await waitFor(() => proc.output().includes(' ready: '), {
    timeoutMs: 30_000,
    what: `the ${service} sidecar to be ready`,
  });
  return { ...ports, proc };
}

/** The callee's service with one endpoint (its sidecar's inbound port) and a route timeout. */
function calleeConfig(inboundPort: number, timeout = '10s'): string {
  return yamlDocs(
    serviceEntry('productpage'),
    `apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: productpage-v1, namespace: default}
spec:
  address: 127.0.0.1
  ports: {http: ${inboundPort}}
  labels: {app: productpage, version: v1}
`,
    `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: productpage, namespace: default}
spec:
  hosts: [productpage]
  http:
  - route: [{destination: {host: productpage}}]
    timeout: ${timeout}
`,
  );
}

/** `istio_requests_total` samples of the scrape, as `code flags` → count. */
async function requestsByOutcome(adminPort: number, reporter: string): Promise<Record<string, number>> {
  const { body } = await getText(`http://127.0.0.1:${adminPort}/stats/prometheus`);
  const out: Record<string, number> = {};
  for (const line of body.split('\n')) {
    if (!line.startsWith('istio_requests_total{') || !line.includes(`reporter="${reporter}"`)) continue;
    const code = /response_code="(\d+)"/.exec(line)?.[1];
    const flags = /response_flags="([^"]*)"/.exec(line)?.[1];
    out[`${code} ${flags}`] = (out[`${code} ${flags}`] ?? 0) + Number(line.split(' ').at(-1));
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the inbound sidecar on a busy machine', () => {
  let caller: Ports;
  let callee: Ports & { proc: AgentProcess };
  let mode: 'slow' | 'break' = 'slow';

  beforeAll(async () => {
    // A slow app with Node's default keep-alive (5 s): the sidecar's pool meets closing connections.
    const app = await startUpstream((_req: IncomingMessage, res: ServerResponse) => {
      if (mode === 'break') {
        // The app's connection really fails: it closes without answering.
        setTimeout(() => res.socket?.destroy(), 300);
        return;
      }
      setTimeout(
        () => {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('from the app');
        },
        700 + Math.random() * 600,
      );
    });
    upstreams.push(app);
    callee = await spawnSidecar('productpage', app.port, serviceEntry('productpage'));
    caller = await spawnSidecar('istio-ingressgateway', await freePort(), calleeConfig(callee.inbound));
    // The busy machine: more spinning processes than cores.
    for (let i = 0; i < 3; i++)
      burners.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  }, 60_000);

  it('waits for a slow app across keep-alive idle gaps and relays every answer', async () => {
    const statuses: Record<string, number> = {};
    for (let round = 0; round < 4; round++) {
      const replies = await Promise.all(
        Array.from({ length: 6 + round * 2 }, () =>
          send(caller.outbound, { host: 'productpage', path: '/productpage' }).catch(
            (err: unknown): Reply => ({
              status: 0,
              headers: {},
              body: String(err),
            }),
          ),
        ),
      );
      for (const r of replies) {
        const key = `${r.status} ${r.headers['x-envoy-response-flags'] ?? '-'}`;
        statuses[key] = (statuses[key] ?? 0) + 1;
        if (r.status === 200) expect(r.body).toBe('from the app');
      }
      // Idle around the app's and the pools' keep-alive timeouts before the next burst.
      await sleep(4_000 + round * 500);
    }
    const total = Object.values(statuses).reduce((a, b) => a + b, 0);
    expect(statuses).toEqual({ '200 -': total });
    const seen = await waitFor(
      async () => {
        const s = await requestsByOutcome(callee.admin, 'destination');
        return (s['200 -'] ?? 0) >= total ? s : undefined;
      },
      { what: 'the destination samples' },
    );
    // No DC (the caller never left), no UC (the app's answers were all relayed).
    expect(seen).toEqual({ '200 -': total });
  }, 90_000);

  it('answers 503 UC promptly when the app connection breaks, and the caller gets it', async () => {
    mode = 'break';
    try {
      const started = Date.now();
      const reply = await send(caller.outbound, { host: 'productpage', path: '/productpage' });
      expect(reply.status).toBe(503);
      // The callee's sidecar's local reply, relayed by the caller; well before the 10 s route timeout.
      expect(reply.body).toContain('upstream connect error or disconnect/reset before headers');
      expect(Date.now() - started).toBeLessThan(5_000);
      await waitFor(
        async () => ((await requestsByOutcome(callee.admin, 'destination'))['503 UC'] ?? 0) >= 1,
        { what: 'the 503 UC sample at the destination' },
      );
    } finally {
      mode = 'slow';
    }
  }, 30_000);
  it('a callee sidecar starved past the route timeout: the caller answers 504 UT, the callee records 0 DC (not UC)', async () => {
    // The demo's trace: the gateway's span ended at the 10 s route timeout with 504 UT while the callee's
    // server span, started late on the loaded machine, lasted 0.65 s and ended with 0 and UC,DC. The
    // callee's sidecar only got to the request when the gateway was about to give up; the gateway hung
    // up (DC, correct), and the app request the callee then broke off is not an upstream failure (no UC).
    const shortCaller = await spawnSidecar(
      'istio-ingressgateway',
      await freePort(),
      calleeConfig(callee.inbound, '1s'),
    );
    const before = await requestsByOutcome(callee.admin, 'destination');
    // Stopped: the kernel accepts the connection and holds the request until the process runs again.
    callee.proc.child.kill('SIGSTOP');
    try {
      const started = Date.now();
      const reply = await send(shortCaller.outbound, { host: 'productpage', path: '/productpage' });
      expect(reply.status).toBe(504);
      expect(reply.headers['x-envoy-response-flags']).toBe('UT');
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      callee.proc.child.kill('SIGCONT');
    }
    const after = await waitFor(
      async () => {
        const s = await requestsByOutcome(callee.admin, 'destination');
        return (s['0 DC'] ?? 0) > (before['0 DC'] ?? 0) ? s : undefined;
      },
      { what: 'the 0 DC sample at the destination' },
    );
    expect(Object.keys(after).filter((k) => k.includes('UC'))).toEqual(
      Object.keys(before).filter((k) => k.includes('UC')),
    );
    expect((after['0 DC'] ?? 0) - (before['0 DC'] ?? 0)).toBe(1);
  }, 60_000);
});

// The sidecar as a standalone process (the built CLI) with a YAML config file: start-up, routing to
// another sidecar's inbound over mTLS with file-mounted certificates, invalid config, and draining
// in-flight requests on SIGTERM.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCa, writeCertificateFiles } from './mtls-ca';
import {
  getText,
  send,
  serviceEntry,
  startUpstream,
  type Upstream,
  workloadEntry,
  yamlDocs,
} from './sidecar-harness';
import { type AgentProcess, freePort, spawnAgent, waitFor } from './support/processes';

const dir = mkdtempSync(join(tmpdir(), 'meshlens-sidecar-cli-'));
const procs: AgentProcess[] = [];
const upstreams: Upstream[] = [];

afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  await Promise.all(upstreams.map((u) => u.close()));
  rmSync(dir, { recursive: true, force: true });
});

interface Ports {
  inbound: number;
  outbound: number;
  admin: number;
}

async function spawnSidecar(args: string[]): Promise<{ proc: AgentProcess; ports: Ports }> {
  const ports = { inbound: await freePort(), outbound: await freePort(), admin: await freePort() };
  const proc = spawnAgent([
    'sidecar',
    ...args,
    '--inbound-port',
    String(ports.inbound),
    '--outbound-port',
    String(ports.outbound),
    '--admin-port',
    String(ports.admin),
    // Nothing listens there: a trace backend that is down must not matter.
    '--otlp-endpoint',
    `http://127.0.0.1:${await freePort()}/v1/traces`,
  ]);
  procs.push(proc);
  await waitFor(() => proc.output().includes(' ready: '), {
    timeoutMs: 15_000,
    what: 'the sidecar to be ready',
  });
  return { proc, ports };
}

describe('meshlens-agent sidecar', () => {
  let app: Upstream;
  let held: Array<() => void>;
  let file: string;
  let callee: { proc: AgentProcess; ports: Ports };
  let caller: { proc: AgentProcess; ports: Ports };

  beforeAll(async () => {
    held = [];
    app = await startUpstream((req, res) => {
      if (req.url === '/slow') held.push(() => res.end('slow done'));
      else res.end(`details says hi to ${req.headers['x-b3-traceid'] ? 'a traced caller' : 'someone'}`);
    });
    upstreams.push(app);
    const calleeInbound = await freePort();
    file = join(dir, 'mesh.yaml');
    // details runs a sidecar taking mTLS (the tlsMode label); productpage's WorkloadEntry names the
    // caller whose peer metadata the callee believes over mTLS.
    writeFileSync(
      file,
      yamlDocs(
        serviceEntry('details'),
        workloadEntry('details', 'v1', calleeInbound, { sidecar: true }),
        workloadEntry('productpage', 'v1', await freePort()),
      ),
    );
    const ca = await createTestCa();
    const certFlags = (sa: string) =>
      ca.issue({ serviceAccount: sa }).then((c) => {
        const f = writeCertificateFiles(c, dir);
        return ['--cert-chain', f.certChain, '--key', f.key, '--root-cert', f.rootCert];
      });
    const calleeCerts = await certFlags('details');
    const callerCerts = await certFlags('productpage');
    const calleePorts = ['--inbound-port', String(calleeInbound), ...calleeCerts];
    callee = await (async () => {
      const admin = await freePort();
      const outbound = await freePort();
      const proc = spawnAgent([
        'sidecar',
        '--service',
        'details',
        '--app-port',
        String(app.port),
        '--config',
        file,
        ...calleePorts,
        '--outbound-port',
        String(outbound),
        '--admin-port',
        String(admin),
        '--sampling',
        '0',
      ]);
      procs.push(proc);
      await waitFor(() => proc.output().includes(' ready: '), {
        timeoutMs: 15_000,
        what: 'the callee sidecar',
      });
      return { proc, ports: { inbound: calleeInbound, outbound, admin } };
    })();
    caller = await spawnSidecar([
      '--service',
      'productpage',
      '--app-port',
      String(await freePort()),
      '--config',
      file,
      ...callerCerts,
    ]);
  });

  it('prints one ready line with its ports', () => {
    const line = caller.proc
      .output()
      .split('\n')
      .find((l) => l.includes(' ready: '));
    expect(line).toContain(`outbound 127.0.0.1:${caller.ports.outbound}`);
    expect(line).toContain(`admin 127.0.0.1:${caller.ports.admin}`);
    expect(line).toContain('sidecar productpage-v1.default');
  });

  it('routes an app request through both sidecars to the app', async () => {
    const r = await send(caller.ports.outbound, { host: 'details', path: '/details/1' });
    expect(r.status).toBe(200);
    expect(r.body).toBe('details says hi to a traced caller');
    expect((await getText(`http://127.0.0.1:${caller.ports.admin}/ready`)).status).toBe(200);
    const metrics = (await getText(`http://127.0.0.1:${callee.ports.admin}/stats/prometheus`)).body;
    expect(metrics).toMatch(
      /istio_requests_total\{[^}]*reporter="destination"[^}]*source_workload="productpage-v1"[^}]*source_principal="spiffe:\/\/cluster.local\/ns\/default\/sa\/productpage"[^}]*destination_workload="details-v1"[^}]*connection_security_policy="mutual_tls"/,
    );
    const certs = JSON.parse((await getText(`http://127.0.0.1:${callee.ports.admin}/certs`)).body);
    expect(certs.certificates[0].spiffeId).toBe('spiffe://cluster.local/ns/default/sa/details');
  });

  it('drains an in-flight request on SIGTERM, then exits 0', async () => {
    const slow = send(callee.ports.inbound, { host: 'details', path: '/slow' });
    await waitFor(() => held.length === 1, { what: 'the slow request to reach the app' });
    const exited = new Promise<number | null>((resolve) => callee.proc.child.once('exit', (c) => resolve(c)));
    callee.proc.child.kill('SIGTERM');
    await waitFor(() => callee.proc.output().includes('draining'), { what: 'the sidecar to start draining' });
    held.shift()?.();
    const r = await slow;
    expect(r.status).toBe(200);
    expect(r.body).toBe('slow done');
    expect(await exited).toBe(0);
  });

  it('refuses to start on an invalid config file, naming the file, the resource and the field', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      yamlDocs(
        serviceEntry('reviews'),
        `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews-split, namespace: default}
spec:
  hosts: [reviews]
  http:
  - route:
    - {destination: {host: reviews}, weight: 70}
    - {destination: {host: reviews}, weight: 20}
`,
      ),
    );
    const proc = spawnAgent(['sidecar', '--service', 'x', '--config', bad, '--admin-port', '0']);
    procs.push(proc);
    const code = await new Promise<number | null>((resolve) => proc.child.once('exit', (c) => resolve(c)));
    expect(code).toBe(1);
    const out = proc.output();
    expect(out).toContain(bad);
    expect(out).toContain('document 2 (VirtualService/reviews-split)');
    expect(out).toContain('spec.http[0].route');
    expect(out).toContain('sum to 90');
  });
});

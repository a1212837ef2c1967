// The egress gateway as real processes: a control plane, `sidecar --mode gateway` registered with the
// label its Gateway selects (`istio: egressgateway`, under a name that does not say so), a workload's
// sidecar, and an HTTPS host outside the mesh. Mesh → gateway → external host with TLS originated at the
// gateway; a certificate the gateway cannot verify and an unreachable host each end as the request's
// response flag (UF), the TLS reason in words in the body and the access log, counted in the metrics.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { egressGatewayWorkloads } from '../../lib/graph/appenders/egress';
import { fetchMeshConfig } from '../../lib/graph/mesh-config-source';
import { MeshConfigClient } from '../../lib/mesh-config/client';
import type { DestinationRule, MeshResource, ServiceEntry } from '../../lib/mesh-config/schema';
import { externalCertificates } from '../src/demo/external-host';
import { type CpProcess, call, removeDir, startCp } from './control-plane-helpers';
import { getText, send } from './sidecar-harness';
import { type AgentProcess, freePort, spawnAgent, waitFor } from './support/processes';

const HOST = 'db.external.example';
const GATEWAY_HOST = 'exit.istio-system.svc.cluster.local';
const NET = '/apis/networking.istio.io/v1';

interface Proxy {
  proc: AgentProcess;
  inbound: number;
  outbound: number;
  admin: number;
}

let cp: CpProcess;
let db: Server;
/** Requests the external host answered. */
let served = 0;
let dir: string;
const procs: AgentProcess[] = [];

async function proxy(args: string[]): Promise<Proxy> {
  const [inbound, outbound, admin] = [await freePort(), await freePort(), await freePort()];
  const proc = spawnAgent([
    'sidecar',
    ...args,
    ...['--app-port', '1', '--sampling', '0', '--control-plane', cp.url],
    ...['--control-plane-token-file', cp.tokenFile as string],
    ...[
      '--inbound-port',
      String(inbound),
      '--outbound-port',
      String(outbound),
      '--admin-port',
      String(admin),
    ],
  ]);
  procs.push(proc);
  await waitFor(
    async () => {
      if (proc.child.exitCode !== null) throw new Error(`sidecar exited: ${proc.output()}`);
      return (await fetch(`http://127.0.0.1:${admin}/ready`)).ok;
    },
    { what: `sidecar ${args.join(' ')}`, timeoutMs: 15_000 },
  );
  return { proc, inbound, outbound, admin };
}

async function apply(resource: MeshResource): Promise<void> {
  const r = await new MeshConfigClient({ baseUrl: cp.url, token: cp.token }).apply(resource);
  expect(r.ok ? 'applied' : `${r.message} ${JSON.stringify(r.causes)}`).toBe('applied');
}

const external = (port: number): ServiceEntry => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'ServiceEntry',
  metadata: { name: 'db', namespace: 'default' },
  spec: {
    hosts: [HOST],
    location: 'MESH_EXTERNAL',
    resolution: 'STATIC',
    ports: [{ number: 443, name: 'http-tls', protocol: 'HTTP' }],
    endpoints: [{ address: '127.0.0.1', ports: { 'http-tls': port } }],
  },
});
const originate = (caFile: string): DestinationRule => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: { name: 'db', namespace: 'default' },
  spec: { host: HOST, trafficPolicy: { tls: { mode: 'SIMPLE', caCertificates: caFile, sni: HOST } } },
});

/** The gateway's istio_requests_total lines out to the external host with these flags. */
async function gatewayLines(gw: Proxy, flags: string): Promise<string[]> {
  const scrape = (await getText(`http://127.0.0.1:${gw.admin}/stats/prometheus`)).body;
  return scrape
    .split('\n')
    .filter(
      (l) =>
        l.startsWith('istio_requests_total{') &&
        l.includes(`destination_service="${HOST}"`) &&
        l.includes(`response_flags="${flags}"`),
    );
}

/** Requests the gateway counted out to the external host with UF among their flags. */
async function upstreamFailures(gw: Proxy): Promise<number> {
  const lines = [...(await gatewayLines(gw, 'UF')), ...(await gatewayLines(gw, 'UF,URX'))];
  return lines.reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/** Sends until the answer's status is `status` (a config change reaches both proxies through the watch). */
async function sendUntil(client: Proxy, status: number) {
  return waitFor(
    async () => {
      const r = await send(client.outbound, { host: HOST, path: '/rows' });
      return r.status === status && r;
    },
    { what: `a ${status} from ${HOST}`, timeoutMs: 15_000, intervalMs: 200 },
  );
}

let gw: Proxy;
let client: Proxy;
let dbPort: number;
let goodCa: string;
let otherCa: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshlens-egress-gw-'));
  cp = await startCp({ token: 'egress-token' });
  const site = await externalCertificates(HOST);
  const other = await externalCertificates(HOST);
  goodCa = join(dir, 'db-ca.pem');
  otherCa = join(dir, 'other-ca.pem');
  writeFileSync(goodCa, site.caPem);
  writeFileSync(otherCa, other.caPem);
  db = createServer({ key: site.keyPem, cert: site.certPem }, (req, res) => {
    req.resume();
    served++;
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`db ${req.url}`);
  });
  await new Promise<void>((resolve) => db.listen(0, '127.0.0.1', resolve));
  dbPort = (db.address() as AddressInfo).port;

  // The gateway's Service selects its workload by the label it registers, as the Gateway does.
  await apply({
    apiVersion: 'networking.istio.io/v1',
    kind: 'ServiceEntry',
    metadata: { name: 'exit', namespace: 'istio-system' },
    spec: {
      hosts: [GATEWAY_HOST],
      location: 'MESH_INTERNAL',
      resolution: 'STATIC',
      ports: [{ number: 80, name: 'http', protocol: 'HTTP' }],
      workloadSelector: { labels: { istio: 'egressgateway' } },
    },
  });
  await apply(external(dbPort));
  await apply({
    apiVersion: 'networking.istio.io/v1',
    kind: 'Gateway',
    metadata: { name: 'egress', namespace: 'istio-system' },
    spec: {
      selector: { istio: 'egressgateway' },
      servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: [HOST] }],
    },
  });
  await apply({
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'db-through-egress', namespace: 'default' },
    spec: {
      hosts: [HOST],
      gateways: ['mesh', 'istio-system/egress'],
      http: [
        {
          match: [{ gateways: ['mesh'] }],
          route: [{ destination: { host: GATEWAY_HOST, port: { number: 80 } } }],
        },
        {
          match: [{ gateways: ['istio-system/egress'] }],
          route: [{ destination: { host: HOST, port: { number: 443 } } }],
        },
      ],
    },
  });
  await apply(originate(goodCa));
  [gw, client] = await Promise.all([
    proxy(
      ['--mode', 'gateway', '--service', 'exit', '--namespace', 'istio-system'].concat([
        '--label',
        'istio=egressgateway',
      ]),
    ),
    proxy(['--service', 'ratings']),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  await new Promise<void>((resolve) => {
    db?.closeAllConnections();
    db ? db.close(() => resolve()) : resolve();
  });
  await cp?.stop();
  if (cp) await removeDir(cp.dataDir);
  rmSync(dir, { recursive: true, force: true });
});

describe('egress gateway processes', () => {
  it('the gateway registers its label, is selected by it, and originates TLS to the external host', async () => {
    // Ready means configured; the registration is its own request and may land a moment later.
    const labels = await waitFor(
      async () => {
        const entries = await call(cp, 'GET', `${NET}/namespaces/istio-system/workloadentries`);
        const all = entries.body.items.map((e: { spec: { labels: object } }) => e.spec.labels);
        return all.length > 0 && all;
      },
      { what: 'the gateway registered', timeoutMs: 10_000, intervalMs: 100 },
    );
    expect(labels).toContainEqual(expect.objectContaining({ app: 'exit', istio: 'egressgateway' }));
    // The dashboard's read finds it by that label (across namespaces), whatever its name.
    const config = await fetchMeshConfig(new MeshConfigClient({ baseUrl: cp.url, token: cp.token }), [
      'default',
    ]);
    expect(config.ok && [...egressGatewayWorkloads(config.value.gatewayWorkloads)]).toEqual([
      'istio-system/exit-v1',
    ]);
    const r = await sendUntil(client, 200);
    expect(r.body).toBe('db /rows');
    expect(await gatewayLines(gw, '-')).toHaveLength(1);
  });

  it('a certificate the gateway cannot verify: UF with the TLS reason in words, nothing forwarded', async () => {
    await apply(originate(otherCa));
    const r = await sendUntil(client, 503);
    const servedBefore = served;
    expect((await send(client.outbound, { host: HOST, path: '/rows' })).status).toBe(503);
    expect(served).toBe(servedBefore);
    expect(r.body).toMatch(/transport failure reason: TLS error: CERTIFICATE_VERIFY_FAILED/);
    const log = JSON.parse((await getText(`http://127.0.0.1:${gw.admin}/access_log?limit=20`)).body);
    const failed = (log.entries ?? log).find((e: { response_flags: string }) =>
      e.response_flags.split(',').includes('UF'),
    );
    expect(failed).toMatchObject({ response_code: 503, authority: HOST });
    expect(failed.upstream_transport_failure_reason).toMatch(/^TLS error: .*CERTIFICATE_VERIFY_FAILED/);
    expect(await upstreamFailures(gw)).toBeGreaterThan(0);
    await apply(originate(goodCa));
    await sendUntil(client, 200);
  });

  it('an unreachable external host: UF (connection refused), counted, no TLS reason', async () => {
    const before = await upstreamFailures(gw);
    await apply(external(await freePort()));
    const r = await sendUntil(client, 503);
    expect(await upstreamFailures(gw)).toBeGreaterThan(before);
    expect(r.body).toMatch(/upstream connect error/);
    const log = JSON.parse((await getText(`http://127.0.0.1:${gw.admin}/access_log?limit=5`)).body);
    const [last] = log.entries ?? log;
    expect(last.response_flags.split(',')).toContain('UF');
    expect(last.upstream_transport_failure_reason).toBe('-');
    await apply(external(dbPort));
  });
});

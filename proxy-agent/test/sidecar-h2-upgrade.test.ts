// HTTP/1.1 in, HTTP/2 out (issue 16), with sidecars as standalone processes and an app that speaks only
// h2c: the outbound path upgrades when the DestinationRule says `h2UpgradePolicy: UPGRADE`, and the
// inbound path talks h2c to an app whose port is declared HTTP/2 (`http2-*`) or gRPC.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, serviceEntry, workloadEntry, yamlDocs } from './sidecar-harness';
import { type AgentProcess, freePort, spawnAgent, waitFor } from './support/processes';

const dir = mkdtempSync(join(tmpdir(), 'meshlens-h2-upgrade-'));
const procs: AgentProcess[] = [];
let app: Http2Server;
let appPort: number;

/** An h2c-only app: it answers what it saw, in JSON; an HTTP/1.1 request gets no answer from it. */
async function startH2App(): Promise<void> {
  app = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.end(
        JSON.stringify({
          version: req.httpVersion,
          method: req.method,
          path: req.url,
          authority: req.headers[':authority'],
          traced: typeof req.headers['x-b3-traceid'] === 'string',
          body,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  appPort = (app.address() as AddressInfo).port;
}

const upgrade = (host: string) => `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ${host}, namespace: default}
spec:
  host: ${host}.default.svc.cluster.local
  trafficPolicy: {connectionPool: {http: {h2UpgradePolicy: UPGRADE}}}
`;

async function spawnSidecar(service: string, config: string, appPortOf: number, inbound?: number) {
  const ports = {
    inbound: inbound ?? (await freePort()),
    outbound: await freePort(),
    admin: await freePort(),
  };
  const proc = spawnAgent([
    'sidecar',
    ...['--service', service, '--config', config, '--app-port', String(appPortOf)],
    ...['--inbound-port', String(ports.inbound), '--outbound-port', String(ports.outbound)],
    ...['--admin-port', String(ports.admin)],
    ...['--otlp-endpoint', `http://127.0.0.1:${await freePort()}/v1/traces`],
  ]);
  procs.push(proc);
  await waitFor(() => proc.output().includes(' ready: '), {
    timeoutMs: 15_000,
    what: `${service}'s sidecar`,
  });
  return ports;
}

let caller: { outbound: number };
let h2Callee: { inbound: number };

beforeAll(async () => {
  await startH2App();
  const h2CalleeInbound = await freePort();
  const config = join(dir, 'mesh.yaml');
  writeFileSync(
    config,
    yamlDocs(
      // `upgraded`: an HTTP port whose DestinationRule asks for HTTP/2, served by the app itself.
      serviceEntry('upgraded'),
      workloadEntry('upgraded', 'v1', appPort),
      upgrade('upgraded'),
      // `plain`: the same app with no upgrade asked for (HTTP/1.1 upstream, which the app refuses).
      serviceEntry('plain'),
      workloadEntry('plain', 'v1', appPort),
      // `streams`: the app behind its own sidecar, its port declared HTTP/2 by name.
      serviceEntry('streams', 9080, { portName: 'http2-api' }),
      workloadEntry('streams', 'v1', h2CalleeInbound, { portName: 'http2-api' }),
    ),
  );
  [caller, h2Callee] = await Promise.all([
    spawnSidecar('productpage', config, await freePort()),
    spawnSidecar('streams', config, appPort, h2CalleeInbound),
  ]);
});

afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  await new Promise<void>((resolve) => app.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

describe('HTTP/1.1 to an HTTP/2 upstream', () => {
  it("upgrades the outbound request when the DestinationRule's h2UpgradePolicy is UPGRADE", async () => {
    const r = await send(caller.outbound, {
      method: 'POST',
      path: '/rate?x=1',
      host: 'upgraded',
      body: 'five!',
    });
    expect(r.status).toBe(200);
    const seen = JSON.parse(r.body) as Record<string, unknown>;
    expect(seen).toMatchObject({
      version: '2.0',
      method: 'POST',
      path: '/rate?x=1',
      body: 'five!',
      traced: true,
    });
    expect(seen.authority).toBe('upgraded');
    // HTTP/2's repeated header comes back as repeated HTTP/1.1 headers; no pseudo-header leaks.
    expect(r.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(Object.keys(r.headers).some((h) => h.startsWith(':'))).toBe(false);
  });

  it('keeps HTTP/1.1 upstream without the policy (an h2c-only app cannot answer it)', async () => {
    const r = await send(caller.outbound, { path: '/rate', host: 'plain' });
    expect(r.status).toBeGreaterThanOrEqual(500);
  });

  it('talks h2c to an app whose port is declared http2-*, when the request came in as HTTP/1.1', async () => {
    const r = await send(h2Callee.inbound, {
      method: 'PUT',
      path: '/items/7',
      host: 'streams',
      body: 'x'.repeat(100),
    });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({
      version: '2.0',
      method: 'PUT',
      path: '/items/7',
      body: 'x'.repeat(100),
    });
  });

  it('carries a whole mesh hop: HTTP/1.1 from the app, HTTP/2 between the sidecars and to the app', async () => {
    const r = await send(caller.outbound, { path: '/list', host: 'streams' });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ version: '2.0', path: '/list', traced: true });
  });
});

// Prometheus discovery with the real Prometheus binary: it finds a registered instance through the
// control plane's http_sd endpoint (with the bearer token) and scrapes its metrics, labels included.
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpSdScrapeConfig, type RunningPrometheus, startPrometheus } from '../src/prometheus';
import { type Registration, startRegistration } from '../src/sidecar-config/registration';
import { type CpProcess, type Json, removeDir, startCp, tempDir } from './control-plane-helpers';
import { freePort, waitFor } from './support/processes';

let plane: CpProcess;
let prometheus: RunningPrometheus;
let metricsServer: Server;
let registration: Registration;
let promDir: string;

beforeAll(async () => {
  plane = await startCp({ token: 'prom-token' });
  // Stands in for a sidecar's admin listener: Prometheus text at /stats/prometheus.
  metricsServer = createServer((req, res) => {
    if (req.url !== '/stats/prometheus') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(
      '# TYPE istio_requests_total counter\nistio_requests_total{reporter="destination",response_code="200"} 42\n',
    );
  });
  await new Promise<void>((r) => metricsServer.listen(0, '127.0.0.1', r));
  const adminPort = (metricsServer.address() as AddressInfo).port;
  registration = startRegistration({
    controlPlaneUrl: plane.url,
    token: plane.token,
    namespace: 'bookinfo',
    app: 'reviews',
    version: 'v3',
    inboundPort: await freePort(),
    adminPort,
    heartbeatMs: 500,
  });
  await registration.registered;
  promDir = await tempDir('meshlens-prom-');
  // Prometheus sends the whole file as the credential: the bare token, not the `token,user` line.
  const credentials = join(promDir, 'token');
  await writeFile(credentials, plane.token as string, { mode: 0o600 });
  prometheus = await startPrometheus({
    dataDir: promDir,
    scrapeInterval: '1s',
    scrapeConfigs: [
      httpSdScrapeConfig('meshlens-sidecars', `${plane.url}/v1/prometheus/sd`, {
        refreshInterval: '1s',
        credentialsFile: credentials,
      }),
    ],
  });
}, 60_000);

afterAll(async () => {
  await registration?.close();
  await prometheus?.stop();
  await new Promise((r) => metricsServer?.close(r));
  await plane?.stop();
  if (plane) await removeDir(plane.dataDir);
  if (promDir) await removeDir(promDir);
});

async function query(q: string): Promise<Json[]> {
  const res = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = (await res.json()) as Json;
  return body.data.result;
}

describe('Prometheus discovery', () => {
  it('scrapes the sidecars it discovers from the control plane, with their labels', async () => {
    const [up] = await waitFor(
      async () => {
        const r = await query('up{job="meshlens-sidecars"}');
        return r.length > 0 && r[0].value[1] === '1' && r;
      },
      {
        timeoutMs: 30_000,
        intervalMs: 250,
        what: `a scraped target (prometheus log: ${prometheus.output().slice(-500)})`,
      },
    );
    expect(up.metric).toMatchObject({
      job: 'meshlens-sidecars',
      namespace: 'bookinfo',
      app: 'reviews',
      version: 'v3',
      workload: 'reviews-v3',
      instance: `127.0.0.1:${(metricsServer.address() as AddressInfo).port}`,
    });
    const [requests] = await query('istio_requests_total{workload="reviews-v3"}');
    expect(requests?.value[1]).toBe('42');
    expect(prometheus.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(prometheus.configFile).toBe(join(promDir, 'prometheus.yml'));
  });

  it('drops a deregistered instance from discovery', async () => {
    await registration.close();
    await waitFor(
      async () => {
        const res = await fetch(`${prometheus.url}/api/v1/targets?state=active`);
        const body = (await res.json()) as Json;
        return body.data.activeTargets.filter((t: Json) => t.labels.job === 'meshlens-sidecars').length === 0;
      },
      { timeoutMs: 15_000, intervalMs: 250, what: 'the target to leave Prometheus' },
    );
  });
});

// The sidecar under hostile input (issue 14), on real sockets: odd request targets on every listener, a
// failing part behind the guard, a flood of forged caller identities and label sets, catastrophic
// regexes, and clients that trickle a head, stall a body or open too many connections. Each ends in a
// clear answer while the sidecar keeps serving.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FastListener } from '../src/sidecar/fast-listener';
import { SidecarMetrics } from '../src/sidecar/metrics';
import { encodePeer, PEER_HEADER } from '../src/sidecar/peer-metadata';
import { type SidecarOptions, startSidecar } from '../src/sidecar/sidecar';
import type { SidecarMetricsApi } from '../src/sidecar/telemetry-types';
import { parseConfigText, staticSource } from '../src/sidecar-config/static-file-source';
import {
  getText,
  named,
  openedResources,
  recordingTracer,
  send,
  serviceEntry,
  startUpstream,
  virtualService,
  workloadEntry,
  yamlDocs,
} from './sidecar-harness';
import { freePort, spawnAgent, waitFor } from './support/processes';

const resources = openedResources();
afterEach(resources.closeAll);

const logged: string[] = [];

async function sidecar(opts: Partial<SidecarOptions> & { vs?: string; extraYaml?: string } = {}) {
  const app = resources.track(await startUpstream(named('app')));
  const reviews = resources.track(await startUpstream(named('reviews')));
  const docs = [serviceEntry('reviews'), workloadEntry('reviews', 'v1', reviews.port)];
  if (opts.vs) docs.push(virtualService('reviews', opts.vs));
  if (opts.extraYaml) docs.push(opts.extraYaml);
  const s = await startSidecar({
    service: 'productpage',
    appPort: app.port,
    configSource: staticSource(parseConfigText(yamlDocs(...docs), 'mesh.yaml')),
    metrics: new SidecarMetrics(),
    tracer: recordingTracer().tracer,
    log: (line) => logged.push(line),
    ...opts,
  });
  return resources.track(s);
}

interface RawAnswer {
  /** Everything the server sent until it closed (or the bound passed). */
  text: string;
  status: number;
  /** The server closed the connection (not the test's bound). */
  closedByServer: boolean;
}

/**
 * Writes `data` on a fresh connection and reads until the server closes it or `boundMs` passes (a
 * bound on the test, not a timing assertion: a server that never answers fails the test).
 */
function raw(port: number, data: string, boundMs = 5000, keep?: (s: Socket) => void): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    let text = '';
    let byServer = true;
    const timer = setTimeout(() => {
      byServer = false;
      s.destroy();
    }, boundMs);
    s.on('data', (d: Buffer) => {
      text += d.toString('latin1');
    });
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ text, status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), closedByServer: byServer });
    });
    if (data) s.write(data);
    keep?.(s);
  });
}

async function until(done: () => boolean | Promise<boolean>, what: string, boundMs = 10_000) {
  const deadline = Date.now() + boundMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const ODD_TARGETS = ['//[', 'http://[', '/%zz', '*', 'http://reviews:99999/', '/%', 'http://a b/'];

describe('every listener behind the guard', () => {
  for (const fastPath of [true, false]) {
    it(`answers odd request targets on each port and keeps serving (fast path ${fastPath ? 'on' : 'off'})`, async () => {
      const s = await sidecar({ fastPath });
      for (const [name, port] of Object.entries(s.ports)) {
        for (const target of ODD_TARGETS) {
          const r = await raw(port, `GET ${target} HTTP/1.1\r\nHost: reviews\r\nconnection: close\r\n\r\n`);
          expect(r.status, `${name} ${target}: ${r.text.slice(0, 60)}`).toBeGreaterThanOrEqual(200);
          expect(r.closedByServer).toBe(true);
        }
      }
      expect((await send(s.ports.outbound, { host: 'reviews' })).body).toBe('reviews');
      expect((await getText(`http://127.0.0.1:${s.ports.admin}/ready`)).status).toBe(200);
    });
  }

  it('answers 500 when a part of the admin listener throws, and keeps serving', async () => {
    const broken = new SidecarMetrics();
    const metrics: SidecarMetricsApi = {
      recordRequest: (r) => broken.recordRequest(r),
      tcp: (r) => broken.tcp(r),
      cluster: (c) => broken.cluster(c),
      setEndpoints: (e) => broken.setEndpoints(e),
      exposition: () => {
        throw new Error('broken exposition');
      },
    };
    const s = await sidecar({ metrics });
    const r = await getText(`http://127.0.0.1:${s.ports.admin}/stats/prometheus`);
    expect(r.status).toBe(500);
    expect(
      logged.some((l) => l.includes('sidecar admin: internal error') && l.includes('broken exposition')),
    ).toBe(true);
    expect((await getText(`http://127.0.0.1:${s.ports.admin}/ready`)).status).toBe(200);
    expect((await send(s.ports.outbound, { host: 'reviews' })).status).toBe(200);
  });

  it('answers a throwing fast-path handler with 400 or 500 and keeps the connection and process', async () => {
    const lines: string[] = [];
    const listener = new FastListener({
      handler: (req, res) => {
        if (req.url === '/async') return Promise.reject(new Error('async failure'));
        const url = new URL(req.url, 'http://x'); // throws on `//[`
        res.writeHead(200, ['content-length', String(url.pathname.length)]);
        res.end(url.pathname);
      },
      fallback: (await import('node:http')).createServer(),
      maxHeaderSize: 16 * 1024,
      keepAliveTimeoutMs: 5000,
      onClientError: (_e, socket) => socket.destroy(),
      limits: { headersTimeoutMs: 5000, streamIdleTimeoutMs: 5000, maxConnections: 10 },
      name: 'test fast',
      log: (l) => lines.push(l),
    });
    await new Promise<void>((r) => listener.server.listen(0, '127.0.0.1', r));
    resources.track({
      close: () =>
        new Promise<void>((r) => {
          listener.closeAllConnections();
          listener.server.close(() => r());
        }),
    });
    const port = (listener.server.address() as AddressInfo).port;
    const r = await raw(
      port,
      'GET //[ HTTP/1.1\r\nHost: x\r\n\r\nGET /async HTTP/1.1\r\nHost: x\r\n\r\nGET /ok HTTP/1.1\r\nHost: x\r\nconnection: close\r\n\r\n',
    );
    const statuses = [...r.text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
    expect(statuses).toEqual(['400', '500', '200']);
    expect(r.text.endsWith('/ok')).toBe(true);
    expect(lines.some((l) => l.startsWith('test fast: bad request on GET //['))).toBe(true);
    expect(lines.some((l) => l.startsWith('test fast: internal error on GET /async'))).toBe(true);
  });
});

describe("the caller's identity header", () => {
  it('is not believed over plaintext, forged or naming a known workload: no series beyond unknown', async () => {
    const s = await sidecar();
    const forged = (i: number) =>
      encodePeer({
        workload: `forged-${i}`,
        namespace: 'default',
        app: `forged-${i}`,
        version: 'v1',
        canonicalService: `forged-${i}`,
        canonicalRevision: 'v1',
        principal: 'unknown',
      });
    for (let i = 0; i < 200; i++) {
      const r = await send(s.ports.inbound, { host: 'productpage', headers: { [PEER_HEADER]: forged(i) } });
      expect(r.status).toBe(200);
    }
    const known = encodePeer({
      workload: 'reviews-v1',
      namespace: 'default',
      app: 'reviews',
      version: 'v1',
      canonicalService: 'reviews',
      canonicalRevision: 'v1',
      principal: 'unknown',
    });
    expect(
      (await send(s.ports.inbound, { host: 'productpage', headers: { [PEER_HEADER]: known } })).status,
    ).toBe(200);
    const body = (await getText(`http://127.0.0.1:${s.ports.admin}/stats/prometheus`)).body;
    const lines = body.split('\n').filter((l) => l.startsWith('istio_requests_total{'));
    expect(body).not.toContain('forged-');
    // Only a verified client certificate names a caller (mtls-sidecars.test.ts); plaintext is unknown.
    expect(lines).toHaveLength(1);
    expect(lines.find((l) => l.includes('source_workload="unknown"'))).toMatch(/ 201$/);
  });

  it('caps the metric series: new label sets fold into one overflow series, counted, and the scrape stays whole', async () => {
    // REGISTRY_ONLY: unknown hosts are refused at once (BlackHoleCluster), no DNS lookups.
    const registryOnly =
      'apiVersion: mesh.meshlens.io/v1alpha1\nkind: MeshConfig\nmetadata: {name: default, namespace: istio-system}\nspec: {outboundTrafficPolicy: {mode: REGISTRY_ONLY}}\n';
    const s = await sidecar({ metrics: undefined, maxMetricSeries: 20, extraYaml: registryOnly });
    // Each unknown Host makes a new destination_service label set, as many as a client likes.
    for (let i = 0; i < 100; i++) {
      const r = await send(s.ports.outbound, { host: `host-${i}.example` });
      expect(r.status).toBe(502);
    }
    const r = await getText(`http://127.0.0.1:${s.ports.admin}/stats/prometheus`);
    expect(r.status).toBe(200);
    const lines = r.body.split('\n').filter((l) => l.startsWith('istio_requests_total{'));
    expect(lines).toHaveLength(21);
    expect(lines.find((l) => l.includes('destination_service="unknown"'))).toMatch(/ 80$/);
    expect(r.body).toMatch(/\nmeshlens_metric_series_overflow_total 80\n/);
    expect((await send(s.ports.outbound, { host: 'reviews' })).body).toBe('reviews');
  });
});

describe('route regexes (RE2)', () => {
  it('matches a catastrophic pattern in linear time, as a full match, and keeps serving', async () => {
    const s = await sidecar({
      vs: `  - match: [{uri: {regex: "/(a+)+b"}}]
    route: [{destination: {host: reviews}}]
`,
    });
    // 28 a's: seconds of backtracking for JavaScript's engine; RE2 answers at once (the route does not match).
    const evil = `/${'a'.repeat(28)}`;
    const r = await send(s.ports.outbound, { host: 'reviews', path: evil });
    expect(r.status).toBe(404);
    expect((await send(s.ports.outbound, { host: 'reviews', path: '/aab' })).body).toBe('reviews');
    // A full match: a path the pattern only contains does not match.
    expect((await send(s.ports.outbound, { host: 'reviews', path: '/aab/x' })).status).toBe(404);
  });

  it('refuses at start-up a static config whose regex RE2 does not accept, naming the field', async () => {
    await expect(
      sidecar({
        vs: `  - match: [{headers: {x-user: {regex: "(a)\\\\1"}}}]
    route: [{destination: {host: reviews}}]
`,
      }),
    ).rejects.toThrow(/spec\.http\[0\]\.match\[0\]\.headers\.x-user\.regex/);
  });
});

describe('downstream limits', () => {
  for (const fastPath of [true, false]) {
    const mode = fastPath ? 'fast path' : 'node:http';
    it(`answers a head trickled byte by byte with 408 after the headers timeout (${mode})`, async () => {
      const s = await sidecar({ fastPath, limits: { headersTimeoutMs: 300 } });
      const head = 'GET / HTTP/1.1\r\nHost: reviews\r\nx-slow: ';
      let timer: NodeJS.Timeout | undefined;
      const r = await raw(s.ports.outbound, head, 10_000, (sock) => {
        // One byte every 100 ms resets any idle timer; only a head deadline ends this.
        timer = setInterval(() => sock.write('a'), 100);
        sock.on('close', () => clearInterval(timer));
      });
      expect(r.closedByServer).toBe(true);
      expect(r.status).toBe(408);
      expect((await send(s.ports.outbound, { host: 'reviews' })).body).toBe('reviews');
    });

    it(`answers a Content-Length with no body with 408 after the stream idle timeout (${mode})`, async () => {
      const s = await sidecar({ fastPath, limits: { streamIdleTimeoutMs: 300 } });
      const r = await raw(
        s.ports.outbound,
        'POST / HTTP/1.1\r\nHost: reviews\r\ncontent-length: 100\r\n\r\nab',
      );
      expect(r.closedByServer).toBe(true);
      expect(r.status).toBe(408);
      expect((await send(s.ports.outbound, { host: 'reviews' })).body).toBe('reviews');
    });

    it(`answers connections past the cap with 503 (OM) and closes them (${mode})`, async () => {
      const s = await sidecar({ fastPath, limits: { maxConnections: 3 } });
      const held: Socket[] = [];
      for (let i = 0; i < 3; i++) {
        const sock = connect({ host: '127.0.0.1', port: s.ports.outbound });
        sock.on('error', () => {});
        held.push(sock);
      }
      resources.track({
        close: async () => {
          for (const h of held) h.destroy();
        },
      });
      await until(() => held.every((h) => !h.connecting), 'the held connections to open');
      // The server counts a connection when it accepts it: poll until the fourth is refused.
      let r: RawAnswer | undefined;
      await until(async () => {
        r = await raw(s.ports.outbound, 'GET / HTTP/1.1\r\nHost: reviews\r\n\r\n');
        return r.status === 503;
      }, 'a connection past the cap to be refused');
      expect(r?.text).toMatch(/x-envoy-response-flags: OM/i);
      expect(r?.text.endsWith('envoy overloaded')).toBe(true);
      expect(r?.closedByServer).toBe(true);
      for (const h of held.splice(0)) h.destroy();
      await until(
        async () =>
          (await send(s.ports.outbound, { host: 'reviews' }).catch(() => undefined))?.status === 200,
        'the listener to serve again once connections close',
      );
    });
  }
});

describe('the sidecar CLI under attack', () => {
  it('takes the limits from its flags, answers odd targets and hostile clients, and keeps serving', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshlens-attack-sidecar-'));
    resources.track({ close: async () => rmSync(dir, { recursive: true, force: true }) });
    const reviews = resources.track(await startUpstream(named('reviews')));
    const file = join(dir, 'mesh.yaml');
    writeFileSync(file, yamlDocs(serviceEntry('reviews'), workloadEntry('reviews', 'v1', reviews.port)));
    const ports = { inbound: await freePort(), outbound: await freePort(), admin: await freePort() };
    const proc = spawnAgent([
      'sidecar',
      '--service',
      'productpage',
      '--app-port',
      String(await freePort()),
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
      '--request-headers-timeout',
      '300',
      '--max-metric-series',
      '5',
      '--max-connections',
      '50',
    ]);
    resources.track({ close: async () => void (await proc.stop()) });
    await waitFor(() => proc.output().includes(' ready: '), { timeoutMs: 15_000, what: 'the sidecar' });

    for (const port of Object.values(ports))
      for (const target of ODD_TARGETS) {
        const r = await raw(port, `GET ${target} HTTP/1.1\r\nHost: reviews\r\nconnection: close\r\n\r\n`);
        expect(r.status, `${port} ${target}`).toBeGreaterThanOrEqual(200);
      }
    const trickled = await raw(ports.outbound, 'GET / HTTP/1.1\r\nHost: reviews\r\n', 10_000, (sock) => {
      const timer = setInterval(() => sock.write('x'), 100);
      sock.on('close', () => clearInterval(timer));
    });
    expect(trickled.status).toBe(408);
    for (let i = 0; i < 30; i++) await send(ports.outbound, { host: `h${i}.example` });
    const scrape = await getText(`http://127.0.0.1:${ports.admin}/stats/prometheus`);
    expect(
      scrape.body.split('\n').filter((l) => l.startsWith('istio_requests_total{')).length,
    ).toBeLessThanOrEqual(6);
    expect(scrape.body).toMatch(/\nmeshlens_metric_series_overflow_total [1-9]\d*\n/);
    expect((await send(ports.outbound, { host: 'reviews' })).body).toBe('reviews');
    expect(proc.child.exitCode).toBeNull();
  });
});

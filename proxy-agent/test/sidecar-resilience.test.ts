// Retries, timeouts, outlier detection, circuit breaking, fault injection and malformed input, through a
// real sidecar to real upstream servers: the Envoy status codes and response flags each one produces.
import { request, type ServerResponse } from 'node:http';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SidecarMetrics } from '../src/sidecar/metrics';
import { type SidecarHandle, startSidecar } from '../src/sidecar/sidecar';
import { parseConfigText, staticSource } from '../src/sidecar-config/static-file-source';
import {
  getText,
  recordingTracer,
  send,
  serviceEntry,
  startUpstream,
  type Upstream,
  type UpstreamHandler,
  virtualService,
  workloadEntry,
  yamlDocs,
} from './sidecar-harness';
import { freePort, waitFor } from './support/processes';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});
afterAll(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

async function upstream(handler: UpstreamHandler): Promise<Upstream> {
  const u = await startUpstream(handler);
  open.push(u);
  return u;
}

/** A sidecar for `reviews` whose endpoints are the given ports, with extra DestinationRule/VirtualService. */
async function sidecarFor(ports: number[], extra: { dr?: string; vs?: string } = {}) {
  const docs = [
    serviceEntry('reviews'),
    ...ports.map((p, i) => workloadEntry('reviews', 'v1', p, { name: `reviews-${i}` })),
  ];
  if (extra.dr)
    docs.push(`apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: default}
spec:
  host: reviews
${extra.dr}`);
  if (extra.vs) docs.push(virtualService('reviews', extra.vs));
  const traces = recordingTracer();
  const metrics = new SidecarMetrics();
  const sidecar: SidecarHandle = await startSidecar({
    service: 'productpage',
    appPort: await freePort(),
    configSource: staticSource(parseConfigText(yamlDocs(...docs), 'mesh.yaml')),
    metrics,
    tracer: traces.tracer,
    log: () => {},
  });
  open.push(sidecar);
  const call = (opts: Parameters<typeof send>[1] = {}) =>
    send(sidecar.ports.outbound, { host: 'reviews', path: '/r', ...opts });
  const scrape = async () => (await getText(`http://127.0.0.1:${sidecar.ports.admin}/stats/prometheus`)).body;
  const clusters = async () =>
    JSON.parse((await getText(`http://127.0.0.1:${sidecar.ports.admin}/clusters`)).body) as {
      clusters: Array<{
        name: string;
        pendingRequests: number;
        activeRequests: number;
        endpoints: Array<{
          address: string;
          ejected: boolean;
          ejectedUntil: string | null;
          activeRequests: number;
          timesEjected: number;
        }>;
      }>;
    };
  return { sidecar, call, scrape, clusters, spans: traces.spans };
}

function statValue(text: string, name: string, cluster: string): number {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && l.includes(`cluster_name="${cluster}"`));
  return line === undefined ? Number.NaN : Number(line.split(' ').at(-1));
}

const CLUSTER = 'outbound|9080||reviews.default.svc.cluster.local';

describe('retries', () => {
  it('hide 503s within the attempts, replaying the request body, and count as retries', async () => {
    const flaky = await upstream((_req, res, _body, n) => {
      res.writeHead(n <= 2 ? 503 : 200);
      res.end(n <= 2 ? 'busy' : 'ok');
    });
    const { call, scrape, spans } = await sidecarFor([flaky.port], {
      vs: '  - route: [{destination: {host: reviews}}]\n    retries: {attempts: 3, retryOn: 5xx}\n',
    });
    const r = await call({ method: 'POST', body: 'payload-123', headers: { 'content-type': 'text/plain' } });
    expect(r.status).toBe(200);
    expect(r.body).toBe('ok');
    expect(flaky.seen.map((s) => s.body)).toEqual(['payload-123', 'payload-123', 'payload-123']);
    const span = spans.at(-1);
    expect(span?.attempts.map((a) => [a.attempt, a.statusCode])).toEqual([
      [1, 503],
      [2, 503],
      [3, 200],
    ]);
    const text = await scrape();
    expect(statValue(text, 'envoy_cluster_upstream_rq_retry', CLUSTER)).toBe(2);
    expect(statValue(text, 'envoy_cluster_upstream_rq_retry_success', CLUSTER)).toBe(1);
  });

  it('answer the last code with URX when the attempts are exhausted', async () => {
    const down = await upstream((_req, res) => {
      res.writeHead(503);
      res.end('busy');
    });
    const { call, scrape } = await sidecarFor([down.port], {
      vs: '  - route: [{destination: {host: reviews}}]\n    retries: {attempts: 2, retryOn: gateway-error}\n',
    });
    const r = await call();
    expect(r.status).toBe(503);
    expect(r.headers['x-envoy-response-flags']).toBe('URX');
    expect(down.seen).toHaveLength(3);
    expect(await scrape()).toMatch(/istio_requests_total\{[^}]*response_code="503"[^}]*response_flags="URX"/);
  });

  it('do not retry what retryOn does not name', async () => {
    const conflict = await upstream((_req, res) => {
      res.writeHead(500);
      res.end();
    });
    const { call } = await sidecarFor([conflict.port], {
      vs: '  - route: [{destination: {host: reviews}}]\n    retries: {attempts: 3, retryOn: retriable-4xx}\n',
    });
    expect((await call()).status).toBe(500);
    expect(conflict.seen).toHaveLength(1);
  });
});

describe('timeouts and connection failures', () => {
  it('answers 504 UT when the route timeout passes', async () => {
    const slow = await upstream((_req, res) => {
      setTimeout(() => res.end('late'), 1500).unref();
    });
    const { call } = await sidecarFor([slow.port], {
      vs: '  - route: [{destination: {host: reviews}}]\n    timeout: 150ms\n    retries: {attempts: 0}\n',
    });
    const t0 = Date.now();
    const r = await call();
    expect(r.status).toBe(504);
    expect(r.headers['x-envoy-response-flags']).toBe('UT');
    // Well before the upstream would have answered (1.5 s).
    expect(Date.now() - t0).toBeLessThan(1400);
  });

  it('retries a per-try timeout on another endpoint', async () => {
    const slow = await upstream((_req, res) => {
      setTimeout(() => res.end('late'), 1500).unref();
    });
    const fast = await upstream((_req, res) => res.end('fast'));
    const { call, spans } = await sidecarFor([slow.port, fast.port], {
      dr: '  trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}\n',
      vs: '  - route: [{destination: {host: reviews}}]\n    retries: {attempts: 2, perTryTimeout: 100ms, retryOn: reset}\n',
    });
    for (let i = 0; i < 2; i++) expect((await call()).body).toBe('fast');
    const timedOut = spans.flatMap((s) => s.attempts).find((a) => a.responseFlags === 'UT');
    expect(timedOut).toMatchObject({ statusCode: 0, endpoint: `127.0.0.1:${slow.port}` });
  });

  it('answers 503 UF for an endpoint that refuses connections, URX after retries', async () => {
    const dead = await freePort();
    const { call, spans } = await sidecarFor([dead]);
    const r = await call();
    expect(r.status).toBe(503);
    // Istio's default policy retries connect failures twice.
    expect(r.headers['x-envoy-response-flags']).toBe('UF,URX');
    expect(spans.at(-1)?.attempts).toHaveLength(3);
  });

  it('answers 503 UC when the upstream closes the connection before answering', async () => {
    const rude = await upstream((req) => {
      req.socket.destroy();
    });
    const { call } = await sidecarFor([rude.port], {
      vs: '  - route: [{destination: {host: reviews}}]\n    retries: {attempts: 0}\n',
    });
    const r = await call();
    expect(r.status).toBe(503);
    expect(r.headers['x-envoy-response-flags']).toBe('UC');
  });
});

describe('outlier detection', () => {
  it('ejects an endpoint after consecutive 5xx, answers UH with none left, and lets it return', async () => {
    let failing = true;
    const bad = await upstream((_req, res) => {
      res.writeHead(failing ? 500 : 200);
      res.end(failing ? 'bad' : 'good');
    });
    const { call, clusters, scrape } = await sidecarFor([bad.port], {
      dr: '  trafficPolicy:\n    outlierDetection: {consecutive5xxErrors: 3, interval: 1s, baseEjectionTime: 600ms, maxEjectionPercent: 100}\n',
      vs: '  - route: [{destination: {host: reviews}}]\n    retries: {attempts: 0}\n',
    });
    for (let i = 0; i < 3; i++) expect((await call()).status).toBe(500);
    const state = await clusters();
    const ep = state.clusters.find((c) => c.name === CLUSTER)?.endpoints[0];
    expect(ep).toMatchObject({ ejected: true, timesEjected: 1 });
    expect(ep?.ejectedUntil).not.toBeNull();
    const uh = await call();
    expect(uh.status).toBe(503);
    expect(uh.headers['x-envoy-response-flags']).toBe('UH');
    expect(bad.seen).toHaveLength(3);
    const text = await scrape();
    expect(statValue(text, 'envoy_cluster_outlier_detection_ejections_enforced_total', CLUSTER)).toBe(1);
    expect(statValue(text, 'envoy_cluster_outlier_detection_ejections_active', CLUSTER)).toBe(1);

    failing = false;
    const back = await waitFor(
      async () => {
        const r = await call();
        return r.status === 200 ? r : undefined;
      },
      { timeoutMs: 5000, intervalMs: 100, what: 'the ejected endpoint to return' },
    );
    expect(back.body).toBe('good');
  });

  it('keeps routing to the healthy endpoint while the bad one is ejected', async () => {
    const bad = await upstream((_req, res) => {
      res.writeHead(503);
      res.end();
    });
    const good = await upstream((_req, res) => res.end('good'));
    const { call } = await sidecarFor([bad.port, good.port], {
      dr: '  trafficPolicy:\n    loadBalancer: {simple: ROUND_ROBIN}\n    outlierDetection: {consecutiveGatewayErrors: 1, consecutive5xxErrors: 0, baseEjectionTime: 30s}\n',
    });
    // Istio's default retry policy retries the 503 on the other endpoint; the bad one is out after one.
    for (let i = 0; i < 10; i++) expect((await call()).status).toBe(200);
    expect(bad.seen.length).toBe(1);
  });

  it('excludes endpoints whose WorkloadEntry is not Healthy', async () => {
    const a = await upstream((_req, res) => res.end('a'));
    const b = await upstream((_req, res) => res.end('b'));
    const docs = yamlDocs(
      serviceEntry('reviews'),
      workloadEntry('reviews', 'v1', a.port),
      workloadEntry('reviews', 'v1', b.port, { healthy: false }),
    );
    const sidecar = await startSidecar({
      service: 'productpage',
      appPort: await freePort(),
      configSource: staticSource(parseConfigText(docs, 'mesh.yaml')),
      tracer: recordingTracer().tracer,
      log: () => {},
    });
    open.push(sidecar);
    const replies = await Promise.all(
      Array.from({ length: 10 }, () => send(sidecar.ports.outbound, { host: 'reviews' })),
    );
    expect(new Set(replies.map((r) => r.body))).toEqual(new Set(['a']));
    const metrics = (await getText(`http://127.0.0.1:${sidecar.ports.admin}/stats/prometheus`)).body;
    expect(statValue(metrics, 'envoy_cluster_membership_healthy', CLUSTER)).toBe(1);
    expect(statValue(metrics, 'envoy_cluster_membership_total', CLUSTER)).toBe(2);
  });
});

describe('circuit breaking', () => {
  it('queues up to http1MaxPendingRequests behind maxConnections and answers 503 UO beyond', async () => {
    const held: Array<() => void> = [];
    const slow = await upstream((_req, res) => {
      held.push(() => res.end('done'));
    });
    const { call, clusters, scrape } = await sidecarFor([slow.port], {
      dr: '  trafficPolicy:\n    connectionPool: {tcp: {maxConnections: 1}, http: {http1MaxPendingRequests: 1}}\n',
    });
    const first = call();
    await waitFor(() => slow.seen.length === 1, { what: 'the first request upstream' });
    const second = call();
    await waitFor(
      async () => (await clusters()).clusters.find((c) => c.name === CLUSTER)?.pendingRequests === 1,
      { what: 'the second request to wait for a connection' },
    );
    const third = await call();
    expect(third.status).toBe(503);
    expect(third.headers['x-envoy-response-flags']).toBe('UO');
    held.shift()?.();
    await waitFor(() => held.length === 1, { what: 'the queued request upstream' });
    held.shift()?.();
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    expect(statValue(await scrape(), 'envoy_cluster_upstream_rq_pending_overflow', CLUSTER)).toBe(1);
  });
});

describe('fault injection', () => {
  it('aborts with the configured status and flag FI, never reaching the upstream', async () => {
    const u = await upstream((_req, res) => res.end('ok'));
    const { call, scrape } = await sidecarFor([u.port], {
      vs: '  - route: [{destination: {host: reviews}}]\n    fault: {abort: {httpStatus: 418, percentage: {value: 100}}}\n',
    });
    const r = await call();
    expect(r.status).toBe(418);
    expect(r.headers['x-envoy-response-flags']).toBe('FI');
    expect(u.seen).toHaveLength(0);
    expect(await scrape()).toMatch(/istio_requests_total\{[^}]*response_code="418"[^}]*response_flags="FI"/);
  });

  it('delays by the fixed delay with flag DI, then answers from the upstream', async () => {
    const u = await upstream((_req, res) => res.end('ok'));
    const { call, scrape } = await sidecarFor([u.port], {
      vs: '  - route: [{destination: {host: reviews}}]\n    fault: {delay: {fixedDelay: 300ms, percentage: {value: 100}}}\n',
    });
    const t0 = Date.now();
    const r = await call();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(r.status).toBe(200);
    expect(r.headers['x-envoy-response-flags']).toBe('DI');
    expect(await scrape()).toMatch(/istio_requests_total\{[^}]*response_code="200"[^}]*response_flags="DI"/);
  });

  it('aborts about the configured share of requests', async () => {
    const u = await upstream((_req, res) => res.end('ok'));
    const { call } = await sidecarFor([u.port], {
      vs: '  - route: [{destination: {host: reviews}}]\n    fault: {abort: {httpStatus: 500, percentage: {value: 50}}}\n    retries: {attempts: 0}\n',
    });
    const replies = await Promise.all(Array.from({ length: 400 }, () => call()));
    const aborted = replies.filter((r) => r.status === 500).length;
    // Binomial(400, 0.5): sd 10; 4 sd either side.
    expect(aborted).toBeGreaterThan(160);
    expect(aborted).toBeLessThan(240);
  });
});

describe('downstream disconnects', () => {
  it('records code 0 with flag DC when the app hangs up before the answer, and frees the upstream', async () => {
    const held: ServerResponse[] = [];
    const slow = await upstream((_req, res) => {
      held.push(res);
    });
    const { sidecar, scrape, clusters } = await sidecarFor([slow.port]);
    const req = request({
      host: '127.0.0.1',
      port: sidecar.ports.outbound,
      path: '/r',
      headers: { host: 'reviews' },
    });
    req.on('error', () => {});
    req.end();
    await waitFor(() => slow.seen.length === 1, { what: 'the request upstream' });
    req.destroy();
    await waitFor(async () => /response_flags="DC"/.test(await scrape()), { what: 'the DC sample' });
    expect(await scrape()).toMatch(/istio_requests_total\{[^}]*response_code="0"[^}]*response_flags="DC"/);
    await waitFor(
      async () =>
        (await clusters()).clusters.find((c) => c.name === CLUSTER)?.endpoints[0]?.activeRequests === 0,
      { what: 'the endpoint to have no active request' },
    );
    for (const r of held) r.destroy();
  });
});

describe('draining', () => {
  it('close() answers /ready 503, refuses new requests and lets the in-flight one finish', async () => {
    const held: Array<() => void> = [];
    const slow = await upstream((_req, res) => {
      held.push(() => res.end('finished'));
    });
    const { sidecar, call } = await sidecarFor([slow.port]);
    const inFlight = call();
    await waitFor(() => held.length === 1, { what: 'the request upstream' });
    const closed = sidecar.close();
    const ready = await getText(`http://127.0.0.1:${sidecar.ports.admin}/ready`);
    expect(ready.status).toBe(503);
    await expect(send(sidecar.ports.outbound, { host: 'reviews', path: '/new' })).rejects.toThrow();
    held.shift()?.();
    const r = await inFlight;
    expect(r.status).toBe(200);
    expect(r.body).toBe('finished');
    await closed;
  });
});

describe('malformed input', () => {
  it('answers 431 to oversized headers', async () => {
    const u = await upstream((_req, res) => res.end('ok'));
    const { call } = await sidecarFor([u.port]);
    const r = await call({ headers: { 'x-big': 'a'.repeat(70 * 1024) } });
    expect(r.status).toBe(431);
    expect(u.seen).toHaveLength(0);
  });

  it('starts a new trace on malformed B3 headers instead of failing', async () => {
    const u = await upstream((_req, res) => res.end('ok'));
    const { call, spans } = await sidecarFor([u.port]);
    const r = await call({ headers: { 'x-b3-traceid': 'not-hex', 'x-b3-spanid': 'zz' } });
    expect(r.status).toBe(200);
    expect(spans.at(-1)?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(u.seen[0]?.headers['x-b3-traceid']).toBe(spans.at(-1)?.traceId);
  });
});

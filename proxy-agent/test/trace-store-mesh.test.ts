// End to end with real processes: three sidecars (productpage → reviews → ratings) export their spans over
// OTLP/HTTP to the trace-store process, and its Jaeger query API shows one trace across the three services.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DependenciesResponseSchema, type Trace, TracesResponseSchema } from '../../lib/jaeger/model';
import { send, serviceEntry, startUpstream, type Upstream, workloadEntry, yamlDocs } from './sidecar-harness';
import { type AgentProcess, freePort, spawnAgent, waitFor } from './support/processes';

const B3_HEADERS = ['x-b3-traceid', 'x-b3-spanid', 'x-b3-parentspanid', 'x-b3-sampled', 'x-b3-flags', 'b3'];
const procs: AgentProcess[] = [];
const apps: Upstream[] = [];
let queryUrl: string;
/** The run's files (the mesh config), removed after the run. */
let dir: string | undefined;
let ingressPort: number;

afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  await Promise.all(apps.map((a) => a.close()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** GET through the local sidecar's outbound listener, forwarding the B3 headers as mesh apps must. */
function callVia(outbound: number, host: string, path: string, incoming: Record<string, unknown>) {
  const headers: Record<string, string> = { host };
  for (const h of B3_HEADERS) if (typeof incoming[h] === 'string') headers[h] = incoming[h] as string;
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: outbound, path, headers }, (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshlens-trace-mesh-'));
  const [otlpPort, queryPort] = [await freePort(), await freePort()];
  queryUrl = `http://127.0.0.1:${queryPort}`;
  const store = spawnAgent([
    'trace-store',
    '--otlp-port',
    String(otlpPort),
    '--query-port',
    String(queryPort),
  ]);
  procs.push(store);

  const services = ['productpage', 'reviews', 'ratings'] as const;
  const ports = Object.fromEntries(
    await Promise.all(
      services.map(async (s) => [
        s,
        { inbound: await freePort(), outbound: await freePort(), admin: await freePort() },
      ]),
    ),
  ) as Record<(typeof services)[number], { inbound: number; outbound: number; admin: number }>;
  ingressPort = ports.productpage.inbound;

  // The apps: productpage calls reviews, reviews calls ratings, each through its own sidecar.
  const ratings = await startUpstream((_req, res) => res.end('5 stars'));
  const reviews = await startUpstream(async (req, res) => {
    const r = await callVia(ports.reviews.outbound, 'ratings', '/ratings/1', req.headers);
    res.end(`reviews with ${r.body}`);
  });
  const productpage = await startUpstream(async (req, res) => {
    const r = await callVia(ports.productpage.outbound, 'reviews', '/reviews/1', req.headers);
    res.end(`productpage with ${r.body}`);
  });
  apps.push(ratings, reviews, productpage);
  const appPorts = { productpage: productpage.port, reviews: reviews.port, ratings: ratings.port };

  const config = join(dir, 'mesh.yaml');
  writeFileSync(
    config,
    yamlDocs(...services.flatMap((s) => [serviceEntry(s), workloadEntry(s, 'v1', ports[s].inbound)])),
  );
  await waitFor(async () => (await fetch(`${queryUrl}/api/services`)).ok, {
    timeoutMs: 30_000,
    what: 'the trace store',
  });
  const sidecars = services.map((s) => {
    const proc = spawnAgent([
      'sidecar',
      '--service',
      s,
      '--app-port',
      String(appPorts[s]),
      '--config',
      config,
      '--inbound-port',
      String(ports[s].inbound),
      '--outbound-port',
      String(ports[s].outbound),
      '--admin-port',
      String(ports[s].admin),
      '--otlp-endpoint',
      `http://127.0.0.1:${otlpPort}`,
    ]);
    procs.push(proc);
    return waitFor(() => proc.output().includes(' ready: '), { timeoutMs: 30_000, what: `the ${s} sidecar` });
  });
  await Promise.all(sidecars);
});

describe('sidecars → trace store → Jaeger query API', () => {
  let trace: Trace;

  it('records one request as one trace across productpage, reviews and ratings', async () => {
    const r = await send(ingressPort, { host: 'productpage', path: '/productpage' });
    expect(r.status).toBe(200);
    expect(r.body).toBe('productpage with reviews with 5 stars');

    // The sidecars batch their exports: poll until all five hop spans have arrived.
    trace = await waitFor(
      async () => {
        const res = await fetch(`${queryUrl}/api/traces?service=ratings.default&limit=5`);
        const found = TracesResponseSchema.parse(await res.json()).data[0];
        return found && found.spans.length >= 5 ? found : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'the trace with all five hop spans' },
    );
    const services = new Set(Object.values(trace.processes).map((p) => p.serviceName));
    expect([...services].sort()).toEqual(['productpage.default', 'ratings.default', 'reviews.default']);
    expect(trace.spans).toHaveLength(5);
  });

  it('links the hops parent to child: server → client → server → client → server', () => {
    const byId = new Map(trace.spans.map((s) => [s.spanID, s]));
    const kind = (s: Trace['spans'][number]) => s.tags.find((t) => t.key === 'span.kind')?.value;
    const service = (s: Trace['spans'][number]) => trace.processes[s.processID]?.serviceName;
    const roots = trace.spans.filter((s) => !s.references.some((r) => r.refType === 'CHILD_OF'));
    expect(roots).toHaveLength(1);
    const chain: string[] = [];
    let current = roots[0];
    while (current) {
      chain.push(`${service(current)}:${kind(current)}`);
      const id: string = current.spanID;
      current = trace.spans.find((s) =>
        s.references.some((r) => r.refType === 'CHILD_OF' && r.spanID === id),
      );
    }
    expect(chain).toEqual([
      'productpage.default:server',
      'productpage.default:client',
      'reviews.default:server',
      'reviews.default:client',
      'ratings.default:server',
    ]);
    for (const s of trace.spans) {
      for (const ref of s.references) expect(byId.has(ref.spanID)).toBe(true);
    }
  });

  it('answers /api/dependencies with the calls between the services', async () => {
    const res = await fetch(`${queryUrl}/api/dependencies?endTs=${Date.now() + 1000}&lookback=600000`);
    const deps = DependenciesResponseSchema.parse(await res.json()).data;
    expect(deps.sort((a, b) => a.parent.localeCompare(b.parent))).toEqual([
      { parent: 'productpage.default', child: 'reviews.default', callCount: 1 },
      { parent: 'reviews.default', child: 'ratings.default', callCount: 1 },
    ]);
  });
});

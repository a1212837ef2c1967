// A live graph does not wait on a slow or failing latency read (issue 18): a real Prometheus behind a real HTTP
// gate that holds or refuses the latency histogram's queries. The graph is answered without latency (a
// `latency_unavailable` warning in words) while the held read goes on; the read is kept when it lands and the
// next graph has it without reading again; a refused read is not sent again inside its back-off.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGraph } from '../../lib/graph/build-graph';
import { LatencyCache } from '../../lib/graph/latency-cache';
import { parseGraphParams } from '../../lib/graph/params';
import { bucketSamples, type EdgeSpec, requestSample, type Side } from '../../lib/graph/test-samples';
import type { Graph } from '../../lib/graph/types';
import { createPrometheusClient } from '../../lib/prometheus/client';
import {
  fromSamples,
  type LoadedPrometheus,
  type Replay,
  replay,
  startLoadedPrometheus,
} from './graph-prometheus';

const frontend: Side = { ns: 'shop', wl: 'frontend-v1', app: 'frontend', version: 'v1' };
const cart: Side = { ns: 'shop', wl: 'cart-v1', app: 'cart', version: 'v1' };
const CART = 'cart.shop.svc.cluster.local';
const EDGE: EdgeSpec = { reporter: 'source', from: frontend, to: cart, service: CART, rps: 4 };
const R: Replay = { start: 1_700_000_000, intervalS: 15, scrapes: 20 };
const QUERY_TIME = R.start + (R.scrapes - 1) * R.intervalS;
const HISTOGRAM = 'istio_request_duration_milliseconds_bucket';

/** What the gate does with a latency histogram query: pass it on, hold it until released, or refuse it. */
type Mode = 'pass' | 'hold' | 'refuse';

let prom: LoadedPrometheus;
let gate: Server;
let gateUrl: string;
let mode: Mode = 'pass';
let latencyQueries = 0;
const held: (() => void)[] = [];

beforeAll(async () => {
  prom = await startLoadedPrometheus(
    replay(fromSamples('istio_requests_total', [requestSample(EDGE)]), R, true) +
      replay(
        fromSamples(HISTOGRAM, bucketSamples(EDGE, [10, 50, Number.POSITIVE_INFINITY], [1, 3, 4])),
        R,
        true,
      ),
  );
  const target = new URL(prom.url);
  gate = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const forward = () => {
        const out = request(
          {
            host: target.hostname,
            port: target.port,
            path: req.url,
            method: req.method,
            headers: req.headers,
          },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        out.on('error', () => res.destroy());
        out.end(body);
      };
      const query = new URLSearchParams(body.toString()).get('query') ?? '';
      if (!query.includes(HISTOGRAM)) return forward();
      latencyQueries++;
      if (mode === 'hold') held.push(forward);
      else if (mode === 'refuse') {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'error', errorType: 'unavailable', error: 'overloaded' }));
      } else forward();
    });
  });
  await new Promise<void>((resolve) => gate.listen(0, '127.0.0.1', resolve));
  gateUrl = `http://127.0.0.1:${(gate.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const f of held.splice(0)) f();
  await new Promise((resolve) => gate?.close(resolve));
  await prom?.close();
});

/** A live graph (no queryTime) evaluated at `QUERY_TIME`, through `cache`. */
async function liveGraph(cache: LatencyCache): Promise<Graph> {
  const params = parseGraphParams(new URLSearchParams('namespaces=shop&duration=60s'));
  if (!params.ok) throw new Error(params.message);
  const prometheus = createPrometheusClient({ baseUrl: gateUrl });
  const r = await buildGraph(params.value, {
    prometheus,
    latencyPrometheus: prometheus,
    latencyCache: cache,
    now: () => QUERY_TIME,
  });
  if (!r.ok) throw new Error(r.error.message);
  return r.graph;
}

const edgeOf = (g: Graph) =>
  g.elements.edges.find((e) => e.data.id === 'app:shop:frontend:v1->svc:shop:cart')?.data;
const latencyWarning = (g: Graph) => g.warnings.find((w) => w.code === 'latency_unavailable')?.message;

describe('a live graph and a slow or failing latency read', () => {
  it('is answered without latency while the read is held, and the next graph has the read once it landed', async () => {
    mode = 'hold';
    latencyQueries = 0;
    // A short wait: the held read cannot land within it, however long it is.
    const cache = new LatencyCache({ waitMs: 300, cheapMs: 0, now: () => QUERY_TIME });
    const first = await liveGraph(cache);
    expect(latencyWarning(first)).toContain('still being read');
    expect(first.latencyTime).toBeUndefined();
    expect(edgeOf(first)?.rps).toBeCloseTo(4, 3);
    expect(edgeOf(first)?.latency).toEqual({});
    mode = 'pass';
    for (const f of held.splice(0)) f();
    for (let i = 0; i < 200 && cache.backgroundReads > 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(cache.backgroundReads).toBe(0);
    const sent = latencyQueries;
    const next = await liveGraph(cache);
    expect(latencyWarning(next)).toBeUndefined();
    expect(next.latencyTime).toBe(QUERY_TIME);
    expect(edgeOf(next)?.latency.p50).toBeGreaterThan(0);
    expect(latencyQueries).toBe(sent);
  });

  it('does not send a refused read again inside its back-off, and reads again after it', async () => {
    mode = 'refuse';
    latencyQueries = 0;
    let now = QUERY_TIME;
    const cache = new LatencyCache({ cheapMs: 0, retryMinS: 15, now: () => now });
    const first = await liveGraph(cache);
    expect(latencyWarning(first)).toContain('unavailable (503)');
    expect(latencyWarning(first)).toContain('15 s');
    const refused = latencyQueries;
    expect(refused).toBeGreaterThan(0);
    now += 10;
    const inside = await liveGraph(cache);
    expect(latencyWarning(inside)).toContain('unavailable (503)');
    expect(latencyQueries).toBe(refused);
    mode = 'pass';
    now += 10;
    const after = await liveGraph(cache);
    expect(latencyWarning(after)).toBeUndefined();
    expect(edgeOf(after)?.latency.p50).toBeGreaterThan(0);
  });
});

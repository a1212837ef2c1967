// The graph end to end against real PromQL: a synthetic multi-service mesh (both reporters, traffic
// from outside, a caller whose proxy is not scraped, failures with response flags, Envoy stats, an
// external host) loaded into a real Prometheus, plus mesh config from a real control plane over HTTP.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGraph } from '../../lib/graph/build-graph';
import { buildDrilldown, parseDrilldownParams } from '../../lib/graph/drilldown';
import { fetchMeshConfig } from '../../lib/graph/mesh-config-source';
import { parseGraphParams } from '../../lib/graph/params';
import { bucketSamples, type EdgeSpec, requestSample, type Side } from '../../lib/graph/test-samples';
import type { EdgeData, Graph, NodeData } from '../../lib/graph/types';
import { MeshConfigClient } from '../../lib/mesh-config/client';
import type {
  DestinationRule,
  MeshResource,
  ServiceEntry,
  VirtualService,
} from '../../lib/mesh-config/schema';
import { createPrometheusClient, type PromClient } from '../../lib/prometheus/client';
import { type ControlPlane, startControlPlane } from '../src/control-plane/server';
import {
  fromSamples,
  type LoadedPrometheus,
  type Replay,
  replay,
  startLoadedPrometheus,
} from './graph-prometheus';

const frontend: Side = { ns: 'shop', wl: 'frontend-v1', app: 'frontend', version: 'v1' };
const cartV1: Side = { ns: 'shop', wl: 'cart-v1', app: 'cart', version: 'v1' };
const catalogV1: Side = { ns: 'shop', wl: 'catalog-v1', app: 'catalog', version: 'v1' };
const catalogV2: Side = { ns: 'shop', wl: 'catalog-v2', app: 'catalog', version: 'v2' };
const db: Side = { ns: 'shop', wl: 'db-v1', app: 'db', version: 'v1' };
const webUi: Side = { ns: 'web', wl: 'web-ui', app: 'web-ui', version: 'v1' };
const FRONTEND = 'frontend.shop.svc.cluster.local';
const CART = 'cart.shop.svc.cluster.local';
const CATALOG = 'catalog.shop.svc.cluster.local';
const DB = 'db.shop.svc.cluster.local';

const both = (e: Omit<EdgeSpec, 'reporter'>): EdgeSpec[] => [
  { ...e, reporter: 'source' },
  { ...e, reporter: 'destination' },
];
const TRAFFIC: EdgeSpec[] = [
  // From outside the mesh: only the destination proxy reports.
  { reporter: 'destination', to: frontend, service: FRONTEND, rps: 10 },
  ...both({ from: webUi, to: frontend, service: FRONTEND, rps: 1 }),
  ...both({ from: frontend, to: cartV1, service: CART, rps: 4 }),
  ...both({ from: frontend, to: cartV1, service: CART, code: '500', rps: 0.5 }),
  // Failures only the caller saw: no healthy upstream, retries exhausted.
  { reporter: 'source', from: frontend, service: CART, code: '503', flags: 'UH', rps: 0.3 },
  { reporter: 'source', from: frontend, to: cartV1, service: CART, code: '503', flags: 'URX', rps: 0.2 },
  ...both({ from: frontend, to: catalogV1, service: CATALOG, rps: 3 }),
  ...both({ from: frontend, to: catalogV2, service: CATALOG, rps: 1 }),
  // catalog-v2's proxy is not scraped: only db's proxy reports this edge.
  { reporter: 'destination', from: catalogV2, to: db, service: DB, rps: 2 },
  { reporter: 'source', from: cartV1, service: 'payments.example.com', rps: 1 },
  { reporter: 'source', from: cartV1, service: 'payments.example.com', code: '504', flags: 'UT', rps: 0.25 },
];
const LES = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, Number.POSITIVE_INFINITY];
const BUCKETS = [
  // frontend → cart, source-reported: half under 25 ms, all under 250 ms.
  ...bucketSamples(
    { reporter: 'source', from: frontend, to: cartV1, service: CART, rps: 0 },
    LES,
    [0, 0, 0, 0, 2, 3, 3.5, 4, 4, 4, 4],
  ),
  // The destination's own (faster) view must not be mixed in.
  ...bucketSamples(
    { reporter: 'destination', from: frontend, to: cartV1, service: CART, rps: 0 },
    LES,
    [0, 0, 4, 4, 4, 4, 4, 4, 4, 4, 4],
  ),
];
const cluster = (subset: string, host: string) => `outbound|9080|${subset}|${host}`;
const caller = { namespace: 'shop', workload: 'frontend-v1' };
const ENVOY = [
  ...fromSamples('envoy_cluster_outlier_detection_ejections_active', [
    { labels: { cluster_name: cluster('v1', CART), ...caller }, value: 1 },
  ]),
  ...fromSamples('envoy_cluster_upstream_rq_retry', [
    { labels: { cluster_name: cluster('v1', CART), ...caller }, value: 0.4 },
  ]),
  ...fromSamples('envoy_cluster_upstream_rq_retry_success', [
    { labels: { cluster_name: cluster('v1', CART), ...caller }, value: 0.2 },
  ]),
  ...fromSamples('meshlens_endpoint_ejected', [
    { labels: { cluster_name: cluster('v1', CART), endpoint: '127.0.0.1:7001', ...caller }, value: 1 },
    { labels: { cluster_name: cluster('v1', CART), endpoint: '127.0.0.1:7002', ...caller }, value: 0 },
  ]),
];

const R: Replay = { start: 1_700_000_000, intervalS: 15, scrapes: 40 };
const QUERY_TIME = R.start + (R.scrapes - 1) * R.intervalS;

let prom: LoadedPrometheus;
let client: PromClient;
let cp: ControlPlane;
let cpDir: string;

beforeAll(async () => {
  prom = await startLoadedPrometheus(
    replay(fromSamples('istio_requests_total', TRAFFIC.map(requestSample)), R, true) +
      replay(fromSamples('istio_request_duration_milliseconds_bucket', BUCKETS), R, true) +
      replay(ENVOY, R, true),
  );
  client = createPrometheusClient({ baseUrl: prom.url });
  cpDir = await mkdtemp(join(tmpdir(), 'meshlens-graph-cp-'));
  cp = await startControlPlane({
    port: 0,
    host: '127.0.0.1',
    dataDir: cpDir,
    token: 'graph-test-token',
    insecureHttp: true,
  });
  const mc = new MeshConfigClient({ baseUrl: cp.url, token: 'graph-test-token' });
  const vs: VirtualService = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'catalog', namespace: 'shop' },
    spec: {
      hosts: ['catalog'],
      http: [
        {
          route: [
            { destination: { host: 'catalog', subset: 'v1' }, weight: 75 },
            { destination: { host: 'catalog', subset: 'v2' }, weight: 25 },
          ],
          retries: { attempts: 2, retryOn: '5xx' },
        },
      ],
    },
  };
  const se = (name: string): ServiceEntry => ({
    apiVersion: 'networking.istio.io/v1',
    kind: 'ServiceEntry',
    metadata: { name, namespace: 'shop' },
    spec: {
      hosts: [`${name}.shop.svc.cluster.local`],
      location: 'MESH_INTERNAL',
      resolution: 'STATIC',
      ports: [{ number: 9080, name: 'http', protocol: 'HTTP' }],
    },
  });
  const catalogDr: DestinationRule = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'catalog', namespace: 'shop' },
    spec: {
      host: 'catalog',
      subsets: [
        { name: 'v1', labels: { version: 'v1' } },
        { name: 'v2', labels: { version: 'v2' } },
      ],
    },
  };
  const dr: DestinationRule = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'cart', namespace: 'shop' },
    spec: { host: 'cart', trafficPolicy: { outlierDetection: { consecutive5xxErrors: 1, interval: '1s' } } },
  };
  const resources: MeshResource[] = [se('catalog'), se('cart'), catalogDr, vs, dr];
  for (const r of resources) {
    const created = await mc.create(r);
    if (!created.ok) throw new Error(created.message);
  }
});
afterAll(async () => {
  await prom?.close();
  await cp?.close();
  if (cpDir) await rm(cpDir, { recursive: true, force: true });
});

async function graph(query: string, controlPlaneUrl?: string): Promise<Graph> {
  const params = parseGraphParams(new URLSearchParams(`${query}&queryTime=${QUERY_TIME}&duration=60s`));
  if (!params.ok) throw new Error(params.message);
  const mc = new MeshConfigClient({
    baseUrl: controlPlaneUrl ?? cp.url,
    token: 'graph-test-token',
    timeoutMs: 2000,
  });
  const r = await buildGraph(params.value, {
    prometheus: client,
    meshConfig: (ns) => fetchMeshConfig(mc, ns),
  });
  if (!r.ok) throw new Error(r.error.message);
  return r.graph;
}
const nodeOf = (g: Graph, id: string): NodeData | undefined =>
  g.elements.nodes.find((n) => n.data.id === id)?.data;
const edgeOf = (g: Graph, id: string): EdgeData | undefined =>
  g.elements.edges.find((e) => e.data.id === id)?.data;

describe('synthetic mesh, namespace shop', () => {
  it('draws every node and edge, traffic from outside as unknown, web-ui as outside the namespace', async () => {
    const g = await graph('namespaces=shop');
    expect(g.elements.edges.map((e) => e.data.id).sort()).toEqual(
      [
        'unknown->svc:shop:frontend',
        'app:web:web-ui:v1->svc:shop:frontend',
        'svc:shop:frontend->app:shop:frontend:v1',
        'app:shop:frontend:v1->svc:shop:cart',
        'svc:shop:cart->app:shop:cart:v1',
        'app:shop:frontend:v1->svc:shop:catalog',
        'svc:shop:catalog->app:shop:catalog:v1',
        'svc:shop:catalog->app:shop:catalog:v2',
        'app:shop:catalog:v2->svc:shop:db',
        'svc:shop:db->app:shop:db:v1',
        'app:shop:cart:v1->svc:shop:payments.example.com',
      ].sort(),
    );
    expect(nodeOf(g, 'unknown')).toMatchObject({ nodeType: 'unknown', isRoot: true });
    expect(edgeOf(g, 'unknown->svc:shop:frontend')?.rps).toBeCloseTo(10, 3);
    expect(nodeOf(g, 'app:web:web-ui:v1')?.isOutside).toBe(true);
    expect(nodeOf(g, 'svc:shop:payments.example.com')?.isServiceEntry).toBe('MESH_EXTERNAL');
  });

  it('counts both-reported edges once, from the caller, with its UH and URX failures', async () => {
    const g = await graph('namespaces=shop');
    const e = edgeOf(g, 'app:shop:frontend:v1->svc:shop:cart');
    expect(e?.reporter).toBe('source');
    expect(e?.rps).toBeCloseTo(5, 3);
    expect(e?.errorRate).toBeCloseTo(1 / 5, 3);
    expect(e?.traffic.responses['503']?.flags).toEqual({ UH: 6, URX: 4 });
    expect(e?.health).toBe('failure');
    // UH never reached a workload: the onward edge carries the rest.
    expect(edgeOf(g, 'svc:shop:cart->app:shop:cart:v1')?.rps).toBeCloseTo(4.7, 3);
    expect(edgeOf(g, 'app:shop:frontend:v1->svc:shop:catalog')?.percentReq).toBeCloseTo(44.44, 1);
    expect(edgeOf(g, 'svc:shop:catalog->app:shop:catalog:v1')?.percentReq).toBe(75);
  });

  it('keeps a destination-only edge (caller not scraped) with its reporter named', async () => {
    const g = await graph('namespaces=shop');
    const e = edgeOf(g, 'app:shop:catalog:v2->svc:shop:db');
    expect(e?.rps).toBeCloseTo(2, 3);
    expect(e?.reporter).toBe('destination');
  });

  it('takes latency from the chosen reporter only', async () => {
    const g = await graph('namespaces=shop');
    const e = edgeOf(g, 'app:shop:frontend:v1->svc:shop:cart');
    expect(e?.latency.p50).toBeCloseTo(25, 3);
    expect(e?.latency.p95).toBeCloseTo(100 + 150 * ((3.8 - 3.5) / 0.5), 3);
  });

  it('leaves latency out when asked to (the page draws first, fills p95 in)', async () => {
    const g = await graph('namespaces=shop&latency=false');
    expect(g.latency).toBe('omitted');
    const e = edgeOf(g, 'app:shop:frontend:v1->svc:shop:cart');
    expect(e?.rps).toBeCloseTo(5, 3);
    expect(e?.latency).toEqual({});
  });

  it('shows config badges from the control plane and live Envoy stats', async () => {
    const g = await graph('namespaces=shop');
    const catalog = nodeOf(g, 'svc:shop:catalog');
    expect(catalog?.hasVS).toBe(true);
    // Declared by a MESH_INTERNAL ServiceEntry but inside the cluster: a plain service.
    expect(catalog?.isServiceEntry).toBeUndefined();
    expect(catalog?.badges.canary?.weights.map((w) => [w.subset, w.weight])).toEqual([
      ['v1', 75],
      ['v2', 25],
    ]);
    expect(edgeOf(g, 'app:shop:frontend:v1->svc:shop:catalog')?.badges.retries).toEqual({
      attempts: 2,
      retryOn: '5xx',
    });
    const cart = nodeOf(g, 'svc:shop:cart');
    expect(cart?.hasCB).toBe(true);
    expect(cart?.badges.circuitBreaker?.outlierDetection?.consecutive5xxErrors).toBe(1);
    expect(cart?.badges.live).toMatchObject({ reported: true, ejectionsActive: 1 });
    const live = edgeOf(g, 'app:shop:frontend:v1->svc:shop:cart')?.badges.live;
    expect(live?.reported && live.retryRate).toBeCloseTo(0.4, 3);
    expect(nodeOf(g, 'svc:shop:catalog')?.badges.live).toEqual({ reported: false });
    expect(g.warnings).toEqual([]);
  });

  it('still draws the graph when the control plane is down, with a warning', async () => {
    const g = await graph('namespaces=shop', 'http://127.0.0.1:1');
    expect(g.elements.edges.length).toBe(11);
    expect(g.warnings.map((w) => w.code)).toEqual(['control_plane_unavailable']);
    expect(nodeOf(g, 'svc:shop:catalog')?.hasVS).toBeUndefined();
  });

  it('graph types over real PromQL: service graph', async () => {
    const g = await graph('namespaces=shop&graphType=service');
    expect(g.elements.edges.map((e) => e.data.id).sort()).toEqual(
      [
        'app:web:web-ui->svc:shop:frontend',
        'svc:shop:cart->svc:shop:payments.example.com',
        'svc:shop:catalog->svc:shop:db',
        'svc:shop:frontend->svc:shop:cart',
        'svc:shop:frontend->svc:shop:catalog',
        'unknown->svc:shop:frontend',
      ].sort(),
    );
  });
});

describe('drilldown over real PromQL', () => {
  async function drill(kind: 'node' | 'edge', query: string) {
    const p = parseDrilldownParams(kind, new URLSearchParams(`${query}&queryTime=${QUERY_TIME}&range=5m`));
    if (!p.ok) throw new Error(p.message);
    const r = await buildDrilldown(p.value, client);
    if (!r.ok) throw new Error(r.error.message);
    return r.value;
  }
  const last = (p: [number, number][]) => p[p.length - 1]?.[1];

  it('a service node: inbound rates, errors, ejections, endpoints with their ejection state, retries', async () => {
    const d = await drill('node', 'id=svc:shop:cart');
    expect(last(d.requests.total)).toBeCloseTo(5, 3);
    expect(last(d.requests.errorRate)).toBeCloseTo(0.2, 3);
    expect(d.requests.byFlags.map((f) => f.name).sort()).toEqual(['503 UH', '503 URX']);
    expect(d.ejections.reported && last(d.ejections.active)).toBe(1);
    expect(d.endpoints.reported && d.endpoints.list).toEqual([
      { endpoint: '127.0.0.1:7001', subset: 'v1', ejected: true },
      { endpoint: '127.0.0.1:7002', subset: 'v1', ejected: false },
    ]);
    expect(d.retries.reported && last(d.retries.attempted)).toBeCloseTo(0.4, 3);
    expect(last(d.latency.p50)).toBeCloseTo(25, 3);
  });

  it('an edge from outside the mesh, and Envoy stats not reported where absent', async () => {
    const d = await drill('edge', 'source=unknown&target=svc:shop:frontend');
    expect(last(d.requests.total)).toBeCloseTo(10, 3);
    expect(d.retries).toEqual({ reported: false });
    expect(d.endpoints).toEqual({ reported: false });
  });

  it('an edge from a known caller uses its own reports only', async () => {
    const d = await drill('edge', 'source=app:shop:frontend:v1&target=svc:shop:cart');
    expect(last(d.requests.total)).toBeCloseTo(5, 3);
  });
});

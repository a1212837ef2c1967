// A graph of every namespace reads its mesh config from a real control plane over HTTP: the second graph of a
// view starts that read with the namespaces the view's traffic had last time, before its rates land (it does not
// wait for the control plane after them), and a namespace that appeared since is still read and used.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildGraph } from '../../lib/graph/build-graph';
import { fakePrometheus } from '../../lib/graph/fake-prometheus';
import { fetchMeshConfig } from '../../lib/graph/mesh-config-source';
import { parseGraphParams } from '../../lib/graph/params';
import { JOIN_SEPARATOR, REQUEST_JOINED, REQUEST_LABELS } from '../../lib/graph/promql';
import type { Sample } from '../../lib/graph/series';
import { type EdgeSpec, requestSample, type Side } from '../../lib/graph/test-samples';
import type { Graph } from '../../lib/graph/types';
import { MeshConfigClient } from '../../lib/mesh-config/client';
import type { ServiceEntry, VirtualService } from '../../lib/mesh-config/schema';
import { type ControlPlane, startControlPlane } from '../src/control-plane/server';

const frontend: Side = { ns: 'shop', wl: 'frontend-v1', app: 'frontend', version: 'v1' };
const cart: Side = { ns: 'shop', wl: 'cart-v1', app: 'cart', version: 'v1' };
const db: Side = { ns: 'data', wl: 'db-v1', app: 'db', version: 'v1' };
const TO_CART: EdgeSpec = {
  reporter: 'source',
  from: frontend,
  to: cart,
  service: 'cart.shop.svc.cluster.local',
  rps: 4,
};
const TO_DB: EdgeSpec = {
  reporter: 'source',
  from: cart,
  to: db,
  service: 'db.data.svc.cluster.local',
  rps: 2,
};
const TOKEN = 'graph-config-token';

/** The source reporter's rates as the graph reads them: its labels joined into one. */
function joined(edges: EdgeSpec[]): Sample[] {
  return edges.map(requestSample).map((s) => ({
    labels: { [REQUEST_JOINED]: REQUEST_LABELS.map((l) => s.labels[l] ?? '').join(JOIN_SEPARATOR) },
    value: s.value,
  }));
}

let cp: ControlPlane;
let cpDir: string;

beforeAll(async () => {
  cpDir = await mkdtemp(join(tmpdir(), 'meshlens-graph-config-'));
  cp = await startControlPlane({
    port: 0,
    host: '127.0.0.1',
    dataDir: cpDir,
    token: TOKEN,
    insecureHttp: true,
  });
  const mc = new MeshConfigClient({ baseUrl: cp.url, token: TOKEN });
  for (const [name, namespace] of [
    ['cart', 'shop'],
    ['db', 'data'],
  ] as const) {
    // The control plane validates a VirtualService's hosts against the services it knows.
    const se: ServiceEntry = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name, namespace },
      spec: {
        hosts: [`${name}.${namespace}.svc.cluster.local`],
        location: 'MESH_INTERNAL',
        resolution: 'STATIC',
        ports: [{ number: 9080, name: 'http', protocol: 'HTTP' }],
      },
    };
    const vs: VirtualService = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name, namespace },
      spec: { hosts: [name], http: [{ route: [{ destination: { host: name } }], retries: { attempts: 3 } }] },
    };
    for (const r of [se, vs]) {
      const created = await mc.create(r);
      if (!created.ok) throw new Error(created.message);
    }
  }
});
afterAll(async () => {
  await cp?.close();
  if (cpDir) await rm(cpDir, { recursive: true, force: true });
});

describe('the mesh config of a graph of every namespace', () => {
  it("is read with the view's namespaces of last time before its rates land; a new namespace's config is read and used", async () => {
    const mc = new MeshConfigClient({ baseUrl: cp.url, token: TOKEN, timeoutMs: 2000 });
    const asked: string[][] = [];
    // Per config read: whether the rates had landed when it was asked for.
    const afterRates: boolean[] = [];
    let ratesLanded = false;
    const graph = async (edges: EdgeSpec[], hold: boolean): Promise<Graph> => {
      ratesLanded = false;
      const prometheus = fakePrometheus([
        ['label_join(rate(istio_requests_total{reporter="source"', joined(edges)],
      ]);
      const instantBody = prometheus.instantBody?.bind(prometheus);
      prometheus.instantBody = async (query, time) => {
        // Held until the config is asked for, with a bound (a first graph's is asked only after its rates).
        if (hold && query.includes('label_join'))
          await vi.waitFor(() => expect(asked.length).toBeGreaterThan(0), { timeout: 2000 }).catch(() => {});
        ratesLanded = true;
        return (instantBody as NonNullable<typeof instantBody>)(query, time);
      };
      const params = parseGraphParams(new URLSearchParams('latency=false&duration=5m'));
      if (!params.ok) throw new Error(params.message);
      asked.length = 0;
      afterRates.length = 0;
      const r = await buildGraph(params.value, {
        prometheus,
        meshConfig: (ns) => {
          asked.push(ns);
          afterRates.push(ratesLanded);
          return fetchMeshConfig(mc, ns);
        },
      });
      if (!r.ok) throw new Error(r.error.message);
      return r.graph;
    };
    const hasVS = (g: Graph, id: string) => g.elements.nodes.find((n) => n.data.id === id)?.data.hasVS;

    const first = await graph([TO_CART], false);
    expect(asked).toEqual([['shop']]);
    expect(afterRates).toEqual([true]);
    expect(hasVS(first, 'svc:shop:cart')).toBe(true);

    const second = await graph([TO_CART, TO_DB], true);
    // The view's namespaces of last time asked for before the rates landed; then only the new one.
    expect(asked).toEqual([['shop'], ['data']]);
    expect(afterRates).toEqual([false, true]);
    expect(hasVS(second, 'svc:shop:cart')).toBe(true);
    expect(hasVS(second, 'svc:data:db')).toBe(true);
    expect(second.warnings).toEqual([]);
  });
});

// The page graph in columns gives back the graph's JSON values: element by element the same fields and
// values as the answer without columns (checked on graphs built from a mesh of series, and on the fields a
// generic coding could get wrong: fields some elements lack, NaN, nested and mixed values, edge ids).
import { describe, expect, it } from 'vitest';
import { buildGraph } from '@/lib/graph/build-graph';
import { fakePrometheus } from '@/lib/graph/fake-prometheus';
import { DEFAULT_HEALTH } from '@/lib/graph/health';
import type { GraphParams } from '@/lib/graph/params';
import { type EdgeSpec, prng, requestSample, type Side } from '@/lib/graph/test-samples';
import { type EdgeData, GRAPH_TYPES, type Graph, type NodeData } from '@/lib/graph/types';
import { type ColumnGraph, columnsOf, fromColumns, isColumnGraph, rowsOf, toColumns } from './columns';
import { LEAN_MIN_NODES, PAGE_FORMAT, type PageGraph, pageGraph } from './lean-graph';

/** What the browser gets: the JSON text parsed. */
const overJson = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

/** The graph the browser decodes from the answer in columns. */
const roundTrip = (g: PageGraph): PageGraph => {
  const columns = toColumns(g);
  if (!columns) throw new Error('not in columns');
  const sent = overJson(columns);
  expect(isColumnGraph(sent)).toBe(true);
  return fromColumns(sent);
};

/** A mesh: both reporters, mTLS ids, errors and flags, gRPC, external hosts, callers from outside. */
function meshSamples(workloadCount: number, edgeCount: number) {
  const rand = prng(11);
  const workloads: Side[] = [];
  for (let i = 0; i < workloadCount; i++) {
    const ns = `ns-${i % 5}`;
    const app = `app-${Math.floor(i / 2)}`;
    const version = `v${(i % 2) + 1}`;
    workloads.push(i % 11 === 3 ? { ns, wl: `job-${i}` } : { ns, wl: `${app}-${version}`, app, version });
  }
  const host = (w: Side) => `${w.app ?? w.wl}.${w.ns}.svc.cluster.local`;
  const codes = ['200', '200', '404', '503', '0'];
  const specs: EdgeSpec[] = [];
  for (let k = 0; k < edgeCount; k++) {
    const from = workloads[Math.floor(rand() * workloads.length)] as Side;
    const to = workloads[Math.floor(rand() * workloads.length)] as Side;
    if (from === to) continue;
    const code = codes[Math.floor(rand() * codes.length)] as string;
    const grpc = rand() < 0.2;
    const edge: EdgeSpec = {
      reporter: 'source',
      from,
      to,
      service: host(to),
      code,
      flags: code === '503' ? 'URX' : '-',
      rps: rand() < 0.05 ? 0 : Math.round(rand() * 2000) / 100,
      protocol: grpc ? 'grpc' : 'http',
      grpcStatus: grpc ? (rand() < 0.3 ? '14' : '0') : undefined,
    };
    specs.push(edge, { ...edge, reporter: 'destination', flags: '-', principals: true });
  }
  const a = workloads[1] as Side;
  specs.push(
    { reporter: 'destination', to: a, service: host(a), rps: 3, principals: true },
    { reporter: 'source', from: a, service: 'httpbin.org', code: '502', flags: 'UF', rps: 0.5 },
    { reporter: 'source', from: a, service: 'PassthroughCluster', serviceName: 'PassthroughCluster', rps: 1 },
  );
  return specs.map(requestSample);
}

const TIME = 1_700_000_000;

async function built(over: Partial<GraphParams>, samples: ReturnType<typeof meshSamples>): Promise<Graph> {
  const p: GraphParams = {
    namespaces: [],
    graphType: 'versionedApp',
    duration: 60,
    queryTime: TIME,
    injectServiceNodes: true,
    includeIdleEdges: false,
    latency: false,
    rateGrpc: 'requests',
    ...over,
  };
  const r = await buildGraph(p, {
    prometheus: fakePrometheus([['istio_requests_total', samples]]),
    thresholds: DEFAULT_HEALTH,
  });
  if (!r.ok) throw new Error(r.error.message);
  return r.graph;
}

describe('the page graph in columns', () => {
  const samples = meshSamples(60, 240);

  for (const graphType of GRAPH_TYPES) {
    it(`gives back the built graph's JSON, every field of every element: ${graphType}`, async () => {
      const g = await built({ graphType }, samples);
      expect(g.elements.nodes.length).toBeGreaterThan(30);
      // The whole graph (details and all): the coding does not depend on the lean fields.
      expect(roundTrip(g)).toStrictEqual(overJson(g));
      const lean = toColumns(g, { lean: true });
      expect(lean && fromColumns(overJson(lean))).toStrictEqual(overJson(pageGraph(g, PAGE_FORMAT, 0)));
      expect(roundTrip(g).elements.edges.map((e) => e.data.id)).toEqual(
        g.elements.edges.map((e) => e.data.id),
      );
    });
  }

  it('gives back the lean graph of a mesh past LEAN_MIN_NODES, in a quarter of its bytes or less', async () => {
    const g = await built({ graphType: 'workload' }, meshSamples(LEAN_MIN_NODES + 200, LEAN_MIN_NODES));
    const lean = pageGraph(g, PAGE_FORMAT);
    expect(lean.partial).toBe(true);
    expect(roundTrip(lean)).toStrictEqual(overJson(lean));
    // Made from the whole graph (as the route does): the lean graph's values, the whole graph unchanged.
    const whole = overJson(g);
    const columns = toColumns(g, { lean: true });
    expect(columns && fromColumns(overJson(columns))).toStrictEqual(overJson(lean));
    expect(overJson(g)).toStrictEqual(whole);
    expect(JSON.stringify(toColumns(lean)).length).toBeLessThan(JSON.stringify(lean).length / 4);
  });

  it('keeps the fields some elements lack, NaN as JSON writes it, nested and mixed values, odd edge ids', () => {
    const node = (id: string, extra: Partial<NodeData>) => ({
      data: { id, namespace: 'ns', ...extra } as NodeData,
    });
    const g = {
      timestamp: 1,
      duration: 60,
      graphType: 'workload',
      warnings: [{ code: 'latency_unavailable', message: 'down' }],
      elements: {
        nodes: [
          node('a', { errorRate: Number.NaN, badges: { live: { reported: false } }, isRoot: true }),
          node('b', { workload: undefined, badges: {}, latency: { p50: 1 } }),
          node('c', {
            badges: { retries: { attempts: 3 } },
            latency: {},
            destServices: [{ namespace: 'n', name: 'x' }],
          }),
        ],
        edges: [
          {
            data: { id: 'a->b', source: 'a', target: 'b', rps: 1, traffic: { protocol: 'tcp' } } as EdgeData,
          },
          { data: { id: 'a->c:tcp', source: 'a', target: 'c', rps: Number.POSITIVE_INFINITY } as EdgeData },
          { data: { id: 'c->a', source: 'c', target: 'a', responseTime: 5 } as EdgeData },
        ],
      },
    } as Graph;
    const back = roundTrip(g);
    expect(back).toStrictEqual(overJson(g));
    expect(back.elements.nodes[0]?.data.errorRate).toBeNull();
    expect(Object.hasOwn(back.elements.nodes[1]?.data ?? {}, 'workload')).toBe(false);
    expect(back.elements.edges.map((e) => e.data.id)).toEqual(['a->b', 'a->c:tcp', 'c->a']);
  });

  it('codes repeated strings by a list of them, and ids as they are', () => {
    const rows = Array.from({ length: 40 }, (_, i) => ({ id: `n${i}`, health: i % 3 ? 'healthy' : 'idle' }));
    const cols = columnsOf(rows);
    expect(cols.k.health).toEqual({
      d: ['idle', 'healthy'],
      i: rows.map((r) => (r.health === 'idle' ? 0 : 1)),
    });
    expect(cols.k.id).toEqual({ v: rows.map((r) => r.id) });
    expect(rowsOf(overJson(cols))).toEqual(rows);
  });

  it('is not used when an edge ends outside the nodes (the graph is then answered as it is)', () => {
    const g = {
      timestamp: 1,
      duration: 60,
      graphType: 'app',
      warnings: [],
      elements: {
        nodes: [{ data: { id: 'a' } as NodeData }],
        edges: [{ data: { id: 'a->z', source: 'a', target: 'z' } as EdgeData }],
      },
    } as Graph;
    expect(toColumns(g)).toBeUndefined();
    expect(isColumnGraph(overJson(g))).toBe(false);
    expect(isColumnGraph({ columns: {} } as unknown as ColumnGraph)).toBe(true);
  });
});

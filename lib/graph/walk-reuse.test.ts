// A view polled many times with its walk objects reused between builds (`walk-lease.ts`) answers exactly what a
// fresh build of the same inputs answers: whatever moved between polls (rates, codes and flags, series that come
// and go, the mesh config's VirtualServices and DestinationRules, the latency), and with earlier answers still
// being written while later builds run.
import { describe, expect, it } from 'vitest';
import { buildGraph } from './build-graph';
import { fakePrometheus } from './fake-prometheus';
import { graphJsonStream } from './graph-json';
import type { ConfigResult } from './mesh-config-source';
import { parseGraphParams } from './params';
import type { Sample } from './series';
import { SharedBuilds } from './shared-builds';
import { bucketSamples, type EdgeSpec, prng, requestSample, type Side } from './test-samples';
import { walkObjectsReused } from './traffic-map';

const LES = [5, 25, 100, 500, Number.POSITIVE_INFINITY];
const NAMESPACES = ['shop', 'pay'];

/** A random mesh whose series keep their labels objects from poll to poll, as a kept walk plan sees them. */
function mesh(seed: number) {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const sides: Side[] = [];
  for (let i = 0; i < 24; i++) {
    const app = `a${i % 12}`;
    sides.push({
      ns: NAMESPACES[i % 2] as string,
      wl: `${app}-v${1 + (i >= 12 ? 1 : 0)}`,
      app,
      version: `v${i >= 12 ? 2 : 1}`,
    });
  }
  const host = (s: Side) => `${s.app}.${s.ns}.svc.cluster.local`;
  const specs: EdgeSpec[] = [];
  for (let i = 0; i < 60; i++) {
    const from = rand() < 0.1 ? undefined : pick(sides);
    const to = pick(sides);
    const reporter = from && rand() < 0.8 ? 'source' : 'destination';
    const protocol = rand() < 0.15 ? 'grpc' : 'http';
    specs.push({
      reporter,
      from,
      to,
      service: host(to),
      rps: 1,
      protocol,
      principals: rand() < 0.5,
      mtls: rand() < 0.7,
    });
    if (rand() < 0.3)
      specs.push({ ...(specs[specs.length - 1] as EdgeSpec), code: '503', flags: pick(['-', 'UH', 'URX']) });
  }
  const frozen = (s: Sample): Sample => ({ labels: Object.freeze({ ...s.labels }), value: s.value });
  const all = specs.map((s) => frozen(requestSample(s)));
  const buckets = specs
    .filter((s) => s.code === undefined)
    .flatMap((s) => bucketSamples(s, LES, [1, 2, 3, 4, 5]).map(frozen));
  const requests: Sample[] = [...all];
  const latency: Sample[] = [...buckets];
  let withVS = new Set<string>();
  let withDR = new Set<string>();
  const config = async (): Promise<ConfigResult> => ({
    ok: true,
    value: {
      virtualServices: [...withVS].map((h) => ({
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: `vs-${h.split('.')[0]}`, namespace: h.split('.')[1] },
        spec: { hosts: [h], http: [{ route: [{ destination: { host: h } }] }] },
      })),
      destinationRules: [...withDR].map((h) => ({
        apiVersion: 'networking.istio.io/v1',
        kind: 'DestinationRule',
        metadata: { name: `dr-${h.split('.')[0]}`, namespace: h.split('.')[1] },
        spec: { host: h, trafficPolicy: { connectionPool: { http: { http1MaxPendingRequests: 1 } } } },
      })),
      serviceEntries: [],
    },
  });
  const hosts = [...new Set(sides.map(host))];
  return {
    deps: {
      prometheus: fakePrometheus([
        ['istio_request_duration_milliseconds_bucket', latency],
        ['istio_requests_total', requests],
      ]),
      meshConfig: config,
    },
    /** The next poll: every rate moves; sometimes series come or go, or the config changes (its kinds of change). */
    poll(kind: 'rates' | 'series' | 'config') {
      for (const s of requests) s.value = Math.round(rand() * 4000) / 100;
      for (const b of latency) b.value = 0;
      // Cumulative buckets: each edge's counts grow with le.
      for (let i = 0; i < latency.length; i += LES.length) {
        let c = 0;
        for (let j = 0; j < LES.length; j++) (latency[i + j] as Sample).value = c += Math.floor(rand() * 5);
      }
      if (kind === 'series') {
        requests.length = 0;
        for (const s of all) if (rand() < 0.85) requests.push(s);
      }
      if (kind === 'config') {
        withVS = new Set(hosts.filter(() => rand() < 0.3));
        withDR = new Set(hosts.filter(() => rand() < 0.3));
      }
    },
  };
}

function params(query: string) {
  const p = parseGraphParams(new URLSearchParams(query));
  if (!p.ok) throw new Error(p.message);
  return p.value;
}

describe('walk objects reused between polls', () => {
  for (const query of [
    'queryTime=1700000000&duration=60s',
    'queryTime=1700000000&duration=60s&graphType=workload',
    'queryTime=1700000000&duration=60s&graphType=app&latency=false',
    `queryTime=1700000000&duration=60s&namespaces=${NAMESPACES[0]}`,
  ]) {
    it(`answers what a fresh build answers, poll after poll (${query})`, async () => {
      const m = mesh(query.length * 7919);
      const view = params(query);
      const shared = new SharedBuilds({ refreshS: 10, maxGraphs: 2 });
      const reusedBefore = walkObjectsReused();
      const kinds = [
        'rates',
        'rates',
        'config',
        'rates',
        'series',
        'rates',
        'rates',
        'config',
        'rates',
        'rates',
      ] as const;
      // An answer held open over the next two builds, read to its end after them.
      const seen = new Set<string>();
      let held:
        | { reader: ReadableStreamDefaultReader<Uint8Array>; pieces: Uint8Array[]; expected: string }
        | undefined;
      for (const [i, kind] of kinds.entries()) {
        m.poll(kind);
        const fresh = await buildGraph(view, m.deps);
        if (!fresh.ok) throw new Error(fresh.error.message);
        const expected = JSON.stringify(fresh.graph);
        for (const mark of ['"hasVS":true', '"hasCB":true', '"responseTime"'])
          if (expected.includes(mark)) seen.add(mark);
        const r = await shared.build(view, m.deps);
        if (!r.ok) throw new Error(r.error.message);
        const stream = graphJsonStream(r.graph, 3, r.release);
        if (i % 4 === 1) {
          const reader = stream.getReader();
          const first = await reader.read();
          held = { reader, pieces: first.value ? [first.value] : [], expected };
          continue;
        }
        expect(await new Response(stream).text()).toBe(expected);
        if (held && i % 4 === 3) {
          for (let p = await held.reader.read(); !p.done; p = await held.reader.read())
            held.pieces.push(p.value);
          expect(Buffer.concat(held.pieces).toString()).toBe(held.expected);
          held = undefined;
        }
      }
      // What moved is in the answers: the config's badges came and went, latency was written (unless omitted).
      expect(seen.has('"hasVS":true') && seen.has('"hasCB":true')).toBe(true);
      expect(seen.has('"responseTime"')).toBe(!query.includes('latency=false'));
      // The fast path was taken: most polls filled a released build's objects again.
      expect(walkObjectsReused() - reusedBefore).toBeGreaterThanOrEqual(4);
    });
  }
});

import { describe, expect, it } from 'vitest';
import { fakePrometheus } from './fake-prometheus';
import { graphJsonStream } from './graph-json';
import { parseGraphParams } from './params';
import type { Sample } from './series';
import { SharedBuilds, type SharedGraphResult, viewKey } from './shared-builds';
import { BOOKINFO, requestSample } from './test-samples';
import { walkObjectsReused } from './traffic-map';

const sample = requestSample({
  reporter: 'source',
  from: BOOKINFO.productpage,
  to: BOOKINFO.reviewsV1,
  service: BOOKINFO.REVIEWS,
  rps: 2,
});

function params(query: string) {
  const p = parseGraphParams(new URLSearchParams(`${query}&latency=false`));
  if (!p.ok) throw new Error(p.message);
  return p.value;
}

/** A Prometheus answering the request rates (labelled; the joined query gets nothing), counting queries and their times. */
function prometheus(fail = false) {
  const p = fakePrometheus([['istio_requests_total', fail ? { error: 'down' } : [sample]]]);
  const times: number[] = [];
  const instant = p.instant.bind(p);
  p.instant = (q, t) => {
    times.push(t);
    return instant(q, t);
  };
  return Object.assign(p, { times });
}

describe('live graphs shared per refresh period', () => {
  it('evaluates a live graph at the start of its period and builds it once for every request in it', async () => {
    let now = 1_700_000_003_500;
    const shared = new SharedBuilds({ refreshS: 10, maxGraphs: 2, nowMs: () => now });
    const prom = prometheus();
    const [a, b] = await Promise.all([
      shared.build(params(''), { prometheus: prom }),
      shared.build(params(''), { prometheus: prom }),
    ]);
    now += 1000;
    const c = await shared.build(params(''), { prometheus: prom });
    expect(a.ok && b.ok && c.ok).toBe(true);
    if (!a.ok || !b.ok || !c.ok) return;
    expect(a.graph.timestamp).toBe(1_700_000_000);
    expect(b.graph).toBe(a.graph);
    expect(c.graph).toBe(a.graph);
    expect([a.shared, b.shared, c.shared]).toEqual([undefined, true, true]);
    const asked = prom.asked.length;
    // The next period is a new evaluation; another view is its own.
    now += 10_000;
    const d = await shared.build(params(''), { prometheus: prom });
    const e = await shared.build(params('graphType=workload'), { prometheus: prom });
    expect(d.ok && d.graph.timestamp).toBe(1_700_000_010);
    expect(e.ok && e.graph).not.toBe(d.ok && d.graph);
    expect(prom.asked.length).toBe(asked * 3);
    expect(new Set(prom.times)).toEqual(new Set([1_700_000_000, 1_700_000_010]));
  });

  it('builds a pinned graph for each request, and keeps no failed build', async () => {
    const shared = new SharedBuilds({ refreshS: 10, maxGraphs: 2, nowMs: () => 1_700_000_000_000 });
    const prom = prometheus();
    const a = await shared.build(params('queryTime=1600000000'), { prometheus: prom });
    const b = await shared.build(params('queryTime=1600000000'), { prometheus: prom });
    expect(a.ok && b.ok && a.graph !== b.graph).toBe(true);
    const down = prometheus(true);
    const f = await shared.build(params(''), { prometheus: down });
    expect(f.ok).toBe(false);
    const g = await shared.build(params(''), { prometheus: prometheus() });
    expect(g.ok).toBe(true);
  });

  it('tells views apart by every parameter but the time', () => {
    expect(viewKey(params('queryTime=1'))).toBe(viewKey(params('')));
    expect(viewKey(params('namespaces=a'))).not.toBe(viewKey(params('')));
    expect(viewKey(params('duration=5m'))).not.toBe(viewKey(params('')));
  });
});

/** A chain of `n` workloads, each calling the next through its service: its rates set by `at` (values in place). */
function chain(n: number) {
  const samples: Sample[] = [];
  for (let i = 0; i < n; i++) {
    const side = (k: number) => ({ ns: 'chain', wl: `w${k}-v1`, app: `w${k}`, version: 'v1' });
    const s = requestSample({
      reporter: 'source',
      from: side(i),
      to: side(i + 1),
      service: `w${i + 1}.chain.svc.cluster.local`,
      code: i % 7 === 0 ? '503' : '200',
      rps: 1,
    });
    // Shared labels objects from one poll to the next, as the rates' answer gives them (a walk plan is kept).
    samples.push({ labels: Object.freeze(s.labels), value: s.value });
  }
  return {
    prometheus: fakePrometheus([['istio_requests_total', samples]]),
    at(rps: number) {
      for (let i = 0; i < samples.length; i++) (samples[i] as Sample).value = rps + i / 1024;
    },
  };
}

/** The whole answer written from a build, then its hold released (as the route does). */
async function written(built: SharedGraphResult | Promise<SharedGraphResult>): Promise<string> {
  const r = await built;
  if (!r.ok) throw new Error(r.error.message);
  return new Response(graphJsonStream(r.graph, undefined, r.release)).text();
}

describe("a build's walk objects reused once released", () => {
  it('writes an answer held open unchanged while two more builds of its view run', async () => {
    const mesh = chain(1500);
    const deps = { prometheus: mesh.prometheus };
    const shared = new SharedBuilds({ refreshS: 10, maxGraphs: 2, nowMs: () => 1_700_000_000_000 });
    const pinned = params('queryTime=1600000000&duration=61s');
    const alone = async (rps: number) => {
      mesh.at(rps);
      return written(await shared.build(pinned, deps));
    };
    const expected = [await alone(1), await alone(2), await alone(3)];
    expect(new Set(expected).size).toBe(3);
    // An answer read one piece (of several), its client slow: its build's objects still held.
    mesh.at(1);
    const a = await shared.build(pinned, deps);
    if (!a.ok) throw new Error(a.error.message);
    const reader = graphJsonStream(a.graph, undefined, a.release).getReader();
    const pieces: Uint8Array[] = [];
    const first = await reader.read();
    if (first.value) pieces.push(first.value);
    const reused = walkObjectsReused();
    expect(await alone(2)).toBe(expected[1]);
    expect(await alone(3)).toBe(expected[2]);
    // The third build filled the second's objects again (released), never the first's (held).
    expect(walkObjectsReused()).toBe(reused + 1);
    for (let r = await reader.read(); !r.done; r = await reader.read()) pieces.push(r.value);
    expect(pieces.length).toBeGreaterThan(2);
    expect(Buffer.concat(pieces).toString()).toBe(expected[0]);
  });

  it('releases a cancelled answer (the client went away): the next build fills its objects again', async () => {
    const mesh = chain(1500);
    const deps = { prometheus: mesh.prometheus };
    const shared = new SharedBuilds({ refreshS: 10, maxGraphs: 2, nowMs: () => 1_700_000_000_000 });
    const pinned = params('queryTime=1600000000&duration=62s');
    mesh.at(1);
    // Asked before: its builds have a lease.
    await written(shared.build(pinned, deps));
    const a = await shared.build(pinned, deps);
    if (!a.ok) throw new Error(a.error.message);
    const reader = graphJsonStream(a.graph, undefined, a.release).getReader();
    await reader.read();
    const reused = walkObjectsReused();
    await reader.cancel();
    mesh.at(2);
    const b = await shared.build(pinned, deps);
    expect(walkObjectsReused()).toBe(reused + 1);
    expect(b.ok).toBe(true);
    b.release();
  });

  it('keeps no objects of a pinned time asked once, and fills them again only for the same view and time', async () => {
    const mesh = chain(300);
    const deps = { prometheus: mesh.prometheus };
    const shared = new SharedBuilds({ refreshS: 10, maxGraphs: 1, nowMs: () => 1_700_000_003_000 });
    const at = (q: string) => written(shared.build(params(`queryTime=${q}`), deps));
    mesh.at(1);
    const reused = walkObjectsReused();
    // Asked once (a cold request): objects of its own, none kept; asked again: kept once released.
    const first = await at('1600000000&duration=64s');
    mesh.at(2);
    await at('1600000000&duration=64s');
    expect(walkObjectsReused()).toBe(reused);
    // Another second (another latency reading), twice, and a live view: objects of their own, though the same walk
    // program is replayed and a released set of it is free.
    await at('1600000001&duration=64s');
    await at('1600000001&duration=64s');
    const live = await shared.build(params('duration=64s'), deps);
    expect(walkObjectsReused()).toBe(reused);
    // The first view and time again (a pinned view polled): its released set filled again, the answer as fresh.
    mesh.at(1);
    expect(await at('1600000000&duration=64s')).toBe(first);
    expect(walkObjectsReused()).toBe(reused + 1);
    // Another window at that second: its own.
    await at('1600000000&duration=65s');
    await at('1600000000&duration=65s');
    expect(walkObjectsReused()).toBe(reused + 1);
    live.release();
  });

  it("keeps a live build's objects while the cache keeps it, and lets them go when it is dropped", async () => {
    const mesh = chain(200);
    const deps = { prometheus: mesh.prometheus };
    let now = 1_700_000_003_000;
    const shared = new SharedBuilds({ refreshS: 10, maxGraphs: 1, nowMs: () => now });
    const live = params('duration=63s');
    mesh.at(1);
    const reused = walkObjectsReused();
    const first = await written(await shared.build(live, deps));
    // Its answer written, but the cache keeps the build for the rest of its period: a pinned build makes its own
    // (held below, so that only the first's objects can be filled again).
    const pinned = await shared.build(params('queryTime=1700000000&duration=63s'), deps);
    expect(walkObjectsReused()).toBe(reused);
    if (!pinned.ok) throw new Error(pinned.error.message);
    expect(await new Response(graphJsonStream(pinned.graph)).text()).toBe(first);
    // The next period's build drops the first (the cache keeps one): it fills those objects again.
    now += 10_000;
    mesh.at(2);
    const second = await shared.build(live, deps);
    expect(walkObjectsReused()).toBe(reused + 1);
    expect(await written(second)).not.toBe(first);
    pinned.release();
  });
});

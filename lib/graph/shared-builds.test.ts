import { describe, expect, it } from 'vitest';
import { fakePrometheus } from './fake-prometheus';
import { parseGraphParams } from './params';
import { SharedBuilds, viewKey } from './shared-builds';
import { BOOKINFO, requestSample } from './test-samples';

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

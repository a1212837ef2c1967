import { describe, expect, it, vi } from 'vitest';
import { buildGraph } from './build-graph';
import { fakePrometheus } from './fake-prometheus';
import { startReads } from './graph-reads';
import { LatencyCache } from './latency-cache';
import type { ConfigResult } from './mesh-config-source';
import { parseGraphParams } from './params';
import { JOIN_SEPARATOR, REQUEST_JOINED, REQUEST_LABELS } from './promql';
import type { Sample } from './series';
import { BOOKINFO, requestSample } from './test-samples';

const sample = requestSample({
  reporter: 'source',
  from: { ns: 'web', wl: 'ui', app: 'ui', version: 'v1' },
  to: BOOKINFO.reviewsV1,
  service: BOOKINFO.REVIEWS,
  rps: 2,
});
const joined = {
  labels: { [REQUEST_JOINED]: REQUEST_LABELS.map((l) => sample.labels[l] ?? '').join(JOIN_SEPARATOR) },
  value: 2,
};
/** The source reporter's joined rates (the test samples' reporter), read apart from the destination's. */
const JOINED_SOURCE = 'label_join(rate(istio_requests_total{reporter="source"';
/** A config of some namespaces: a VirtualService each, named after its namespace. */
const configOf = (ns: string[]): ConfigResult => ({
  ok: true,
  value: {
    virtualServices: ns.map((n) => ({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: n, namespace: n },
      spec: { hosts: [n] },
    })),
    destinationRules: [],
    serviceEntries: [],
  },
});
/** The namespaces a config read gave. */
async function configNamespaces(config: Promise<ConfigResult | undefined>): Promise<string[] | undefined> {
  const c = await config;
  return c?.ok ? c.value.virtualServices.map((v) => v.metadata.namespace ?? '') : undefined;
}

function start(query: string, prometheus: ReturnType<typeof fakePrometheus>, asked: string[][] = []) {
  const params = parseGraphParams(new URLSearchParams(`${query}&latency=false`));
  if (!params.ok) throw new Error(params.message);
  const meshConfig = async (ns: string[]) => {
    asked.push(ns);
    return configOf(ns);
  };
  return startReads(params.value, { prometheus, meshConfig }, 1_700_000_000);
}

describe('graph reads', () => {
  it('splits the joined request rates back into their labels', async () => {
    const reads = start('', fakePrometheus([[JOINED_SOURCE, [joined]]]));
    const r = await reads.requests;
    // Empty values are left out, as Prometheus leaves out an empty label.
    const labels = Object.fromEntries(
      REQUEST_LABELS.flatMap((l) => (sample.labels[l] ? [[l, sample.labels[l]]] : [])),
    );
    expect(r.ok && r.value).toEqual([{ labels, value: 2 }]);
  });

  it("reads each reporter's joined rates as a query of its own, at once, and joins them as `or` does", async () => {
    const destination = requestSample({
      reporter: 'destination',
      from: { ns: 'web', wl: 'ui', app: 'ui', version: 'v1' },
      to: BOOKINFO.reviewsV1,
      service: BOOKINFO.REVIEWS,
      rps: 3,
    });
    const destinationJoined = {
      labels: {
        [REQUEST_JOINED]: REQUEST_LABELS.map((l) => destination.labels[l] ?? '').join(JOIN_SEPARATOR),
      },
      value: 3,
    };
    for (const namespaces of ['', 'namespaces=web,bookinfo']) {
      const prometheus = fakePrometheus([
        [JOINED_SOURCE, [joined]],
        ['label_join(rate(istio_requests_total{reporter="destination"', [destinationJoined]],
      ]);
      const reads = start(namespaces, prometheus);
      const rates = prometheus.asked.filter((q) => q.includes('label_join'));
      // Both sent before either answered, neither with the other reporter's series.
      expect(rates).toHaveLength(2);
      expect(rates[0]).not.toContain('reporter="destination"');
      expect(rates[1]).not.toContain('reporter="source"');
      const r = await reads.requests;
      expect(r.ok && r.value.map((s) => [s.labels.reporter, s.value])).toEqual([
        ['source', 2],
        ['destination', 3],
      ]);
    }
  });

  it('notes when the last answer of its reads landed (the latency read through its own client too)', async () => {
    /** A client whose answers are held until released. */
    const holding = (client: ReturnType<typeof fakePrometheus>, held: (() => void)[]) => {
      const hold = () => new Promise<void>((release) => held.push(release));
      const instant = client.instant.bind(client);
      const instantBody = client.instantBody?.bind(client) as NonNullable<typeof client.instantBody>;
      client.instant = async (query, time) => {
        const r = await instant(query, time);
        await hold();
        return r;
      };
      client.instantBody = async (query, time) => {
        const r = await instantBody(query, time);
        await hold();
        return r;
      };
      return client;
    };
    const release = async (held: (() => void)[], until: Promise<unknown>) => {
      let done = false;
      until.then(() => {
        done = true;
      });
      while (!done) {
        for (const r of held.splice(0)) r();
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    const heldReads: (() => void)[] = [];
    const heldLatency: (() => void)[] = [];
    const prometheus = holding(fakePrometheus([[JOINED_SOURCE, [joined]]]), heldReads);
    const latencyPrometheus = holding(fakePrometheus([]), heldLatency);
    const params = parseGraphParams(new URLSearchParams('queryTime=1700000000'));
    if (!params.ok) throw new Error(params.message);
    const reads = startReads(
      params.value,
      { prometheus, latencyPrometheus, latencyCache: new LatencyCache() },
      1_700_000_000,
    );
    await new Promise((r) => setTimeout(r, 10));
    expect(reads.lastAnswer()).toBe(0);
    const start = performance.now();
    await release(heldReads, Promise.all([reads.requests, reads.live]));
    const readsIn = reads.lastAnswer();
    expect(readsIn).toBeGreaterThanOrEqual(start);
    const before = performance.now();
    await release(heldLatency, reads.latency);
    const after = performance.now();
    expect(reads.lastAnswer()).toBeGreaterThanOrEqual(before);
    expect(reads.lastAnswer()).toBeLessThanOrEqual(after);
    expect(latencyPrometheus.asked.length).toBeGreaterThan(0);
  });

  it('asks for the labelled rates when a joined value does not split', async () => {
    const prometheus = fakePrometheus([
      [JOINED_SOURCE, [{ labels: { [REQUEST_JOINED]: 'a;b' }, value: 1 }]],
      ['istio_requests_total', [sample]],
    ]);
    const r = await start('', prometheus).requests;
    expect(r.ok && r.value).toEqual([sample]);
    // The two reporters' joined rates, then the labelled ones of both.
    expect(prometheus.asked.filter((q) => q.includes('istio_requests_total'))).toHaveLength(3);
  });

  it('reads the config of the namespaces asked for, or else of those the traffic names', async () => {
    const asked: string[][] = [];
    const config = [
      await configNamespaces(
        start('namespaces=bookinfo', fakePrometheus([[JOINED_SOURCE, [joined]]]), asked).config,
      ),
      await configNamespaces(start('duration=2m', fakePrometheus([[JOINED_SOURCE, [joined]]]), asked).config),
    ];
    expect(config).toEqual([['bookinfo'], ['bookinfo', 'web']]);
    expect(asked).toEqual([['bookinfo'], ['bookinfo', 'web']]);
  });

  it('reads the config of the namespaces the TCP series name too, polled or not, with gRPC message rates or not', async () => {
    const { response_code: _code, ...labels } = sample.labels;
    const tcp = {
      labels: { ...labels, source_workload_namespace: 'db-ns', destination_service_namespace: 'Not_A_Name' },
      value: 512,
    };
    const rules: Parameters<typeof fakePrometheus>[0] = [
      [JOINED_SOURCE, [joined]],
      ['istio_tcp_received_bytes_total', [tcp]],
    ];
    // Twice: the second answer's series are the first's (its namespaces kept from it, rates-answer.ts).
    const config = [
      await configNamespaces(start('duration=3m', fakePrometheus(rules)).config),
      await configNamespaces(start('duration=3m', fakePrometheus(rules)).config),
      await configNamespaces(
        start(
          'duration=3m',
          fakePrometheus([
            [JOINED_SOURCE, [joined]],
            ['istio_tcp', { error: 'gone' }],
          ]),
        ).config,
      ),
      await configNamespaces(start('duration=3m&rateGrpc=sent', fakePrometheus(rules)).config),
    ];
    expect(config).toEqual([
      ['bookinfo', 'db-ns', 'web'],
      ['bookinfo', 'db-ns', 'web'],
      ['bookinfo', 'web'],
      ['bookinfo', 'db-ns', 'web'],
    ]);
  });

  it("starts a view's config read with the namespaces its traffic had last time, before its rates land, and reads a new one after them", async () => {
    const destination = requestSample({
      reporter: 'destination',
      from: { ns: 'shop', wl: 'cart', app: 'cart', version: 'v1' },
      to: { ns: 'db', wl: 'db', app: 'db', version: 'v1' },
      service: 'db.db.svc.cluster.local',
      rps: 3,
    });
    const destinationJoined = {
      labels: {
        [REQUEST_JOINED]: REQUEST_LABELS.map((l) => destination.labels[l] ?? '').join(JOIN_SEPARATOR),
      },
      value: 3,
    };
    const DESTINATION = 'label_join(rate(istio_requests_total{reporter="destination"';
    const asked: string[][] = [];
    // The first graph of the view: its config read waits for the namespaces of its rates.
    expect(
      await configNamespaces(start('duration=7m', fakePrometheus([[JOINED_SOURCE, [joined]]]), asked).config),
    ).toEqual(['bookinfo', 'web']);
    expect(asked).toEqual([['bookinfo', 'web']]);
    // The second: its rates held until the config is asked for (bounded), then with two new namespaces.
    asked.length = 0;
    const prometheus = fakePrometheus([
      [JOINED_SOURCE, [joined]],
      [DESTINATION, [destinationJoined]],
    ]);
    let ratesLanded = false;
    const instantBody = prometheus.instantBody?.bind(prometheus);
    prometheus.instantBody = async (query, time) => {
      if (query.includes('label_join')) {
        await vi.waitFor(() => expect(asked.length).toBeGreaterThan(0), { timeout: 2000 }).catch(() => {});
        ratesLanded = true;
      }
      return (instantBody as NonNullable<typeof instantBody>)(query, time);
    };
    // Whether the rates had landed when the config was asked for.
    const landedWhenAsked: boolean[] = [];
    const push = asked.push.bind(asked);
    asked.push = (...ns: string[][]) => {
      landedWhenAsked.push(ratesLanded);
      return push(...ns);
    };
    const reads = start('duration=7m', prometheus, asked);
    await vi.waitFor(() => expect(asked.length).toBeGreaterThan(0), { timeout: 3000 });
    expect(landedWhenAsked[0]).toBe(false);
    expect(await configNamespaces(reads.config)).toEqual(['bookinfo', 'db', 'shop', 'web']);
    // Then only what the early read lacked.
    expect([...asked]).toEqual([
      ['bookinfo', 'web'],
      ['db', 'shop'],
    ]);
  });

  it('starts the config read after the turn that sent the Prometheus reads, so their requests are written first', async () => {
    const asked: string[][] = [];
    // The view's first graph: the namespaces its traffic had, for the next one's early read.
    await start('duration=9m', fakePrometheus([[JOINED_SOURCE, [joined]]]), asked).config;
    asked.length = 0;
    const prometheus = fakePrometheus([[JOINED_SOURCE, [joined]]]);
    const early = start('duration=9m', prometheus, asked);
    const namespaced = start('namespaces=shop', fakePrometheus([[JOINED_SOURCE, [joined]]]), asked);
    // Prometheus' reads sent in this turn; neither config read started in it (node:http writes a request only
    // once the code that sent it yields).
    expect(prometheus.asked.filter((q) => q.includes('label_join'))).toHaveLength(2);
    expect(asked).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect([...asked].sort()).toEqual([['bookinfo', 'web'], ['shop']]);
    expect(await configNamespaces(early.config)).toEqual(['bookinfo', 'web']);
    expect(await configNamespaces(namespaced.config)).toEqual(['shop']);
  });

  it('fails the live stats as a whole when one of them fails', async () => {
    const live = await start(
      '',
      fakePrometheus([['envoy_cluster_upstream_rq_retry_overflow', { error: 'gone' }]]),
    ).live;
    expect(live).toMatchObject({ ok: false, error: { message: 'gone' } });
  });

  it('reads TCP bytes/s beside the requests and marks them TCP; a failed TCP read leaves the requests', async () => {
    const { response_code: _code, ...labels } = sample.labels;
    const bytes = { labels: { ...labels, request_protocol: '' }, value: 512 };
    const both = await start(
      '',
      fakePrometheus([
        [JOINED_SOURCE, [joined]],
        ['istio_tcp_received_bytes_total', [bytes]],
      ]),
    ).requests;
    expect(both.ok && both.value.map((s) => [s.labels.request_protocol, s.value])).toEqual([
      ['http', 2],
      ['tcp', 512],
    ]);
    const failed = await start(
      '',
      fakePrometheus([
        [JOINED_SOURCE, [joined]],
        ['istio_tcp_received_bytes_total', { error: 'gone' }],
      ]),
    ).requests;
    expect(failed.ok && failed.value).toHaveLength(1);
  });

  it("gives a TCP series the same frozen labels from one read to the next (the walk's per-labels caches take only those)", async () => {
    const { response_code: _code, ...labels } = sample.labels;
    // Each read parses its own labels objects, as the client does.
    const read = async () => {
      const r = await start(
        '',
        fakePrometheus([
          [JOINED_SOURCE, [joined]],
          ['istio_tcp_received_bytes_total', [{ labels: { ...labels, request_protocol: '' }, value: 512 }]],
        ]),
      ).requests;
      if (!r.ok) throw new Error(r.error.message);
      return r.value[1] as Sample;
    };
    const first = await read();
    const second = await read();
    expect(first.labels).toEqual({ ...labels, request_protocol: 'tcp' });
    expect(Object.isFrozen(first.labels)).toBe(true);
    expect(second.labels).toBe(first.labels);
  });

  it('with rateGrpc=sent, gRPC calls give way to the messages their callers sent (no code: counted OK)', async () => {
    const call: Sample = {
      labels: { ...sample.labels, request_protocol: 'grpc', grpc_response_status: '14' },
      value: 1,
    };
    const callJoined = {
      labels: { [REQUEST_JOINED]: REQUEST_LABELS.map((l) => call.labels[l] ?? '').join(JOIN_SEPARATOR) },
      value: 1,
    };
    const prometheus = fakePrometheus([
      [JOINED_SOURCE, [joined, callJoined]],
      ['istio_request_messages_total', [{ labels: { ...sample.labels, request_protocol: '' }, value: 40 }]],
    ]);
    const r = await start('rateGrpc=sent', prometheus).requests;
    expect(
      r.ok && r.value.map((s) => [s.labels.request_protocol, s.labels.grpc_response_status ?? '', s.value]),
    ).toEqual([
      ['http', '', 2],
      ['grpc', '0', 40],
    ]);
    expect(prometheus.asked.some((q) => q.includes('istio_response_messages_total'))).toBe(false);
    // The default reads no messages at all.
    const calls = fakePrometheus([[JOINED_SOURCE, [joined, callJoined]]]);
    await start('', calls).requests;
    expect(calls.asked.some((q) => q.includes('messages_total'))).toBe(false);
  });

  it("times a build's `reads` (Server-Timing): from its start to the last answer it waited for, the rest of `prometheus` after it", async () => {
    const prometheus = fakePrometheus([[JOINED_SOURCE, [joined]]]);
    // The TCP and Envoy stats answers held until released (the rates' answer is in at once).
    const held: (() => void)[] = [];
    const instant = prometheus.instant.bind(prometheus);
    prometheus.instant = async (query, time) => {
      const r = await instant(query, time);
      await new Promise<void>((release) => held.push(release));
      return r;
    };
    const params = parseGraphParams(new URLSearchParams('latency=false&queryTime=1700000000'));
    if (!params.ok) throw new Error(params.message);
    const outer = performance.now();
    const building = buildGraph(params.value, { prometheus });
    const called = performance.now();
    await new Promise((r) => setTimeout(r, 25));
    const before = performance.now();
    expect(held.length).toBeGreaterThan(0);
    for (const release of held.splice(0)) release();
    const built = await building;
    const after = performance.now();
    if (!built.ok) throw new Error(built.error.message);
    const { reads, prometheus: all } = built.timings;
    // The last answer landed once released, after the build started and before it was done.
    expect(reads).toBeGreaterThanOrEqual(before - called);
    expect(reads).toBeLessThanOrEqual(after - outer);
    expect(all).toBeGreaterThanOrEqual(before - called);
    // Server-Timing names each entry (`route.ts`).
    expect(Object.keys(built.timings)).toEqual(['reads', 'prometheus', 'config', 'assemble']);
  });
});

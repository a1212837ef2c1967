// Requests pipelined between two sidecars (fast-pool.ts's pipelineDepth, fast-listener.ts's cork): a
// caller's outbound sidecar pipelines the requests ready in one turn to an endpoint labelled as running a
// sidecar (security.istio.io/tlsMode: istio), never to a plain one, never a request behind a
// non-idempotent one; the callee's inbound sidecar answers in order. A TCP relay between the two sees the
// bytes as they go. And an endpoint that closes mid-pipeline: the unanswered idempotent requests are sent
// again, a non-idempotent one ends as 503 UC.
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SidecarMetrics } from '../src/sidecar/metrics';
import { type SidecarHandle, startSidecar } from '../src/sidecar/sidecar';
import { parseConfigText, staticSource } from '../src/sidecar-config/static-file-source';
import {
  openedResources,
  recordingTracer,
  send,
  serviceEntry,
  startUpstream,
  virtualService,
  workloadEntry,
  yamlDocs,
} from './sidecar-harness';
import { freePort } from './support/processes';

const resources = openedResources();
afterEach(resources.closeAll);

const REQUEST_LINE = /(?:^|\r\n\r\n|\n)(GET|HEAD|POST|PUT|DELETE|PATCH|OPTIONS) \S+ HTTP\/1\.1\r\n/g;
const STATUS_LINE = /HTTP\/1\.1 \d{3} /g;

/** One connection through the relay: what went each way, read by read. */
interface RelayedConnection {
  /** Request methods of each client → server read (a read of several: pipelined). */
  requestReads: string[][];
  /** Set when a request followed a POST/PATCH on this connection before the POST's response came back. */
  behindNonIdempotent: boolean;
}

/** A TCP relay to `target` that records how requests arrive on each connection it carries. */
async function relay(target: number) {
  const conns: RelayedConnection[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((down) => {
    const rec: RelayedConnection = { requestReads: [], behindNonIdempotent: false };
    conns.push(rec);
    let requests = 0;
    let responses = 0;
    /** The number of the request (1-based) that is a POST/PATCH still unanswered; 0: none. */
    let openNonIdempotent = 0;
    const up = connect(target, '127.0.0.1');
    for (const s of [down, up]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    down.on('data', (d: Buffer) => {
      const methods = [...d.toString('latin1').matchAll(REQUEST_LINE)].map((m) => m[1] as string);
      if (methods.length > 0) rec.requestReads.push(methods);
      for (const m of methods) {
        if (openNonIdempotent !== 0) rec.behindNonIdempotent = true;
        requests++;
        if (m === 'POST' || m === 'PATCH') openNonIdempotent = requests;
      }
      up.write(d);
    });
    up.on('data', (d: Buffer) => {
      responses += d.toString('latin1').match(STATUS_LINE)?.length ?? 0;
      if (openNonIdempotent !== 0 && responses >= openNonIdempotent) openNonIdempotent = 0;
      down.write(d);
    });
    down.on('close', () => up.destroy());
    up.on('close', () => down.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return resources.track({
    port: (server.address() as AddressInfo).port,
    conns,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  });
}

/** A sidecar (productpage) whose `reviews` endpoint is `reviewsPort`, labelled a sidecar or not. */
async function caller(reviewsPort: number, labelled: boolean, vs?: string) {
  const docs = [serviceEntry('reviews'), workloadEntry('reviews', 'v1', reviewsPort, { sidecar: labelled })];
  if (vs) docs.push(virtualService('reviews', vs));
  const s: SidecarHandle = await startSidecar({
    service: 'productpage',
    appPort: await freePort(),
    configSource: staticSource(parseConfigText(yamlDocs(...docs), 'mesh.yaml')),
    metrics: new SidecarMetrics(),
    tracer: recordingTracer().tracer,
    log: () => {},
  });
  return resources.track(s);
}

/** reviews' own sidecar in front of its app (the callee's inbound listener). */
async function callee(appPort: number) {
  const s: SidecarHandle = await startSidecar({
    service: 'reviews',
    appPort,
    configSource: staticSource(parseConfigText(yamlDocs(serviceEntry('reviews')), 'mesh.yaml')),
    metrics: new SidecarMetrics(),
    tracer: recordingTracer().tracer,
    log: () => {},
  });
  return resources.track(s);
}

type Sent = { method: string; path: string; body?: string };
type Got = { status: number; body: string; flags: string };

/**
 * Keep-alive client connections to `port` (as an app's to its sidecar); `burst` writes one request on each
 * of the first ones in the same tick (so that the caller's sidecar reads them in one turn) and resolves
 * with each one's status and body.
 */
async function clients(port: number, n: number) {
  const conns = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<{ socket: Socket; text: string; waiting: ((g: Got) => void) | undefined }>((resolve) => {
          const c = {
            socket: connect(port, '127.0.0.1', () => resolve(c)),
            text: '',
            waiting: undefined as ((g: Got) => void) | undefined,
          };
          c.socket.on('data', (d: Buffer) => {
            c.text += d.toString('latin1');
            const end = c.text.indexOf('\r\n\r\n');
            if (end === -1) return;
            const head = c.text.slice(0, end);
            const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
            if (c.text.length < end + 4 + length) return;
            const got = {
              status: Number(c.text.slice(9, 12)),
              body: c.text.slice(end + 4, end + 4 + length),
              flags: /x-envoy-response-flags: (\S+)/i.exec(head)?.[1] ?? '-',
            };
            c.text = c.text.slice(end + 4 + length);
            const w = c.waiting;
            c.waiting = undefined;
            w?.(got);
          });
        }),
    ),
  );
  resources.track({
    close: async () => {
      for (const c of conns) c.socket.destroy();
    },
  });
  return {
    burst(reqs: Sent[]): Promise<Got[]> {
      const answers = reqs.map(
        (_r, i) =>
          new Promise<Got>((resolve) => {
            (conns[i] as { waiting: ((g: Got) => void) | undefined }).waiting = resolve;
          }),
      );
      reqs.forEach((r, i) => {
        const body = r.body ?? '';
        const length = body || r.method === 'POST' ? `content-length: ${body.length}\r\n` : '';
        conns[i]?.socket.write(`${r.method} ${r.path} HTTP/1.1\r\nhost: reviews\r\n${length}\r\n${body}`);
      });
      return Promise.all(answers);
    },
  };
}

const gets = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => ({ method: 'GET', path: `/${tag}${i}` }));

/** Bursts until the relay has seen a read with several requests (the turn batching is the loop's to make). */
async function burstUntilPipelined(
  port: number,
  conns: RelayedConnection[],
  make: (round: number) => Sent[],
) {
  const all: Array<{ sent: Sent; got: Got }> = [];
  const c = await clients(port, make(0).length);
  for (let round = 0; round < 20; round++) {
    const reqs = make(round);
    const got = await c.burst(reqs);
    for (const [i, sent] of reqs.entries()) all.push({ sent, got: got[i] as Got });
    if (conns.some((x) => x.requestReads.some((r) => r.length > 1))) break;
  }
  return all;
}

describe('requests pipelined between sidecars', () => {
  it('pipelines to an endpoint labelled a sidecar; the callee answers each in order', async () => {
    const app = resources.track(
      await startUpstream((req, res) => {
        // Out of order at the app: the callee's inbound still answers in request order.
        setTimeout(() => res.end(`${req.method} ${req.url}`), Math.random() * 5);
      }),
    );
    const reviews = await callee(app.port);
    const r = await relay(reviews.ports.inbound);
    const pp = await caller(r.port, true);
    const all = await burstUntilPipelined(pp.ports.outbound, r.conns, (round) => gets(8, `r${round}-`));
    for (const { sent, got } of all) expect(got).toMatchObject({ status: 200, body: `GET ${sent.path}` });
    expect(r.conns.some((c) => c.requestReads.some((reads) => reads.length > 1))).toBe(true);
  });

  it('never pipelines to an endpoint not known to run a sidecar', async () => {
    const app = resources.track(await startUpstream((req, res) => res.end(String(req.url))));
    const r = await relay(app.port);
    const pp = await caller(r.port, false);
    const c = await clients(pp.ports.outbound, 8);
    for (let round = 0; round < 5; round++) {
      const got = await c.burst(gets(8, `r${round}-`));
      expect(got.every((g) => g.status === 200)).toBe(true);
    }
    expect(r.conns.flatMap((c) => c.requestReads).every((reads) => reads.length === 1)).toBe(true);
  });

  it('never sends a request behind a non-idempotent one', async () => {
    const app = resources.track(
      await startUpstream((req, res, body) =>
        setTimeout(() => res.end(`${req.method} ${req.url} ${body}`), 2),
      ),
    );
    const reviews = await callee(app.port);
    const r = await relay(reviews.ports.inbound);
    const pp = await caller(r.port, true);
    const mixed = (round: number) =>
      Array.from({ length: 10 }, (_, i) =>
        i % 3 === 1
          ? { method: i % 2 ? 'POST' : 'PATCH', path: `/w${round}-${i}`, body: `b${i}` }
          : { method: 'GET', path: `/g${round}-${i}` },
      );
    const all = await burstUntilPipelined(pp.ports.outbound, r.conns, mixed);
    for (const { sent, got } of all) {
      expect(got.status).toBe(200);
      expect(got.body.startsWith(`${sent.method} ${sent.path}`)).toBe(true);
    }
    const reads = r.conns.flatMap((c) => c.requestReads);
    // A POST/PATCH is alone in its write, and nothing follows it before its response.
    for (const read of reads)
      if (read.includes('POST') || read.includes('PATCH')) expect(read).toHaveLength(1);
    expect(r.conns.some((c) => c.behindNonIdempotent)).toBe(false);
    expect(reads.some((read) => read.length > 1)).toBe(true);
  });

  it('sends the unanswered GETs again when the callee closes mid-pipeline; a POST there is 503 UC', async () => {
    // A stand-in for a callee sidecar: the first time a read brings several requests it answers the first
    // and closes under the rest; otherwise it answers each GET, and closes on a POST without answering.
    const seen: string[] = [];
    let closedUnder = 0;
    const fake: Server = createServer((s) => {
      s.on('error', () => {});
      s.on('data', (d: Buffer) => {
        const reqs = [...d.toString('latin1').matchAll(/(GET|POST) (\S+) HTTP/g)];
        const cut = reqs.length > 1 && closedUnder === 0;
        for (const m of reqs) {
          seen.push(`${m[1]} ${m[2]}`);
          if (m[1] === 'POST' || (cut && m !== reqs[0])) {
            if (cut) closedUnder = reqs.length - 1;
            s.destroy();
            return;
          }
          s.write(`HTTP/1.1 200 OK\r\ncontent-length: ${(m[2] as string).length}\r\n\r\n${m[2]}`);
        }
      });
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    resources.track({ close: () => new Promise<void>((resolve) => fake.close(() => resolve())) });
    const pp = await caller(
      (fake.address() as AddressInfo).port,
      true,
      '  - route: [{destination: {host: reviews}}]\n    retries: {attempts: 0}\n',
    );
    const c = await clients(pp.ports.outbound, 6);
    for (let round = 0; round < 20 && closedUnder === 0; round++) {
      const got = await c.burst(gets(6, `r${round}-`));
      // With no retries configured, every GET still gets its answer: the ones closed under were sent again.
      for (const [i, g] of got.entries()) expect(g).toMatchObject({ status: 200, body: `/r${round}-${i}` });
    }
    expect(closedUnder).toBeGreaterThan(0);
    const post = await send(pp.ports.outbound, { host: 'reviews', method: 'POST', path: '/p', body: 'x' });
    expect(post.status).toBe(503);
    expect(post.headers['x-envoy-response-flags']).toBe('UC');
    expect(seen.filter((s) => s === 'POST /p')).toHaveLength(1);
  });
});

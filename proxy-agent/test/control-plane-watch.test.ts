// Watches as Kubernetes informers use them, against the real process: headers at once, events in
// order, resuming from a resourceVersion, Expired (410) past the history; and the sidecar's
// ConfigSource following the control plane through a restart.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type ControlPlaneSource, connectControlPlane } from '../src/sidecar-config/control-plane-source';
import {
  type CpProcess,
  call,
  collectWatch,
  destinationRule,
  type Json,
  NS_PATH,
  removeDir,
  serviceEntry,
  startCp,
  weightedRoute,
} from './control-plane-helpers';
import { waitFor } from './support/processes';

const running: CpProcess[] = [];
const sources: ControlPlaneSource[] = [];
afterEach(async () => {
  for (const s of sources.splice(0)) await s.close();
  for (const cp of running.splice(0)) {
    await cp.stop();
    await removeDir(cp.dataDir);
  }
});

async function cpWithReviews(args: string[] = []) {
  const cp = await startCp({ token: 'watch-token', args });
  running.push(cp);
  expect((await call(cp, 'POST', `${NS_PATH}/serviceentries`, serviceEntry('reviews'))).status).toBe(201);
  expect(
    (await call(cp, 'POST', `${NS_PATH}/destinationrules`, destinationRule('reviews', ['v1', 'v2']))).status,
  ).toBe(201);
  const vs = await call(
    cp,
    'POST',
    `${NS_PATH}/virtualservices`,
    weightedRoute('reviews', { v1: 100, v2: 0 }),
  );
  expect(vs.status).toBe(201);
  return { cp, rv: vs.body.metadata.resourceVersion as string };
}

/** Sets the v2 weight `n` times in a row, each PUT at the version the previous one answered. */
async function shiftWeights(cp: CpProcess, fromRv: string, weights: number[]): Promise<string[]> {
  let rv = fromRv;
  const versions: string[] = [];
  for (const w of weights) {
    const r = await call(
      cp,
      'PUT',
      `${NS_PATH}/virtualservices/reviews`,
      weightedRoute('reviews', { v1: 100 - w, v2: w }, rv),
    );
    expect(r.status).toBe(200);
    rv = r.body.metadata.resourceVersion;
    versions.push(rv);
  }
  return versions;
}

describe('control plane watch', () => {
  it('sends headers at once and every change in order', async () => {
    const { cp, rv } = await cpWithReviews();
    const started = Date.now();
    const res = await fetch(`${cp.url}${NS_PATH}/virtualservices?watch=true&resourceVersion=${rv}`, {
      headers: { authorization: `Bearer ${cp.token}` },
    });
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1000);
    await res.body?.cancel();

    const weights = Array.from({ length: 20 }, (_, i) => (i * 5) % 101);
    const watching = collectWatch(
      cp,
      `${NS_PATH}/virtualservices?watch=true&resourceVersion=${rv}`,
      (e) => e.length >= 21,
    );
    // Events after `rv` are replayed from the history, so the watch may start before or after the writes.
    const versions = await shiftWeights(cp, rv, weights);
    expect((await call(cp, 'DELETE', `${NS_PATH}/virtualservices/reviews`)).status).toBe(200);
    const events = await watching;
    expect(events.map((e: Json) => e.type)).toEqual([...weights.map(() => 'MODIFIED'), 'DELETED']);
    expect(events.slice(0, 20).map((e: Json) => e.object.metadata.resourceVersion)).toEqual(versions);
    expect(events.slice(0, 20).map((e: Json) => e.object.spec.http[0].route[1].weight)).toEqual(weights);
    const rvs = events.map((e: Json) => Number(e.object.metadata.resourceVersion));
    expect(rvs).toEqual([...rvs].sort((a, b) => a - b));
  });

  it('resumes from a resourceVersion, replaying only what came after it', async () => {
    const { cp, rv } = await cpWithReviews();
    const versions = await shiftWeights(cp, rv, [10, 20, 30, 40]);
    const events = await collectWatch(
      cp,
      `${NS_PATH}/virtualservices?watch=true&resourceVersion=${versions[1]}`,
      (e) => e.length >= 2,
    );
    expect(events.map((e: Json) => e.object.metadata.resourceVersion)).toEqual(versions.slice(2));
    const fromStart = await collectWatch(cp, `${NS_PATH}/virtualservices?watch=true`, (e) => e.length >= 1);
    expect(fromStart[0]).toMatchObject({
      type: 'ADDED',
      object: { metadata: { resourceVersion: versions[3] } },
    });
  });

  it('answers Expired (410) to a resourceVersion older than its history', async () => {
    const { cp, rv } = await cpWithReviews(['--watch-history', '3']);
    await shiftWeights(cp, rv, [10, 20, 30, 40, 50]);
    const events = await collectWatch(
      cp,
      `${NS_PATH}/virtualservices?watch=true&resourceVersion=1`,
      (e) => e.length >= 1,
    );
    expect(events).toEqual([
      { type: 'ERROR', object: expect.objectContaining({ kind: 'Status', code: 410, reason: 'Expired' }) },
    ]);
  });

  it('feeds a sidecar ConfigSource: each change within 1 s, last config kept while the control plane is away, resync on return', async () => {
    const { cp, rv } = await cpWithReviews();
    const errors: string[] = [];
    const source = await connectControlPlane({
      url: cp.url,
      token: cp.token,
      backoff: { baseMs: 50, capMs: 500 },
      onError: (m) => errors.push(m),
    });
    sources.push(source);
    const v2Weight = () => {
      const vs = source.current().resources.find((r) => r.kind === 'VirtualService');
      return vs?.kind === 'VirtualService' ? vs.spec.http?.[0]?.route[1]?.weight : undefined;
    };
    expect(
      source
        .current()
        .resources.map((r) => r.kind)
        .sort(),
    ).toEqual(['DestinationRule', 'ServiceEntry', 'VirtualService']);
    expect(source.current().resourceVersion).toBe(rv);
    const snapshots: string[] = [];
    source.subscribe((s) => snapshots.push(s.resourceVersion ?? ''));

    const changedAt = Date.now();
    const [v1] = await shiftWeights(cp, rv, [25]);
    await waitFor(() => v2Weight() === 25, { timeoutMs: 1000, intervalMs: 5, what: 'the new weight' });
    expect(Date.now() - changedAt).toBeLessThan(1000);
    expect(snapshots).toEqual([v1]);

    // Away: the last snapshot stays in force.
    await cp.stop();
    await waitFor(() => !source.connected(), { what: 'the source to notice' });
    expect(v2Weight()).toBe(25);
    expect(errors.length).toBeGreaterThan(0);

    // Back (same data): a change made after the return reaches the source.
    const again = await startCp({ dataDir: cp.dataDir, port: cp.port, token: 'watch-token' });
    running.splice(running.indexOf(cp), 1, again);
    await waitFor(() => source.connected(), { what: 'reconnection', timeoutMs: 5000 });
    await shiftWeights(again, v1 as string, [60]);
    await waitFor(() => v2Weight() === 60, {
      timeoutMs: 2000,
      intervalMs: 5,
      what: 'the weight after the restart',
    });
  });

  it('refuses and reports a config from the server that does not validate, keeping the previous one', async () => {
    // A stand-in API server (the real one refuses such objects) that lists one ServiceEntry and then
    // streams what the test writes to the ServiceEntry watch.
    const se = serviceEntry('reviews');
    const item = { ...se, metadata: { ...se.metadata, resourceVersion: '1' } };
    let seWatch: ServerResponse | undefined;
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const kind = url.pathname.split('/').pop() as string;
      if (url.searchParams.get('watch') === 'true') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.flushHeaders();
        if (kind === 'serviceentries') seWatch = res;
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          metadata: { resourceVersion: '1' },
          items: kind === 'serviceentries' ? [item] : [],
        }),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const errors: string[] = [];
      const source = await connectControlPlane({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        onError: (m) => errors.push(m),
      });
      sources.push(source);
      const seen: unknown[] = [];
      source.subscribe((s) => seen.push(s));
      await waitFor(() => seWatch !== undefined, { what: 'the watch' });
      const bad = {
        ...item,
        metadata: { ...item.metadata, resourceVersion: '2' },
        spec: { hosts: [], bogus: true },
      };
      seWatch?.write(`${JSON.stringify({ type: 'MODIFIED', object: bad })}\n`);
      await waitFor(() => errors.some((e) => e.includes('refused config at resourceVersion 2')), {
        what: 'the report',
      });
      expect(errors.join('\n')).toMatch(
        /ServiceEntry default\/reviews: spec.hosts: .*spec: Unrecognized key/s,
      );
      expect(seen).toEqual([]);
      expect(source.current().resourceVersion).toBe('1');
      expect(source.current().resources).toEqual([item]);
      // The fix arrives: a new complete snapshot.
      const fixed = {
        ...item,
        metadata: { ...item.metadata, resourceVersion: '3' },
        spec: { ...item.spec, hosts: ['reviews.default.svc.cluster.local', 'reviews.example'] },
      };
      seWatch?.write(`${JSON.stringify({ type: 'MODIFIED', object: fixed })}\n`);
      await waitFor(() => seen.length === 1, { what: 'the fixed snapshot' });
      expect(source.current().resourceVersion).toBe('3');
    } finally {
      seWatch?.end();
      server.closeAllConnections();
      server.close();
    }
  });
});

// Several control planes over one real three-member etcd cluster: one state, etcd's revisions as
// resourceVersions, conflicts decided by etcd transactions, watches that see writes made elsewhere,
// 410 after compaction, registrations on etcd leases, the audit log and the sealed CA in etcd.
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CpProcess,
  call,
  destinationRule,
  fetchTrusting,
  type Json,
  NS_PATH,
  removeDir,
  serviceEntry,
  startCp,
  tempDir,
} from './control-plane-helpers';
import { type EtcdCluster, encryptionKeyFile, haveEtcd, startEtcdCluster } from './etcd-cluster';
import { spawnAgent, waitFor } from './support/processes';

const TOKEN = 'etcd-token';
let cluster: EtcdCluster;
let etcd: Etcd3;
let dir: string;
let keyFile: string;
const planes: CpProcess[] = [];

async function plane(extra: string[] = []): Promise<CpProcess> {
  const cp = await startCp({
    token: TOKEN,
    tls: true,
    args: [
      '--store',
      cluster.storeUrl,
      '--ca-encryption-key-file',
      keyFile,
      '--heartbeat-ttl',
      '1s',
      '--remove-after',
      '3s',
      '--ca-admin-users',
      'ci-admin',
      ...extra,
    ],
  });
  planes.push(cp);
  return cp;
}

/** Reads a watch stream for events until `until` is satisfied (bounded). */
async function watchUntil(
  cp: CpProcess,
  path: string,
  until: (events: Json[]) => boolean,
  timeoutMs = 15_000,
): Promise<Json[]> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  const events: Json[] = [];
  try {
    const res = await fetchTrusting(cp.ca)(`${cp.url}${path}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
      signal: ac.signal,
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let buffered = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += new TextDecoder().decode(value);
      let nl = buffered.indexOf('\n');
      while (nl >= 0) {
        events.push(JSON.parse(buffered.slice(0, nl)));
        buffered = buffered.slice(nl + 1);
        nl = buffered.indexOf('\n');
      }
      if (until(events)) break;
    }
  } catch (err) {
    if (!ac.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
  return events;
}

describe.skipIf(!haveEtcd())('control planes over etcd', () => {
  beforeAll(async () => {
    cluster = await startEtcdCluster(3);
    etcd = new Etcd3({ hosts: cluster.hosts });
    dir = await tempDir('meshlens-etcd-test-');
    keyFile = await encryptionKeyFile(dir);
  }, 60_000);
  afterAll(async () => {
    for (const cp of planes) {
      await cp.stop();
      await removeDir(cp.dataDir);
    }
    etcd?.close();
    await cluster?.stop();
    if (dir) await removeDir(dir);
  }, 60_000);

  it('shares one state: resourceVersion is the etcd mod_revision, a write through one is read through another', async () => {
    const [a, b] = [await plane(), await plane()];
    // Both serve HTTPS from the same CA, kept in etcd with its key sealed.
    expect(a.ca).toBe(b.ca);
    const roots = await etcd.get('/meshlens/ca/roots').string();
    expect(roots).toContain('BEGIN CERTIFICATE');
    expect(roots).not.toContain('PRIVATE KEY');

    const created = await call(a, 'POST', `${NS_PATH}/serviceentries`, serviceEntry('reviews'));
    expect(created.status).toBe(201);
    const raw = await etcd.getAll().prefix('/meshlens/objects/ServiceEntry/default/reviews').exec();
    expect(created.body.metadata.resourceVersion).toBe(raw.kvs[0]?.mod_revision);
    const read = await call(b, 'GET', `${NS_PATH}/serviceentries/reviews`);
    expect(read.status).toBe(200);
    expect(read.body.metadata.resourceVersion).toBe(created.body.metadata.resourceVersion);
    const list = await call(b, 'GET', `${NS_PATH}/serviceentries`);
    expect(Number(list.body.metadata.resourceVersion)).toBeGreaterThanOrEqual(
      Number(created.body.metadata.resourceVersion),
    );

    // The audit entry of a write made through A, read through B, at the write's revision.
    const audit = await call(b, 'GET', '/v1/audit?kind=ServiceEntry&name=reviews');
    expect(audit.body.items[0]).toMatchObject({
      verb: 'create',
      identity: 'ci-admin',
      resourceVersion: created.body.metadata.resourceVersion,
    });

    // A certificate issued by B chains to the root A serves.
    const ca = await call(b, 'GET', '/v1/ca');
    expect(ca.body.roots).toHaveLength(1);
  }, 60_000);

  it('a root rotated through one control plane is trusted by the others, its key still sealed', async () => {
    const [a, b] = planes as [CpProcess, CpProcess];
    const rotated = await call(a, 'POST', '/v1/ca/rotate', { grace: '1h' });
    expect(rotated.status).toBe(201);
    await waitFor(async () => (await call(b, 'GET', '/v1/ca')).body.roots.length === 2, {
      what: 'the new root on b',
    });
    const bundle = await fetchTrusting(b.ca)(`${b.url}/v1/ca/roots`).then((r) => r.text());
    expect(bundle.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(await etcd.get('/meshlens/ca/roots').string()).not.toContain('PRIVATE KEY');
  }, 30_000);

  it('decides concurrent replaces of one version in an etcd transaction: one wins, the other is 409', async () => {
    const [a, b] = planes as [CpProcess, CpProcess];
    const made = await call(a, 'POST', `${NS_PATH}/destinationrules`, destinationRule('reviews', ['v1']));
    expect(made.status).toBe(201);
    const rv = made.body.metadata.resourceVersion as string;
    const path = `${NS_PATH}/destinationrules/reviews`;
    const [ra, rb] = await Promise.all([
      call(a, 'PUT', path, destinationRule('reviews', ['v1', 'v2'], rv)),
      call(b, 'PUT', path, destinationRule('reviews', ['v1', 'v3'], rv)),
    ]);
    expect([ra.status, rb.status].sort()).toEqual([200, 409]);
    const loser = ra.status === 409 ? ra : rb;
    expect(loser.body).toMatchObject({ kind: 'Status', reason: 'Conflict' });
  }, 30_000);

  it('a watch opened on one control plane sees a write made through the other', async () => {
    const [a, b] = planes as [CpProcess, CpProcess];
    const list = await call(b, 'GET', `${NS_PATH}/serviceentries`);
    const seen = watchUntil(
      b,
      `${NS_PATH}/serviceentries?watch=true&resourceVersion=${list.body.metadata.resourceVersion}`,
      (events) => events.some((e) => e.object?.metadata?.name === 'ratings'),
    );
    // The watch resumes from the list's version, so the write is seen whether it lands before or after.
    const created = await call(a, 'POST', `${NS_PATH}/serviceentries`, serviceEntry('ratings'));
    expect(created.status).toBe(201);
    const events = await seen;
    const added = events.find((e) => e.object?.metadata?.name === 'ratings');
    expect(added).toMatchObject({ type: 'ADDED' });
    expect(added.object.metadata.resourceVersion).toBe(created.body.metadata.resourceVersion);
  }, 30_000);

  it('resumes from an old version out of etcd, and answers 410 Expired once etcd compacted it', async () => {
    const [a] = planes as [CpProcess, CpProcess];
    // A control plane with a history of one event: older versions must come from etcd itself.
    const c = await plane(['--watch-history', '1']);
    const before = await call(c, 'GET', `${NS_PATH}/serviceentries`);
    const from = before.body.metadata.resourceVersion as string;
    for (const name of ['details', 'productpage', 'mongodb'])
      expect((await call(a, 'POST', `${NS_PATH}/serviceentries`, serviceEntry(name))).status).toBe(201);
    await waitFor(async () => (await call(c, 'GET', `${NS_PATH}/serviceentries/mongodb`)).status === 200, {
      what: 'the write seen by c',
    });
    const replay = await watchUntil(
      c,
      `${NS_PATH}/serviceentries?watch=true&resourceVersion=${from}`,
      (events) => events.length >= 3,
    );
    expect(replay.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual([
      'ADDED details',
      'ADDED productpage',
      'ADDED mongodb',
    ]);

    const now = await etcd.get('/meshlens/objects#seq').exec();
    await etcd.kv.compact({ revision: now.header.revision, physical: true });
    const gone = await watchUntil(
      c,
      `${NS_PATH}/serviceentries?watch=true&resourceVersion=${from}`,
      (events) => events.length >= 1,
    );
    expect(gone[0]).toMatchObject({
      type: 'ERROR',
      object: { kind: 'Status', code: 410, reason: 'Expired' },
    });
  }, 60_000);

  it('a registration lives on an etcd lease: renewed through any control plane, gone when no one renews it', async () => {
    const [a, b] = planes as [CpProcess, CpProcess];
    const d = await plane();
    const we = {
      metadata: {
        name: 'ratings-v1-9080',
        labels: { app: 'ratings' },
        annotations: { 'istio.io/autoRegistrationGroup': 'ratings-v1', 'prometheus.io/port': '15091' },
      },
      spec: { address: '127.0.0.1', ports: { http: 9080 }, labels: { app: 'ratings', version: 'v1' } },
    };
    expect((await call(d, 'POST', `${NS_PATH}/workloadentries`, we)).status).toBe(201);
    const raw = await etcd.getAll().prefix('/meshlens/objects/WorkloadEntry/default/ratings-v1-9080').exec();
    expect(raw.kvs[0]?.lease).not.toBe('0');
    // The control plane that took the registration dies; heartbeats through another keep it alive.
    await d.kill9();
    const path = `${NS_PATH}/workloadentries/ratings-v1-9080`;
    for (let i = 0; i < 8; i++) {
      const beat = await call(b, 'POST', '/v1/workloadentries/default/ratings-v1-9080/heartbeat');
      expect(beat.status).toBe(200);
      await new Promise((r) => setTimeout(r, 500));
    }
    expect((await call(a, 'GET', path)).status).toBe(200);
    const sd = await call(a, 'GET', '/v1/prometheus/sd');
    expect(sd.body.map((t: Json) => t.targets[0])).toContain('127.0.0.1:15091');
    // Silence: marked unhealthy, then etcd's lease runs out and the entry is deleted.
    const marked = await waitFor(
      async () => {
        const r = await call(a, 'GET', path);
        return r.body.status?.conditions?.[0]?.status === 'False' && r.body;
      },
      { what: 'Healthy=False', timeoutMs: 10_000 },
    );
    expect(marked.status.conditions[0].reason).toBe('HeartbeatTimeout');
    await waitFor(async () => (await call(b, 'GET', path)).status === 404, {
      what: 'the lease to expire',
      timeoutMs: 15_000,
    });
  }, 60_000);

  it('keeps its limits over etcd: watches per user, body size, audit entries kept, compaction', async () => {
    const e = await plane([
      '--max-watches-per-user',
      '1',
      '--max-body-bytes',
      '4096',
      '--audit-max-entries',
      '4',
      '--etcd-compaction-interval',
      '300ms',
    ]);
    const start = (await call(e, 'GET', `${NS_PATH}/serviceentries`)).body.metadata.resourceVersion as string;
    // One watch held (served by an etcd watch of its own: the version predates this control plane)...
    const ac = new AbortController();
    const held = await fetchTrusting(e.ca)(
      `${e.url}${NS_PATH}/serviceentries?watch=true&resourceVersion=${start}`,
      {
        headers: { authorization: `Bearer ${TOKEN}` },
        signal: ac.signal,
      },
    );
    expect(held.status).toBe(200);
    // ...and the next is refused.
    const second = await call(e, 'GET', `${NS_PATH}/serviceentries?watch=true`);
    expect(second.status).toBe(429);
    ac.abort();
    const big = await call(e, 'POST', `${NS_PATH}/serviceentries`, {
      ...serviceEntry('big'),
      metadata: { name: 'big', annotations: { pad: 'x'.repeat(8192) } },
    });
    expect(big.status).toBe(413);
    // Audit entries beyond the cap are deleted from etcd.
    for (const name of ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'])
      expect((await call(e, 'POST', `${NS_PATH}/serviceentries`, serviceEntry(name))).status).toBe(201);
    await waitFor(async () => (await etcd.getAll().prefix('/meshlens/audit/').count()) <= 5, {
      what: 'the audit entries trimmed',
    });
    // The compactor drops the history: resuming from the start is now 410.
    await waitFor(
      async () => {
        const events = await watchUntil(
          e,
          `${NS_PATH}/serviceentries?watch=true&resourceVersion=${start}`,
          (ev) => ev.length >= 1,
          3000,
        );
        return events[0]?.type === 'ERROR' && events[0].object.code === 410;
      },
      { what: 'compaction', timeoutMs: 15_000 },
    );
  }, 60_000);

  it('refuses to start without the CA encryption key, or with another one', async () => {
    const noKey = spawnAgent([
      'control-plane',
      '--port',
      '0',
      '--data-dir',
      join(dir, 'no-key'),
      '--store',
      cluster.storeUrl,
    ]);
    await waitFor(() => noKey.child.exitCode !== null, { what: 'exit', timeoutMs: 15_000 });
    expect(noKey.output()).toMatch(/--ca-encryption-key-file/);
    const wrong = spawnAgent([
      'control-plane',
      '--port',
      '0',
      '--data-dir',
      join(dir, 'wrong-key'),
      '--store',
      cluster.storeUrl,
      '--ca-encryption-key-file',
      await encryptionKeyFile(dir),
    ]);
    await waitFor(() => wrong.child.exitCode !== null, { what: 'exit', timeoutMs: 15_000 });
    expect(wrong.output()).toMatch(/does not open with this --ca-encryption-key-file/);
  }, 40_000);
});

// Failover under load: a mesh of real sidecar processes takes its config from two control planes over a
// three-member etcd cluster, behind one front address (as clients reach kube-apiservers through a
// load balancer). One control plane and one etcd member are killed (SIGKILL) while requests flow and
// config is written: no acknowledged write is lost, no sidecar loses its config, no request fails.
import { writeFile } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type CpProcess,
  call,
  destinationRule,
  NS_PATH,
  removeDir,
  serviceEntry,
  startCp,
  tempDir,
  weightedRoute,
} from './control-plane-helpers';
import {
  failures,
  REVIEWS_FQDN,
  startApp,
  startLoad,
  startSidecarProcess,
  total,
} from './control-plane-mesh-helpers';
import { encryptionKeyFile, haveEtcd, startEtcdCluster } from './etcd-cluster';
import { freePort, waitFor } from './support/processes';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
}, 60_000);

const TOKEN = 'mesh-token';

/** A TCP front for several control planes: each connection goes to the next one that accepts it. */
async function startFront(ports: number[]): Promise<{ port: number; close(): Promise<void> }> {
  let next = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.pause();
    // Each connection tries every control plane once, starting from the next in turn.
    const first = next++;
    const attempt = (tries: number) => {
      if (tries >= ports.length) return client.destroy();
      const port = ports[(first + tries) % ports.length] as number;
      const upstream = connect(port, '127.0.0.1');
      let connected = false;
      upstream.once('connect', () => {
        connected = true;
        sockets.add(upstream);
        upstream.on('close', () => {
          sockets.delete(upstream);
          client.destroy();
        });
        client.on('close', () => upstream.destroy());
        client.on('error', () => upstream.destroy());
        upstream.on('error', () => client.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
      upstream.once('error', () => {
        if (!connected) attempt(tries + 1);
      });
    };
    attempt(0);
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

describe.skipIf(!haveEtcd())('the mesh over etcd when a control plane and an etcd member die', () => {
  it('keeps requests flowing, sidecars configured and every acknowledged write', async () => {
    const cluster = await startEtcdCluster(3);
    cleanups.push(() => cluster.stop());
    const dir = await tempDir('meshlens-failover-');
    cleanups.push(() => removeDir(dir));
    const keyFile = await encryptionKeyFile(dir);
    const planes: CpProcess[] = [];
    for (let i = 0; i < 2; i++) {
      const cp = await startCp({
        token: TOKEN,
        args: [
          '--store',
          cluster.storeUrl,
          '--ca-encryption-key-file',
          keyFile,
          '--ca-admin-users',
          'ci-admin',
        ],
      });
      cleanups.push(async () => {
        await cp.stop();
        await removeDir(cp.dataDir);
      });
      planes.push(cp);
    }
    const [a, b] = planes as [CpProcess, CpProcess];
    const front = await startFront([a.port, b.port]);
    cleanups.push(() => front.close());
    const cp = { url: `http://127.0.0.1:${front.port}`, token: TOKEN };
    const tokenFile = join(dir, 'token');
    await writeFile(tokenFile, `${TOKEN}\n`, { mode: 0o600 });

    expect((await call(cp, 'POST', `${NS_PATH}/serviceentries`, serviceEntry('reviews'))).status).toBe(201);
    expect(
      (await call(cp, 'POST', `${NS_PATH}/destinationrules`, destinationRule('reviews', ['v1', 'v2'])))
        .status,
    ).toBe(201);
    expect(
      (await call(cp, 'POST', `${NS_PATH}/virtualservices`, weightedRoute('reviews', { v1: 100, v2: 0 })))
        .status,
    ).toBe(201);
    const start = async (service: string, version: string) => {
      const app = await startApp(service === 'reviews' ? version : service);
      cleanups.push(() => app.close());
      const sidecar = await startSidecarProcess({
        service,
        version,
        appPort: app.port,
        controlPlane: cp.url,
        tokenFile,
      });
      cleanups.push(() => sidecar.proc.stop());
      return sidecar;
    };
    await Promise.all([start('reviews', 'v1'), start('reviews', 'v2')]);
    const client = await start('productpage', 'v1');
    await waitFor(async () => (await call(b, 'GET', `${NS_PATH}/workloadentries`)).body.items.length === 3, {
      what: 'registrations',
      timeoutMs: 15_000,
    });
    const load = startLoad(client.outbound, REVIEWS_FQDN);
    cleanups.push(() => load.stop());
    await waitFor(() => total(load.windows) > 100, { what: 'traffic through the mesh', timeoutMs: 15_000 });

    // A writer through the front, recording what was acknowledged.
    const acked: string[] = [];
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing && i < 10_000; i++) {
        const r = await call(cp, 'POST', `${NS_PATH}/serviceentries`, serviceEntry(`svc-${i}`)).catch(
          () => undefined,
        );
        if (r?.status === 201) acked.push(`svc-${i}`);
      }
    })();
    await waitFor(() => acked.length >= 5, { what: 'writes before the failure', timeoutMs: 10_000 });

    await a.kill9();
    await cluster.members[0]?.kill9();
    const killedAt = Date.now();
    const ackedAtKill = acked.length;
    await waitFor(() => acked.length >= ackedAtKill + 5, {
      what: 'writes after the failure',
      timeoutMs: 20_000,
    });

    // Config still flows to every sidecar: shift all traffic to v2 through the survivors.
    const shifted = await waitFor(
      async () => {
        const current = await call(cp, 'GET', `${NS_PATH}/virtualservices/reviews`);
        if (current.status !== 200) return false;
        const r = await call(
          cp,
          'PUT',
          `${NS_PATH}/virtualservices/reviews`,
          weightedRoute('reviews', { v1: 0, v2: 100 }, current.body.metadata.resourceVersion),
        );
        return r.status === 200 && Date.now();
      },
      { what: 'the weight change', timeoutMs: 15_000 },
    );
    await waitFor(() => load.after(shifted).some((w) => total([w]) > 0 && total([w], 'v1') === 0), {
      what: 'traffic on v2 only',
      timeoutMs: 15_000,
    });
    writing = false;
    await writer;

    // Every acknowledged write is there, read through the survivor.
    const list = await call(b, 'GET', `${NS_PATH}/serviceentries`);
    const names = new Set(list.body.items.map((o: { metadata: { name: string } }) => o.metadata.name));
    expect(acked.filter((n) => !names.has(n))).toEqual([]);
    expect(total(load.after(killedAt))).toBeGreaterThan(0);
    expect(failures(load.windows)).toEqual({ count: 0, errors: [] });
    // The registrations survived the control plane that took some of them.
    expect((await call(b, 'GET', `${NS_PATH}/workloadentries`)).body.items).toHaveLength(3);
    // With etcd gone altogether, the survivor still stops on SIGTERM (every wait on etcd is bounded).
    await cluster.stop();
    expect(await b.proc.stop(30_000)).toBe(0);
  }, 180_000);
});

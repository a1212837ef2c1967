// Live config through real sidecar processes: load from a separate process through a client sidecar
// to reviews v1/v2 sidecars, while the control plane changes weights, goes away and comes back, and
// instances deregister or fall silent. No request may fail.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
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
  type LoadProcess,
  REVIEWS_FQDN,
  type SidecarProcess,
  startApp,
  startLoad,
  startSidecarProcess,
  total,
} from './control-plane-mesh-helpers';
import { waitFor } from './support/processes';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
}, 60_000);

/** Several processes start per test; on a loaded 2-core machine that alone can take half a minute. */
const MESH_TEST_TIMEOUT_MS = 120_000;

interface Mesh {
  cp: CpProcess;
  tokenFile: string;
  reviews: Record<'v1' | 'v2', SidecarProcess>;
  client: SidecarProcess;
  load: LoadProcess;
}

/** Control plane with reviews (v1, v2) config, both reviews sidecars, a client sidecar and load. */
async function startMesh(
  cpArgs: string[] = [],
  route: Record<string, number> | null = { v1: 100, v2: 0 },
): Promise<Mesh> {
  const cp = await startCp({ token: 'mesh-token', args: cpArgs });
  cleanups.push(async () => {
    await cp.stop();
    await removeDir(cp.dataDir);
  });
  // The sidecars get the bare token (the control plane's file has `token,user`; either works).
  const dir = await tempDir('meshlens-mesh-');
  cleanups.push(() => removeDir(dir));
  const tokenFile = join(dir, 'token');
  await writeFile(tokenFile, 'mesh-token\n', { mode: 0o600 });
  expect((await call(cp, 'POST', `${NS_PATH}/serviceentries`, serviceEntry('reviews'))).status).toBe(201);
  expect(
    (await call(cp, 'POST', `${NS_PATH}/destinationrules`, destinationRule('reviews', ['v1', 'v2']))).status,
  ).toBe(201);
  if (route)
    expect(
      (await call(cp, 'POST', `${NS_PATH}/virtualservices`, weightedRoute('reviews', route))).status,
    ).toBe(201);

  // The three sidecars start in parallel (each takes a moment to load on a busy 2-core machine).
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
  const [v1, v2, client] = await Promise.all([
    start('reviews', 'v1'),
    start('reviews', 'v2'),
    start('productpage', 'v1'),
  ]);
  const reviews = { v1, v2 };
  // Both reviews instances registered and known to the client sidecar.
  await waitFor(async () => (await call(cp, 'GET', `${NS_PATH}/workloadentries`)).body.items.length === 3, {
    what: 'registrations',
  });
  const load = startLoad(client.outbound, REVIEWS_FQDN);
  cleanups.push(() => load.stop());
  await waitFor(() => total(load.windows) > 100, { what: 'traffic through the mesh', timeoutMs: 10_000 });
  return { cp, tokenFile, reviews, client, load };
}

async function setWeights(cp: CpProcess, weights: Record<string, number>): Promise<number> {
  const current = await call(cp, 'GET', `${NS_PATH}/virtualservices/reviews`);
  const r = await call(
    cp,
    'PUT',
    `${NS_PATH}/virtualservices/reviews`,
    weightedRoute('reviews', weights, current.body.metadata.resourceVersion),
  );
  expect(r.status).toBe(200);
  return Date.now();
}

describe('sidecars on live config', () => {
  it(
    'shifts live traffic within 1 s of a weight change, failing no request',
    async () => {
      const { cp, load } = await startMesh();
      const before = Date.now();
      await waitFor(() => load.after(before).length >= 4, { what: 'steady windows' });
      expect(total(load.after(before), 'v2')).toBe(0);

      const changedAt = await setWeights(cp, { v1: 0, v2: 100 });
      await waitFor(() => load.after(changedAt + 1000).length >= 4, {
        what: 'windows after the change',
        timeoutMs: 5000,
      });
      // Every window ending a second after the change carries v2 only.
      const settled = load.after(changedAt + 1000);
      expect(total(settled, 'v1')).toBe(0);
      expect(total(settled, 'v2')).toBeGreaterThan(0);
      // The first window with no v1 left: the change took effect in well under a second.
      const firstAllV2 = load.after(changedAt).find((w) => total([w]) > 0 && total([w], 'v1') === 0);
      expect(firstAllV2 && firstAllV2.t - changedAt).toBeLessThan(1000);

      const splitAt = await setWeights(cp, { v1: 50, v2: 50 });
      await waitFor(() => total(load.after(splitAt + 1000)) > 200, {
        what: 'split traffic',
        timeoutMs: 10_000,
      });
      const split = load.after(splitAt + 1000);
      const share = total(split, 'v1') / total(split);
      expect(share).toBeGreaterThan(0.35);
      expect(share).toBeLessThan(0.65);
      expect(failures(load.windows)).toEqual({ count: 0, errors: [] });
    },
    MESH_TEST_TIMEOUT_MS,
  );

  it(
    'keeps serving while the control plane is stopped, and follows changes after its restart',
    async () => {
      const mesh = await startMesh();
      const { load } = mesh;
      await mesh.cp.stop();
      const downAt = Date.now();
      await waitFor(() => total(load.after(downAt + 1500)) > 100, {
        what: 'traffic with the control plane down',
        timeoutMs: 10_000,
      });
      expect(total(load.after(downAt), 'v1')).toBeGreaterThan(0);

      const again = await startCp({ dataDir: mesh.cp.dataDir, port: mesh.cp.port, token: 'mesh-token' });
      cleanups.push(() => again.stop());
      const changedAt = await setWeights(again, { v1: 0, v2: 100 });
      // Reconnection backoff is capped at 5 s; then the change is in force.
      await waitFor(() => load.after(changedAt).some((w) => total([w]) > 0 && total([w], 'v1') === 0), {
        what: 'the change after the restart',
        timeoutMs: 8000,
      });
      const recovered = Date.now();
      await waitFor(() => load.after(recovered).length >= 4, { what: 'windows after recovery' });
      expect(total(load.after(recovered), 'v1')).toBe(0);
      expect(failures(load.windows)).toEqual({ count: 0, errors: [] });
    },
    MESH_TEST_TIMEOUT_MS,
  );

  it(
    'stops sending to an instance that deregisters (SIGTERM) or falls silent (TTL)',
    async () => {
      const { cp, tokenFile, reviews, load } = await startMesh(
        ['--heartbeat-ttl', '2s', '--remove-after', '60s'],
        null,
      );
      // No VirtualService: round robin over every healthy reviews endpoint.
      const both = Date.now();
      await waitFor(() => total(load.after(both), 'v1') > 20 && total(load.after(both), 'v2') > 20, {
        what: 'both versions',
      });

      await reviews.v2.proc.stop();
      const goneAt = Date.now();
      expect((await call(cp, 'GET', '/v1/prometheus/sd')).body).toHaveLength(2);
      await waitFor(() => load.after(goneAt + 500).length >= 4, { what: 'windows after deregistration' });
      expect(total(load.after(goneAt + 500), 'v2')).toBe(0);
      expect(failures(load.windows)).toEqual({ count: 0, errors: [] });

      // A silent instance (kill -9: no deregistration) is marked unhealthy after the TTL and excluded.
      const app = await startApp('v3');
      cleanups.push(() => app.close());
      const v3 = await startSidecarProcess({
        service: 'reviews',
        version: 'v3',
        appPort: app.port,
        controlPlane: cp.url,
        tokenFile,
      });
      const v3Seen = Date.now();
      await waitFor(() => total(load.after(v3Seen), 'v3') > 10, { what: 'traffic to v3' });
      v3.proc.child.kill('SIGKILL');
      const killedAt = Date.now();
      await waitFor(
        async () => {
          const we = (await call(cp, 'GET', `${NS_PATH}/workloadentries`)).body.items.find(
            (i: { spec: { labels: Record<string, string> } }) => i.spec.labels.version === 'v3',
          );
          return we?.status?.conditions?.[0]?.status === 'False';
        },
        { what: 'v3 marked unhealthy', timeoutMs: 8000 },
      );
      const excludedAt = Date.now();
      // TTL 2 s, swept every 0.5 s.
      expect(excludedAt - killedAt).toBeLessThan(5000);
      await waitFor(() => load.after(excludedAt + 500).length >= 4, { what: 'windows after expiry' });
      const after = load.after(excludedAt + 500);
      expect(total(after, 'v3')).toBe(0);
      expect(failures(after).count).toBe(0);
    },
    MESH_TEST_TIMEOUT_MS,
  );
});

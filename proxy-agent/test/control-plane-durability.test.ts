// Durability of the control plane's state: a restart keeps every object and the resourceVersion,
// and a kill -9 in the middle of a burst of writes leaves a loadable state holding every acknowledged write.
import { readdir, readFile } from 'node:fs/promises';
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

const running: CpProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const cp of running.splice(0)) await cp.stop();
  for (const d of dirs.splice(0)) await removeDir(d);
});

async function cpIn(dataDir: string) {
  const cp = await startCp({ dataDir });
  running.push(cp);
  return cp;
}

describe('control plane durability', () => {
  it('keeps state and resourceVersion across a restart, and keeps counting up', async () => {
    const dataDir = await tempDir();
    dirs.push(dataDir);
    const first = await cpIn(dataDir);
    expect((await call(first, 'POST', `${NS_PATH}/serviceentries`, serviceEntry('reviews'))).status).toBe(
      201,
    );
    expect(
      (await call(first, 'POST', `${NS_PATH}/destinationrules`, destinationRule('reviews', ['v1', 'v2'])))
        .status,
    ).toBe(201);
    const vs = await call(
      first,
      'POST',
      `${NS_PATH}/virtualservices`,
      weightedRoute('reviews', { v1: 80, v2: 20 }),
    );
    expect((await call(first, 'DELETE', `${NS_PATH}/virtualservices/reviews`)).status).toBe(200);
    const recreated = await call(
      first,
      'POST',
      `${NS_PATH}/virtualservices`,
      weightedRoute('reviews', { v1: 60, v2: 40 }),
    );
    const before = await call(first, 'GET', `${NS_PATH}/virtualservices`);
    expect(before.body.metadata.resourceVersion).toBe('5');
    expect(recreated.body.metadata.uid).not.toBe(vs.body.metadata.uid);
    expect(await first.stop()).toBe(0);
    running.splice(running.indexOf(first), 1);

    const second = await cpIn(dataDir);
    const after = await call(second, 'GET', `${NS_PATH}/virtualservices`);
    expect(after.body).toEqual(before.body);
    expect((await call(second, 'GET', `${NS_PATH}/serviceentries/reviews`)).status).toBe(200);
    const next = await call(
      second,
      'PUT',
      `${NS_PATH}/virtualservices/reviews`,
      weightedRoute('reviews', { v1: 0, v2: 100 }, recreated.body.metadata.resourceVersion),
    );
    expect(next.status).toBe(200);
    expect(next.body.metadata.resourceVersion).toBe('6');
  });

  it('leaves a loadable state with every acknowledged write after kill -9 during a burst', async () => {
    const dataDir = await tempDir();
    dirs.push(dataDir);
    const cp = await cpIn(dataDir);
    const acked = new Map<string, number>();
    let killed = false;
    let failures = 0;
    const writer = async (w: number) => {
      for (let i = 0; !killed; i++) {
        const name = `svc-${w}-${i}`;
        try {
          const r = await call(cp, 'POST', `${NS_PATH}/serviceentries`, serviceEntry(name));
          if (r.status === 201) acked.set(name, Number(r.body.metadata.resourceVersion));
        } catch {
          failures++; // the connection died with the process
          return;
        }
      }
    };
    const writers = Array.from({ length: 16 }, (_, w) => writer(w));
    // Kill once a good number of writes are on disk, with many more in flight.
    while (acked.size < 150) await new Promise((r) => setTimeout(r, 5));
    await cp.kill9();
    killed = true;
    running.splice(running.indexOf(cp), 1);
    await Promise.all(writers);
    expect(failures).toBeGreaterThan(0);

    // The file on disk is whole JSON and consistent, before anything tidies it.
    const file = JSON.parse(await readFile(join(dataDir, 'state.json'), 'utf8'));
    const fileRv = Number(file.resourceVersion);
    for (const item of file.items) expect(Number(item.metadata.resourceVersion)).toBeLessThanOrEqual(fileRv);

    const restarted = await cpIn(dataDir);
    const list = await call(restarted, 'GET', `${NS_PATH}/serviceentries`);
    const listRv = Number(list.body.metadata.resourceVersion);
    expect(listRv).toBe(fileRv);
    const stored = new Map<string, number>(
      list.body.items.map((i: { metadata: { name: string; resourceVersion: string } }) => [
        i.metadata.name,
        Number(i.metadata.resourceVersion),
      ]),
    );
    for (const [name, rv] of acked) {
      expect(stored.get(name), name).toBe(rv);
      expect(rv).toBeLessThanOrEqual(listRv);
    }
    // Each create took one version: the versions are exactly 1..N, none lost or repeated.
    expect([...stored.values()].sort((a, b) => a - b)).toEqual(
      Array.from({ length: listRv }, (_, i) => i + 1),
    );
    expect((await readdir(dataDir)).filter((f) => f.includes('.tmp-'))).toEqual([]);
    const next = await call(restarted, 'POST', `${NS_PATH}/serviceentries`, serviceEntry('after-crash'));
    expect(Number(next.body.metadata.resourceVersion)).toBe(listRv + 1);
  });
});

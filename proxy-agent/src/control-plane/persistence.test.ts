import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadState, STATE_FILE, saveState } from './persistence';
import { applyMutation, emptyState } from './resource-state';

const dirs: string[] = [];
async function tempDir() {
  const d = await mkdtemp(join(tmpdir(), 'cp-state-'));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('state file', () => {
  it('round-trips objects and the resourceVersion, and clears temp files a crash left', async () => {
    const dir = await tempDir();
    const s = emptyState();
    const ctx = { now: new Date(), newUid: () => 'u' };
    const body = {
      metadata: { name: 'ext' },
      spec: { hosts: ['httpbin.org'], location: 'MESH_EXTERNAL', resolution: 'DNS' },
    };
    applyMutation(s, { verb: 'create', kind: 'ServiceEntry', namespace: 'default', body }, ctx);
    applyMutation(s, { verb: 'delete', kind: 'ServiceEntry', namespace: 'default', name: 'ext' }, ctx);
    applyMutation(s, { verb: 'create', kind: 'ServiceEntry', namespace: 'default', body }, ctx);
    await saveState(dir, s);
    await writeFile(join(dir, `${STATE_FILE}.tmp-deadbeef`), '{"half');
    const loaded = await loadState(dir);
    expect(loaded.resourceVersion).toBe(3);
    expect([...loaded.objects.keys()]).toEqual(['ServiceEntry/default/ext']);
    expect(await readdir(dir)).toEqual([STATE_FILE]);
  });

  it('refuses a corrupt state file with a message naming it', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, STATE_FILE), '{"kind": "ControlPlaneState", "resourceVersion": "x"');
    await expect(loadState(dir)).rejects.toThrow(STATE_FILE);
  });

  it('starts empty in a new directory', async () => {
    const s = await loadState(join(await tempDir(), 'new'));
    expect(s.resourceVersion).toBe(0);
  });
});

// The state file: every accepted change is on disk before the reply. Written whole to a temp file,
// fsynced, renamed over the old one and the directory fsynced, so a crash at any instant leaves either
// the previous or the new state, never a half-written file.
import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { MeshResource } from '../../../lib/mesh-config/schema';
import { parseResource } from '../../../lib/mesh-config/validate';
import { emptyState, keyOf, type ResourceState } from './resource-state';

export const STATE_FILE = 'state.json';
const TEMP_PREFIX = `${STATE_FILE}.tmp-`;

interface StateFile {
  apiVersion: 'meshlens.io/v1';
  kind: 'ControlPlaneState';
  resourceVersion: string;
  items: MeshResource[];
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes `data` to `dir/name` atomically and durably. */
export async function writeFileAtomic(dir: string, name: string, data: string): Promise<void> {
  const temp = join(dir, `${name}.tmp-${randomUUID()}`);
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, join(dir, name));
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  await fsyncDir(dir);
}

export function serializeState(state: ResourceState): string {
  const file: StateFile = {
    apiVersion: 'meshlens.io/v1',
    kind: 'ControlPlaneState',
    resourceVersion: String(state.resourceVersion),
    items: [...state.objects.values()],
  };
  return `${JSON.stringify(file, null, 1)}\n`;
}

/** Parses a state file's text; throws naming the file and the first problem. */
export function parseState(text: string, file: string): ResourceState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(
      `state file ${file} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const f = raw as Partial<StateFile> | null;
  const rv = Number(f?.resourceVersion);
  if (f?.kind !== 'ControlPlaneState' || !Number.isSafeInteger(rv) || rv < 0 || !Array.isArray(f.items))
    throw new Error(`state file ${file} is not a ControlPlaneState (kind, resourceVersion, items)`);
  const state = emptyState();
  state.resourceVersion = rv;
  f.items.forEach((item, i) => {
    const parsed = parseResource(item);
    if (!parsed.ok) {
      const c = parsed.causes[0];
      throw new Error(`state file ${file}: items[${i}] is invalid: ${c?.field}: ${c?.message}`);
    }
    const itemRv = Number(parsed.value.metadata.resourceVersion);
    if (!(itemRv <= rv))
      throw new Error(`state file ${file}: items[${i}] has resourceVersion ${itemRv} above the file's ${rv}`);
    state.objects.set(keyOf(parsed.value), parsed.value);
  });
  return state;
}

/** Loads the state of a data directory (creating it), removing temp files a crash left behind. */
export async function loadState(dir: string): Promise<ResourceState> {
  await mkdir(dir, { recursive: true });
  for (const entry of await readdir(dir)) {
    if (entry.startsWith(TEMP_PREFIX)) await rm(join(dir, entry), { force: true });
  }
  const file = join(dir, STATE_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw err;
  }
  return parseState(text, file);
}

export async function saveState(dir: string, state: ResourceState): Promise<void> {
  await writeFileAtomic(dir, STATE_FILE, serializeState(state));
}

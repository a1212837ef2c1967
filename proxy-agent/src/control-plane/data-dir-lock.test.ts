import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCK_SOCKET, lockAddress, lockDataDir } from './data-dir-lock';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'meshlens-lock-'));
  dirs.push(d);
  return d;
}

describe('data directory lock', () => {
  it('refuses a second holder while the first lives, and frees the directory on unlock', async () => {
    const dir = await tempDir();
    const unlock = await lockDataDir(dir);
    await expect(lockDataDir(dir)).rejects.toThrow(/in use by another control plane/);
    await unlock();
    expect(await readdir(dir)).toEqual([]);
    await (await lockDataDir(dir))();
  });

  it('gives the directory to exactly one of many that start at once', async () => {
    const dir = await tempDir();
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => lockDataDir(dir)));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results)
      if (r.status === 'rejected') expect(String(r.reason)).toMatch(/in use by another control plane/);
    await (won[0] as PromiseFulfilledResult<() => Promise<void>>).value();
    await (await lockDataDir(dir))();
  });

  it('locks by the socket file where abstract sockets do not exist', async () => {
    const dir = await tempDir();
    expect(await lockAddress(dir, 'darwin')).toEqual({ path: join(dir, LOCK_SOCKET), file: true });
    expect((await lockAddress(dir, 'linux')).file).toBe(false);
  });

  it('is free again the moment its holder dies (SIGKILL), and ignores an old pid file', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'lock'), String(process.pid));
    // A process holds the lock's address and is killed with SIGKILL.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `require('node:net').createServer().listen(JSON.parse(process.argv[1]), () => console.log('ready'))`,
        // JSON: an abstract socket's name starts with a NUL byte, which no argument may hold.
        JSON.stringify((await lockAddress(dir)).path),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise((resolve) => holder.stdout.once('data', resolve));
    await expect(lockDataDir(dir)).rejects.toThrow(/in use/);
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    holder.kill('SIGKILL');
    await exited;
    const unlock = await lockDataDir(dir);
    await unlock();
  });

  it('locks a directory whose path is too long for a socket file', async () => {
    const dir = join(await tempDir(), 'x'.repeat(60), 'y'.repeat(60));
    await mkdir(dir, { recursive: true });
    const unlock = await lockDataDir(dir);
    await expect(lockDataDir(dir)).rejects.toThrow(/in use/);
    await unlock();
    await (await lockDataDir(dir))();
  });
});

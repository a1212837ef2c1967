import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCK_SOCKET, lockDataDir } from './data-dir-lock';

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

  it('takes over a socket nobody listens on (its holder died) and ignores an old pid file', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'lock'), String(process.pid));
    // A socket file whose listener died: a process binds it and is killed with SIGKILL.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `require('node:net').createServer().listen(process.argv[1], () => console.log('ready'))`,
        join(dir, LOCK_SOCKET),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise((resolve) => holder.stdout.once('data', resolve));
    await expect(lockDataDir(dir)).rejects.toThrow(/in use/);
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    holder.kill('SIGKILL');
    await exited;
    expect(await readdir(dir)).toContain(LOCK_SOCKET);
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

// Claims a data directory for one control plane: two writing one state file would undo each other's
// changes. The lock is a listening unix socket, so the kernel releases it the instant its holder dies
// (kill -9 included, zombie or not); a pid file outlives its process and a reused pid. On Linux the socket
// is abstract (named after the directory's real path, no file): binding it is atomic, and a dead holder
// leaves nothing behind to clean up — a socket file left by a dead holder must be removed before binding
// again, and two processes starting at once could each remove the other's fresh file and both "hold" it.
// Elsewhere the socket file in the directory is used.
import { createHash } from 'node:crypto';
import { mkdir, realpath, rm } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';

export const LOCK_SOCKET = 'lock.sock';
/** The pid file earlier versions used; removed when found, it locks nothing any more. */
const LEGACY_LOCK_FILE = 'lock';
/** sun_path holds 108 bytes on Linux, 104 on macOS; a longer path cannot be bound. */
const MAX_SOCKET_PATH = 103;
/** Attempts when another process takes the lock between our probe and our listen. */
const ATTEMPTS = 3;

/** Whether something accepts connections on the socket: its holder is alive. */
function probe(path: string): Promise<'held' | 'stale' | 'absent'> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve('held');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') resolve('stale');
      else if (err.code === 'ENOENT') resolve('absent');
      else reject(err);
    });
  });
}

function listen(path: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    // A prober only needs its connect to succeed; nothing is ever said on the socket.
    const server = createServer((s) => s.destroy());
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      server.unref(); // the lock alone does not keep a process alive
      resolve(server);
    });
  });
}

/**
 * Where the lock listens: on Linux an abstract socket named after the directory's real path; elsewhere the
 * socket file in the directory.
 */
export async function lockAddress(
  dir: string,
  platform: NodeJS.Platform = process.platform,
): Promise<{ path: string; file: boolean }> {
  if (platform !== 'linux') {
    const file = join(dir, LOCK_SOCKET);
    if (Buffer.byteLength(file) <= MAX_SOCKET_PATH) return { path: file, file: true };
    throw new Error(`data directory path ${dir} is too long for its lock socket (${MAX_SOCKET_PATH} bytes)`);
  }
  const id = createHash('sha256')
    .update(await realpath(dir))
    .digest('hex');
  return { path: `\0meshlens-control-plane-${id}`, file: false };
}

/** Locks `dir` (creating it) for this process; resolves with the unlock. Throws if a live one holds it. */
export async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  await mkdir(dir, { recursive: true });
  await rm(join(dir, LEGACY_LOCK_FILE), { force: true });
  const { path, file } = await lockAddress(dir);
  if (!file) {
    // The socket file an earlier version locked by (Linux now locks by an abstract socket): its holder
    // may still run; once it is dead the file is only litter.
    const legacy = join(dir, LOCK_SOCKET);
    if ((await probe(legacy)) === 'held')
      throw new Error(`data directory ${dir} is in use by another control plane`);
    await rm(legacy, { force: true });
  }
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const state = await probe(path);
    if (state === 'held') throw new Error(`data directory ${dir} is in use by another control plane`);
    // Refused: the socket file of a holder that died; nobody listens on it any more.
    if (state === 'stale' && file) await rm(path, { force: true });
    try {
      const server = await listen(path);
      return async () => {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        if (file) await rm(path, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      // Another process bound it after our probe: probe again, which reports it as held.
    }
  }
  throw new Error(`cannot lock data directory ${dir}`);
}

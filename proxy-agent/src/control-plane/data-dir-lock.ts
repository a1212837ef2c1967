// Claims a data directory for one control plane: two writing one state file would undo each other's
// changes. The lock is a unix socket listening in the directory, so the kernel releases it the instant
// its holder dies (kill -9 included, zombie or not); a pid file outlives its process and a reused pid.
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
 * Where the lock listens: the socket file in the directory, or (a directory path too long for a socket,
 * Linux only) an abstract socket named after the directory's real path.
 */
async function lockAddress(dir: string): Promise<{ path: string; file: boolean }> {
  const file = join(dir, LOCK_SOCKET);
  if (Buffer.byteLength(file) <= MAX_SOCKET_PATH) return { path: file, file: true };
  if (process.platform !== 'linux')
    throw new Error(`data directory path ${dir} is too long for its lock socket (${MAX_SOCKET_PATH} bytes)`);
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

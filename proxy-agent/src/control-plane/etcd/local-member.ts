// One local etcd member in a directory (`npm run demo -- --store etcd`): Debian's etcd on loopback with
// a free client port, waited for with a bound, stopped with SIGTERM (then SIGKILL).
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../net/free-port';

/** How long a fresh member may take to report healthy. */
export const ETCD_START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;

export interface LocalEtcd {
  /** `etcd://127.0.0.1:PORT`, for `--store`. */
  store: string;
  stop(): Promise<void>;
}

export async function startLocalEtcd(dir: string, logFile: string, binary = 'etcd'): Promise<LocalEtcd> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const [client, peer] = [await freePort(), await freePort()];
  const clientUrl = `http://127.0.0.1:${client}`;
  const log = createWriteStream(logFile, { flags: 'a' });
  const child: ChildProcess = spawn(
    binary,
    [
      '--name',
      'meshlens',
      '--data-dir',
      join(dir, 'member'),
      '--listen-client-urls',
      clientUrl,
      '--advertise-client-urls',
      clientUrl,
      '--listen-peer-urls',
      `http://127.0.0.1:${peer}`,
      '--initial-advertise-peer-urls',
      `http://127.0.0.1:${peer}`,
      '--initial-cluster',
      `meshlens=http://127.0.0.1:${peer}`,
      // The member's data survives restarts; a new peer URL each start is fine for one member.
      '--force-new-cluster',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (e) =>
      reject(new Error(`cannot run ${binary} (install Debian's etcd-server): ${e.message}`)),
    ),
  );
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
    log.end();
  };
  const deadline = Date.now() + ETCD_START_TIMEOUT_MS;
  const healthy = (async () => {
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`etcd exited with code ${child.exitCode}; see ${logFile}`);
      try {
        const res = await fetch(`${clientUrl}/health`);
        if (res.ok && ((await res.json()) as { health?: string }).health === 'true') return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`etcd did not become healthy within ${ETCD_START_TIMEOUT_MS} ms; see ${logFile}`);
  })();
  try {
    await Promise.race([healthy, spawnError]);
  } catch (err) {
    await stop();
    throw err;
  }
  return { store: `etcd://127.0.0.1:${client}`, stop };
}

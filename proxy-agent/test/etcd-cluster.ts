// A real etcd cluster for the tests: Debian's /usr/bin/etcd, members on loopback with free ports,
// data dirs in tmp, waited for with a bound. Several control planes are then started over it.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './support/processes';

export const ETCD_BIN = process.env.ETCD_BIN ?? 'etcd';

/** Whether an etcd binary is on this machine (`scripts/ensure-system-deps.mjs` installs Debian's). */
export function haveEtcd(): boolean {
  return spawnSync(ETCD_BIN, ['--version'], { stdio: 'ignore' }).status === 0;
}

export interface EtcdMember {
  name: string;
  clientUrl: string;
  child: ChildProcess;
  output(): string;
  kill9(): Promise<void>;
}

export interface EtcdCluster {
  members: EtcdMember[];
  /** `etcd://h:p,h:p,…` for `--store`. */
  storeUrl: string;
  hosts: string[];
  dir: string;
  stop(): Promise<void>;
}

function startMember(
  name: string,
  dir: string,
  client: number,
  peer: number,
  initialCluster: string,
  token: string,
): EtcdMember {
  const clientUrl = `http://127.0.0.1:${client}`;
  const child = spawn(
    ETCD_BIN,
    [
      '--name',
      name,
      '--data-dir',
      join(dir, name),
      '--listen-client-urls',
      clientUrl,
      '--advertise-client-urls',
      clientUrl,
      '--listen-peer-urls',
      `http://127.0.0.1:${peer}`,
      '--initial-advertise-peer-urls',
      `http://127.0.0.1:${peer}`,
      '--initial-cluster',
      initialCluster,
      '--initial-cluster-state',
      'new',
      '--initial-cluster-token',
      token,
      '--logger',
      'zap',
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout?.on('data', (d) => {
    out = (out + d).slice(-20_000);
  });
  child.stderr?.on('data', (d) => {
    out = (out + d).slice(-20_000);
  });
  return {
    name,
    clientUrl,
    child,
    output: () => out,
    async kill9() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Starts `size` members (3: a real quorum) and waits until every one reports healthy. */
export async function startEtcdCluster(size = 3): Promise<EtcdCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'meshlens-etcd-'));
  const ports: { client: number; peer: number }[] = [];
  for (let i = 0; i < size; i++) ports.push({ client: await freePort(), peer: await freePort() });
  const initial = ports.map((p, i) => `m${i}=http://127.0.0.1:${p.peer}`).join(',');
  const token = `meshlens-${randomBytes(4).toString('hex')}`;
  const members = ports.map((p, i) => startMember(`m${i}`, dir, p.client, p.peer, initial, token));
  const stop = async () => {
    await Promise.all(members.map((m) => m.kill9()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (const m of members)
      await waitFor(
        async () => {
          if (m.child.exitCode !== null) throw new Error(`etcd ${m.name} exited: ${m.output()}`);
          const res = await fetch(`${m.clientUrl}/health`);
          return res.ok && ((await res.json()) as { health?: string }).health === 'true';
        },
        { what: `etcd member ${m.name}`, timeoutMs: 30_000, intervalMs: 100 },
      );
  } catch (err) {
    await stop();
    throw err;
  }
  const hosts = members.map((m) => m.clientUrl);
  return {
    members,
    hosts,
    storeUrl: `etcd://${hosts.map((h) => h.replace('http://', '')).join(',')}`,
    dir,
    stop,
  };
}

/** A CA encryption key file (mode 0600) in `dir`. */
export async function encryptionKeyFile(dir: string, key = randomBytes(32)): Promise<string> {
  const file = join(dir, `ca-key-${randomBytes(3).toString('hex')}.hex`);
  await writeFile(file, `${key.toString('hex')}\n`, { mode: 0o600 });
  return file;
}

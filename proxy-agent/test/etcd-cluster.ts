// A real etcd cluster for the tests: Debian's /usr/bin/etcd, members on loopback with free ports,
// data dirs in tmp, waited for with a bound. Several control planes are then started over it.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './support/processes';

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

/** Tries on fresh ports before the cluster counts as failed (a free port can be taken before etcd binds it). */
const START_ATTEMPTS = 3;
const MEMBER_READY_MS = 30_000;

/** Distinct free ports: the OS may hand one port out twice to callers that close it at once. */
async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** Waits until every member reports healthy; 'exited' as soon as one has died (e.g. its port was taken). */
async function awaitMembers(members: EtcdMember[]): Promise<'ready' | 'exited'> {
  const deadline = Date.now() + MEMBER_READY_MS;
  const healthy = async (m: EtcdMember) => {
    try {
      const res = await fetch(`${m.clientUrl}/health`, { signal: AbortSignal.timeout(2_000) });
      return res.ok && ((await res.json()) as { health?: string }).health === 'true';
    } catch {
      return false;
    }
  };
  while (Date.now() < deadline) {
    if (members.some((m) => m.child.exitCode !== null || m.child.signalCode !== null)) return 'exited';
    if ((await Promise.all(members.map(healthy))).every(Boolean)) return 'ready';
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `etcd members not healthy after ${MEMBER_READY_MS} ms:\n${members.map((m) => `${m.name}: ${m.output()}`).join('\n')}`,
  );
}

/** Starts `size` members (3: a real quorum) and waits until every one reports healthy. */
export async function startEtcdCluster(size = 3): Promise<EtcdCluster> {
  for (let attempt = 1; ; attempt++) {
    const dir = await mkdtemp(join(tmpdir(), 'meshlens-etcd-'));
    const free = await distinctFreePorts(size * 2);
    const ports = Array.from({ length: size }, (_, i) => ({
      client: free[2 * i] as number,
      peer: free[2 * i + 1] as number,
    }));
    const initial = ports.map((p, i) => `m${i}=http://127.0.0.1:${p.peer}`).join(',');
    const token = `meshlens-${randomBytes(4).toString('hex')}`;
    const members = ports.map((p, i) => startMember(`m${i}`, dir, p.client, p.peer, initial, token));
    const stop = async () => {
      await Promise.all(members.map((m) => m.kill9()));
      await rm(dir, { recursive: true, force: true });
    };
    let outcome: 'ready' | 'exited';
    try {
      outcome = await awaitMembers(members);
    } catch (err) {
      await stop();
      throw err;
    }
    if (outcome === 'exited') {
      const why = members.map((m) => `${m.name}: ${m.output()}`).join('\n');
      await stop();
      if (attempt < START_ATTEMPTS && /address already in use/.test(why)) continue;
      throw new Error(`an etcd member exited while starting:\n${why}`);
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
}

/** A CA encryption key file (mode 0600) in `dir`. */
export async function encryptionKeyFile(dir: string, key = randomBytes(32)): Promise<string> {
  const file = join(dir, `ca-key-${randomBytes(3).toString('hex')}.hex`);
  await writeFile(file, `${key.toString('hex')}\n`, { mode: 0o600 });
  return file;
}

// The append-only audit log (JSON lines in the data directory): who changed what, from which spec to
// which. The dashboard's canary history reads it through `GET /v1/audit`.
import { type FileHandle, open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { MeshKind } from '../../../lib/mesh-config/schema';
import { DEFAULT_AUDIT_MAX_BYTES, DEFAULT_AUDIT_SCAN_BYTES } from './limits';
import type { Change, Mutation } from './resource-state';

export const AUDIT_FILE = 'audit.log';
/** The previous generation, kept when the log rotates (one backup, as kube-apiserver's `--audit-log-maxbackup=1`). */
export const AUDIT_BACKUP_FILE = 'audit.log.1';
export const DEFAULT_AUDIT_LIMIT = 100;
export const MAX_AUDIT_LIMIT = 1000;

/** Who asked: the user the bearer token proves (or `anonymous`), and whom a trusted client acts for. */
export interface Actor {
  identity: string;
  /**
   * The `X-Meshlens-User` header (the person behind the dashboard), kept only when the token's user may
   * act for others (`--on-behalf-of-users`); it never replaces the identity.
   */
  onBehalfOf?: string;
}

export interface AuditEntry {
  time: string;
  /** The name to show: `onBehalfOf` when recorded, else the identity. */
  who: string;
  /** The authenticated user: the token file's `token,user` entry, or `anonymous`. */
  identity: string;
  /** Whom a client allowed to act for others named (the dashboard's signed-in user). */
  onBehalfOf?: string;
  verb: Mutation['verb'];
  kind: MeshKind;
  namespace: string;
  name: string;
  resourceVersion: string;
  oldSpec: unknown;
  newSpec: unknown;
  /** For status changes (registration health), the new status. */
  status?: unknown;
}

export interface AuditFilter {
  kind?: string;
  namespace?: string;
  name?: string;
  limit?: number;
}

export function auditEntry(verb: Mutation['verb'], change: Change, actor: Actor, now: Date): AuditEntry {
  const o = change.object;
  return {
    time: now.toISOString(),
    who: actor.onBehalfOf ?? actor.identity,
    identity: actor.identity,
    ...(actor.onBehalfOf !== undefined ? { onBehalfOf: actor.onBehalfOf } : {}),
    verb,
    kind: o.kind,
    namespace: o.metadata.namespace ?? 'default',
    name: o.metadata.name,
    resourceVersion: o.metadata.resourceVersion ?? '',
    oldSpec: change.old?.spec ?? null,
    newSpec: change.type === 'DELETED' ? null : o.spec,
    ...(verb === 'status' ? { status: o.status ?? null } : {}),
  };
}

/** Entries matching the filter, newest first; a line torn by a crash is skipped. */
export function selectEntries(text: string, filter: AuditFilter): AuditEntry[] {
  const limit = Math.min(Math.max(filter.limit ?? DEFAULT_AUDIT_LIMIT, 1), MAX_AUDIT_LIMIT);
  const lines = text.split('\n');
  const out: AuditEntry[] = [];
  for (let i = lines.length - 1; i >= 0 && out.length < limit; i--) {
    const line = lines[i];
    if (!line) continue;
    let e: AuditEntry;
    try {
      e = JSON.parse(line) as AuditEntry;
    } catch {
      continue;
    }
    if (filter.kind && e.kind !== filter.kind) continue;
    if (filter.namespace && e.namespace !== filter.namespace) continue;
    if (filter.name && e.name !== filter.name) continue;
    out.push(e);
  }
  return out;
}

export interface AuditLogOptions {
  /** How much of the log's end a read scans (`--audit-scan-bytes`). */
  scanBytes?: number;
  /** The size at which the log rotates to `audit.log.1`, replacing the older backup (`--audit-max-bytes`). */
  maxBytes?: number;
}

export class AuditLog {
  /** Appends run one after another: a rotation never interleaves with a write. */
  private tail: Promise<void> = Promise.resolve();

  private constructor(
    private readonly dir: string,
    private handle: FileHandle,
    private size: number,
    private readonly scanBytes: number,
    private readonly maxBytes: number,
  ) {}

  static async open(dir: string, options: AuditLogOptions = {}): Promise<AuditLog> {
    const handle = await open(join(dir, AUDIT_FILE), 'a', 0o600);
    const { size } = await handle.stat();
    return new AuditLog(
      dir,
      handle,
      size,
      options.scanBytes ?? DEFAULT_AUDIT_SCAN_BYTES,
      options.maxBytes ?? DEFAULT_AUDIT_MAX_BYTES,
    );
  }

  /** Appends entries and syncs them to disk; past `maxBytes` the log rotates first. */
  append(entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    const data = Buffer.from(entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
    const run = this.tail.then(async () => {
      if (this.size > 0 && this.size + data.length > this.maxBytes) await this.rotate();
      await this.handle.write(data);
      await this.handle.datasync();
      this.size += data.length;
    });
    // The next append waits for this one, failed or not; the caller sees this one's failure.
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async rotate(): Promise<void> {
    await this.handle.close();
    await rename(join(this.dir, AUDIT_FILE), join(this.dir, AUDIT_BACKUP_FILE));
    this.handle = await open(join(this.dir, AUDIT_FILE), 'a', 0o600);
    this.size = 0;
  }

  /**
   * Entries from the log's last `scanBytes` only (the backup's end when the current file is shorter):
   * the log is bounded by its rotation, and a read by its window.
   */
  async read(filter: AuditFilter): Promise<AuditEntry[]> {
    await this.tail;
    const current = await readTail(join(this.dir, AUDIT_FILE), this.scanBytes);
    const left = this.scanBytes - current.bytes;
    const older = left > 0 ? await readTail(join(this.dir, AUDIT_BACKUP_FILE), left) : { text: '', bytes: 0 };
    return selectEntries(older.text + current.text, filter);
  }

  async close(): Promise<void> {
    await this.tail;
    await this.handle.close();
  }
}

/** The last `max` bytes of a file as whole lines (a window that starts mid-line drops that line); none if absent. */
async function readTail(file: string, max: number): Promise<{ text: string; bytes: number }> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { text: '', bytes: 0 };
    throw err;
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, max);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const text = buffer.toString('utf8');
    return { text: length < size ? text.slice(text.indexOf('\n') + 1) : text, bytes: length };
  } finally {
    await handle.close();
  }
}

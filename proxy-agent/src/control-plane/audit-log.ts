// The append-only audit log (JSON lines in the data directory): who changed what, from which spec to
// which. The dashboard's canary history reads it through `GET /v1/audit`.
import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { MeshKind } from '../../../lib/mesh-config/schema';
import { DEFAULT_AUDIT_SCAN_BYTES } from './limits';
import type { Change, Mutation } from './resource-state';

export const AUDIT_FILE = 'audit.log';
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

export class AuditLog {
  private constructor(
    private readonly file: string,
    private readonly handle: FileHandle,
    private readonly scanBytes: number,
  ) {}

  static async open(dir: string, scanBytes = DEFAULT_AUDIT_SCAN_BYTES): Promise<AuditLog> {
    const file = join(dir, AUDIT_FILE);
    return new AuditLog(file, await open(file, 'a', 0o600), scanBytes);
  }

  /** Appends entries and syncs them to disk. */
  async append(entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.handle.write(entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
    await this.handle.datasync();
  }

  /** Entries from the log's last `scanBytes` only: the log grows forever, a read must not. */
  async read(filter: AuditFilter): Promise<AuditEntry[]> {
    const handle = await open(this.file, 'r');
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, this.scanBytes);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      // A window that starts mid-line drops that torn first line.
      const text = buffer.toString('utf8');
      return selectEntries(length < size ? text.slice(text.indexOf('\n') + 1) : text, filter);
    } finally {
      await handle.close();
    }
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AUDIT_BACKUP_FILE, AUDIT_FILE, type AuditEntry, AuditLog } from './audit-log';

function entry(name: string): AuditEntry {
  return {
    time: new Date(0).toISOString(),
    who: 'ci',
    identity: 'ci',
    verb: 'replace',
    kind: 'VirtualService',
    namespace: 'bookinfo',
    name,
    resourceVersion: '1',
    oldSpec: null,
    newSpec: { hosts: [name] },
  };
}

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'audit-'));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('AuditLog rotation', () => {
  it('rotates to one backup at its size, so the disk holds at most twice the limit', async () => {
    const dir = await tempDir();
    const line = `${JSON.stringify(entry('r-000'))}\n`.length;
    const log = await AuditLog.open(dir, { maxBytes: line * 10 });
    for (let i = 0; i < 35; i++) await log.append([entry(`r-${String(i).padStart(3, '0')}`)]);
    expect((await readdir(dir)).sort()).toEqual([AUDIT_FILE, AUDIT_BACKUP_FILE]);
    expect((await stat(join(dir, AUDIT_FILE))).size).toBeLessThanOrEqual(line * 10);
    expect((await stat(join(dir, AUDIT_BACKUP_FILE))).size).toBeLessThanOrEqual(line * 10);
    // Reads go on across the rotation: the newest from the current file, then the backup's.
    const names = (await log.read({ limit: 1000 })).map((e) => e.name);
    expect(names[0]).toBe('r-034');
    expect(names).toContain('r-025');
    expect(names).not.toContain('r-000');
    expect(names).toEqual([...names].sort().reverse());
    await log.close();
  });

  it('keeps the size of a log it reopens, and concurrent appends all land', async () => {
    const dir = await tempDir();
    const line = `${JSON.stringify(entry('c-000'))}\n`.length;
    const first = await AuditLog.open(dir, { maxBytes: line * 4 });
    await first.append([entry('c-000'), entry('c-001'), entry('c-002')]);
    await first.close();
    const log = await AuditLog.open(dir, { maxBytes: line * 4 });
    await Promise.all([
      log.append([entry('c-003')]),
      log.append([entry('c-004')]),
      log.append([entry('c-005')]),
    ]);
    expect((await readdir(dir)).sort()).toEqual([AUDIT_FILE, AUDIT_BACKUP_FILE]);
    const names = (await log.read({})).map((e) => e.name).sort();
    expect(names).toEqual(['c-000', 'c-001', 'c-002', 'c-003', 'c-004', 'c-005']);
    await log.close();
  });

  it('reads only its scan window, dropping a torn first line', async () => {
    const dir = await tempDir();
    const line = `${JSON.stringify(entry('w-000'))}\n`.length;
    const log = await AuditLog.open(dir, { scanBytes: Math.floor(line * 2.5) });
    for (let i = 0; i < 5; i++) await log.append([entry(`w-00${i}`)]);
    expect((await log.read({})).map((e) => e.name)).toEqual(['w-004', 'w-003']);
    await log.close();
  });
});

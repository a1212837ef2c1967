// Where the control plane keeps things in etcd. Objects sit under one prefix with a sequence key beside
// them, so one etcd watch on the prefix sees every object change and every sequence bump.
import type { MeshKind } from '../../../../lib/mesh-config/schema';

export const ROOT = '/meshlens/';
/** Covers the object keys and the sequence key. */
export const OBJECTS = `${ROOT}objects`;
export const OBJECT_PREFIX = `${OBJECTS}/`;
/**
 * Bumped by every write of an object, with the writer's transaction id as its value: a transaction
 * compares its mod_revision, so writes from all control planes are checked against the state they saw.
 */
export const SEQUENCE_KEY = `${OBJECTS}#seq`;
export const AUDIT_PREFIX = `${ROOT}audit/`;
export const CA_ROOTS_KEY = `${ROOT}ca/roots`;

export function objectKeyOf(kind: MeshKind, namespace: string, name: string): string {
  return `${OBJECT_PREFIX}${kind}/${namespace}/${name}`;
}

/** The prefix of a kind's objects, in one namespace or all. */
export function kindPrefix(kind: MeshKind, namespace?: string): string {
  return `${OBJECT_PREFIX}${kind}/${namespace === undefined ? '' : `${namespace}/`}`;
}

/** etcd's range_end for "every key starting with prefix". */
export function prefixEnd(prefix: string): Buffer {
  const b = Buffer.from(prefix);
  for (let i = b.length - 1; i >= 0; i--) {
    if ((b[i] as number) < 0xff) {
      const end = b.subarray(0, i + 1);
      end[i] = (end[i] as number) + 1;
      return Buffer.from(end);
    }
  }
  return Buffer.from([0]);
}

/** Whether an etcd error says the asked revision was compacted away. */
export function isCompacted(err: unknown): boolean {
  return /compacted/i.test(err instanceof Error ? err.message : String(err));
}

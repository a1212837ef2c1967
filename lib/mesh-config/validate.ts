// Validation of mesh resources: structure (the zod schema) and references between resources
// (subsets named by routes exist, hosts are known). Answers Kubernetes-style causes: {field, message}.
// The reference checks and host helpers live in references.ts (free of zod, for light processes such as
// the sidecar) and are re-exported here.
import type { z } from 'zod';
import type { Cause, Validated } from './references';
import { type MeshResource, MeshResourceSchema, SCHEMA_BY_KIND } from './schema';

export {
  type Cause,
  crossValidate,
  knownHosts,
  qualifyHost,
  resolveHost,
  type Validated,
} from './references';

/** `spec.http[0].route[1].weight`, as Kubernetes names fields in causes. */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

export function causesOf(error: z.ZodError): Cause[] {
  return error.issues.map((i) => ({ field: fieldPath(i.path), message: i.message }));
}

/** Structural validation of one resource of any kind. */
export function parseResource(input: unknown): Validated<MeshResource> {
  const kind = (input as { kind?: unknown } | null)?.kind;
  const schema =
    typeof kind === 'string' && kind in SCHEMA_BY_KIND
      ? SCHEMA_BY_KIND[kind as keyof typeof SCHEMA_BY_KIND]
      : MeshResourceSchema;
  const r = schema.safeParse(input);
  return r.success ? { ok: true, value: r.data as MeshResource } : { ok: false, causes: causesOf(r.error) };
}

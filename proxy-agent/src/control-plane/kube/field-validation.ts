// `fieldValidation=Strict|Warn|Ignore` as kube-apiserver decides it: unknown fields refused (400
// "strict decoding error"), dropped with a warning (the default), or dropped silently.
import type { ZodError } from 'zod';
import { type MeshKind, SCHEMA_BY_KIND } from '../../../../lib/mesh-config/schema';
import { ApiError, badRequest } from '../status';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';
/** Passes of "find unknown keys, drop them" (an unknown key can hide deeper ones only so often). */
const MAX_PASSES = 8;

/**
 * The mode asked for; undefined when none was (Kubernetes would warn then: here the schema refuses an
 * unknown field with 422 as it always did, so a client that relied on that is not silently changed).
 */
export function parseFieldValidation(value: string | null): FieldValidation | undefined {
  if (value === null || value === '') return undefined;
  if (value === 'Strict' || value === 'Ignore' || value === 'Warn') return value;
  throw badRequest(`fieldValidation must be Ignore, Warn or Strict, not ${value.slice(0, 40)}`);
}

function format(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out === '' ? '' : '.'}${String(p)}`;
  return out;
}

function drop(target: unknown, path: readonly PropertyKey[], key: string): void {
  let at = target as Record<PropertyKey, unknown> | undefined;
  for (const p of path) at = at?.[p] as Record<PropertyKey, unknown> | undefined;
  if (at && typeof at === 'object') delete at[key];
}

/**
 * The unknown fields of a body (or a merge patch) of `kind`, and the body without them. Only fields the
 * schema can place are found: a field inside a union it cannot choose a branch of is left to validation.
 */
export function unknownFields(
  kind: MeshKind,
  body: Record<string, unknown>,
): { fields: string[]; body: Record<string, unknown> } {
  const copy = structuredClone(body);
  const fields: string[] = [];
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const r = SCHEMA_BY_KIND[kind].safeParse(copy);
    if (r.success) break;
    const unknown = (r.error as ZodError).issues.filter((i) => i.code === 'unrecognized_keys');
    if (unknown.length === 0) break;
    for (const issue of unknown)
      for (const key of (issue as { keys: string[] }).keys) {
        fields.push(format([...issue.path, key]));
        drop(copy, issue.path, key);
      }
  }
  return { fields, body: copy };
}

/** Applies a fieldValidation mode: the body to use, and the warnings to send (Warn). */
export function validateFields(
  kind: MeshKind,
  body: Record<string, unknown>,
  mode: FieldValidation,
): { body: Record<string, unknown>; warnings: string[] } {
  const { fields, body: stripped } = unknownFields(kind, body);
  if (fields.length === 0) return { body, warnings: [] };
  if (mode === 'Strict') {
    const [, version] = (String(body.apiVersion ?? '/v1').split('/') as [string, string]) ?? [];
    throw new ApiError(
      400,
      'BadRequest',
      `${kind} in version "${version ?? 'v1'}" cannot be handled as a ${kind}: strict decoding error: ${fields.map((f) => `unknown field "${f}"`).join(', ')}`,
    );
  }
  return { body: stripped, warnings: mode === 'Warn' ? fields.map((f) => `unknown field "${f}"`) : [] };
}

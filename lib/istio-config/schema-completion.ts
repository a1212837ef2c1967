// Schema-aware completion: the field names (and enum values) the zod schema of lib/mesh-config/schema.ts
// allows at a position of the YAML, through its JSON Schema (`z.toJSONSchema`). Pure; the editor wraps it.
import { z } from 'zod';
import { MESH_KINDS, type MeshKindName } from '../mesh-config/kinds';
import { SCHEMA_BY_KIND } from '../mesh-config/schema';
import { contextAt, type PathSegment } from './yaml-path';

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  description?: string;
  required?: string[];
}

const cache = new Map<string, JsonSchema>();

/** The JSON Schema of a kind (cached): what the control plane will accept, as input. */
export function jsonSchemaOf(kind: MeshKindName): JsonSchema | undefined {
  const schema = (SCHEMA_BY_KIND as Partial<Record<string, z.ZodType>>)[kind];
  if (!schema) return undefined;
  let out = cache.get(kind);
  if (!out) {
    // Refinements (regexes, weight sums) have no JSON Schema form; the lint reports them instead.
    out = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    cache.set(kind, out);
  }
  return out;
}

/** The kind a YAML text declares (`kind: VirtualService`), if it is one the control plane holds. */
export function kindOfText(text: string): MeshKindName | undefined {
  const m = /^kind:\s*["']?([A-Za-z]+)/m.exec(text);
  return MESH_KINDS.find((k) => k === m?.[1]);
}

/** Every alternative of a schema, flattened through anyOf/oneOf/allOf. */
function alternatives(s: JsonSchema | undefined): JsonSchema[] {
  if (!s) return [];
  const nested = [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])];
  return nested.length > 0 ? [s, ...nested.flatMap(alternatives)] : [s];
}

/** The schemas reached by a path (`*` steps into array items; unknown keys into records). */
export function schemaAt(root: JsonSchema, path: readonly PathSegment[]): JsonSchema[] {
  let here = alternatives(root);
  for (const seg of path) {
    here = here.flatMap((s) => {
      if (seg === '*') return alternatives(s.items);
      const prop = s.properties?.[seg];
      if (prop) return alternatives(prop);
      return typeof s.additionalProperties === 'object' ? alternatives(s.additionalProperties) : [];
    });
  }
  return here;
}

export interface Suggestion {
  label: string;
  /** What is inserted: `key: ` for a field, the value for a value. */
  apply: string;
  detail?: string;
  type: 'property' | 'enum';
}

const typeOf = (s: JsonSchema): string => {
  const alt = alternatives(s).find(
    (a) => a.type !== undefined || a.enum !== undefined || a.const !== undefined,
  );
  if (!alt) return '';
  if (alt.enum) return alt.enum.map(String).join(' | ');
  if (alt.const !== undefined) return String(alt.const);
  return Array.isArray(alt.type) ? alt.type.join(' | ') : (alt.type ?? '');
};

/** What may be typed at `offset`: the fields of the map there (minus those set), or a field's values. */
export function suggestAt(text: string, offset: number): Suggestion[] {
  const kind = kindOfText(text);
  const root = kind ? jsonSchemaOf(kind) : undefined;
  if (!root) return [];
  const ctx = contextAt(text, offset);
  if (ctx.valueKey !== undefined) {
    const values = schemaAt(root, [...ctx.path, ctx.valueKey]).flatMap((s) => [
      ...(s.enum ?? []),
      ...(s.const !== undefined ? [s.const] : []),
      ...(s.type === 'boolean' ? [true, false] : []),
    ]);
    return [...new Set(values.map(String))].map((v) => ({ label: v, apply: v, type: 'enum' }));
  }
  const seen = new Set(ctx.siblings);
  const out = new Map<string, Suggestion>();
  for (const s of schemaAt(root, ctx.path)) {
    for (const [key, prop] of Object.entries(s.properties ?? {})) {
      if (seen.has(key) || out.has(key)) continue;
      const required = s.required?.includes(key) ? 'required · ' : '';
      out.set(key, { label: key, apply: `${key}: `, detail: `${required}${typeOf(prop)}`, type: 'property' });
    }
  }
  return [...out.values()];
}

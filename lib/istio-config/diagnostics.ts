// The editor's inline errors, as ranges of the YAML text: YAML syntax errors, then the zod schema's
// causes (the control plane's own validation), then the checks beyond the schema against the rest of
// the mesh — and the causes of a 422, mapped to their fields the same way. Pure; the editor shows them.
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { MeshResource } from '../mesh-config/schema';
import { parseResource } from '../mesh-config/validate';
import { validateMesh } from '../mesh-config/validations';

export interface TextDiagnostic {
  from: number;
  to: number;
  severity: 'error' | 'warning';
  message: string;
}

/** `spec.http[0].route[1].weight` → ['spec', 'http', 0, 'route', 1, 'weight']. */
export function pathSegments(field: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of field.matchAll(/([^.[\]]+)|\[(\d+)\]/g))
    out.push(m[2] !== undefined ? Number(m[2]) : (m[1] as string));
  return out;
}

/** The range of the deepest node a field path reaches (a key where it names one): where to draw its error. */
export function rangeOf(text: string, field: string): { from: number; to: number } {
  const doc = parseDocument(text);
  let node: unknown = doc.contents;
  let range: [number, number] = [0, Math.min(text.indexOf('\n') >>> 0, text.length)];
  for (const seg of pathSegments(field)) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg),
      );
      if (!pair || !isScalar(pair.key) || !pair.key.range) break;
      range = [pair.key.range[0], pair.key.range[1]];
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item?.range) break;
      range = [item.range[0], item.range[1]];
      node = item;
    } else break;
  }
  // A whole map or item is long; its first line is enough to point at it.
  const lineEnd = text.indexOf('\n', range[0]);
  const to = lineEnd >= 0 ? Math.min(range[1], lineEnd) : range[1];
  return { from: range[0], to: Math.max(to, range[0] + 1) };
}

/** Causes (`{field, message}`) as diagnostics at their fields. */
export function causesToDiagnostics(
  text: string,
  causes: readonly { field: string; message: string }[],
): TextDiagnostic[] {
  return causes.map((c) => ({
    ...rangeOf(text, c.field),
    severity: 'error',
    message: c.field ? `${c.field}: ${c.message}` : c.message,
  }));
}

export interface ParsedText {
  value?: unknown;
  diagnostics: TextDiagnostic[];
}

/** YAML syntax errors (conflict markers included) as diagnostics; the value when there are none. */
export function parseYamlText(text: string): ParsedText {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const diagnostics: TextDiagnostic[] = doc.errors.map((e) => ({
    from: Math.min(e.pos[0], text.length),
    to: Math.min(Math.max(e.pos[1], e.pos[0] + 1), text.length),
    severity: 'error',
    message: e.message.split('\n')[0] ?? e.message,
  }));
  for (const m of text.matchAll(/^(<<<<<<<|=======|>>>>>>>).*$/gm))
    diagnostics.push({
      from: m.index,
      to: m.index + m[0].length,
      severity: 'error',
      message: 'unresolved merge conflict',
    });
  return diagnostics.length > 0 ? { diagnostics } : { value: doc.toJS(), diagnostics };
}

/**
 * Everything wrong with the text as a resource among `others` (the rest of the mesh; the stored copy of
 * this resource is left out by identity).
 */
export function diagnose(text: string, others: readonly MeshResource[]): TextDiagnostic[] {
  const parsed = parseYamlText(text);
  if (parsed.value === undefined) return parsed.diagnostics;
  const r = parseResource(parsed.value);
  if (!r.ok) return causesToDiagnostics(text, r.causes);
  const me = r.value;
  const ns = me.metadata.namespace ?? 'default';
  const same = (o: MeshResource) =>
    o.kind === me.kind && o.metadata.name === me.metadata.name && (o.metadata.namespace ?? 'default') === ns;
  const findings = validateMesh([...others.filter((o) => !same(o)), me]).filter(
    (v) => v.kind === me.kind && v.name === me.metadata.name && v.namespace === ns,
  );
  return findings.map((v) => ({
    ...rangeOf(text, v.path),
    severity: v.severity,
    message: `${v.code} ${v.message}`,
  }));
}

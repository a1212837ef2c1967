// Label and field selectors on lists and watches, as kube-apiserver reads them for custom resources:
// labels with =, ==, !=, in, notin, exists and !exists; fields metadata.name and metadata.namespace.
import type { MeshResource } from '../../../../lib/mesh-config/schema';
import { badRequest } from '../status';

export type Selector = (o: MeshResource) => boolean;

/** Splits at commas outside parentheses. */
function terms(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '') out.push(cur.trim());
  return out;
}

const KEY = /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function labelSelector(text: string | null): Selector | undefined {
  if (text === null || text.trim() === '') return undefined;
  const tests = terms(text).map((t): Selector => {
    let m = /^(\S+?)\s*(==|=|!=)\s*(\S*)$/.exec(t);
    if (m && KEY.test(m[1] as string) && VALUE.test(m[3] as string)) {
      const [, k, op, v] = m as unknown as [string, string, string, string];
      return (o) => ((o.metadata.labels?.[k] ?? undefined) === v) === (op !== '!=');
    }
    m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(t);
    if (m && KEY.test(m[1] as string)) {
      const [, k, op, list] = m as unknown as [string, string, string, string];
      const values = new Set(list.split(',').map((v) => v.trim()));
      return (o) => {
        const v = o.metadata.labels?.[k];
        return op === 'in' ? v !== undefined && values.has(v) : v === undefined || !values.has(v);
      };
    }
    m = /^(!?)(\S+)$/.exec(t);
    if (m && KEY.test(m[2] as string)) {
      const [, not, k] = m as unknown as [string, string, string];
      return (o) => (o.metadata.labels?.[k] !== undefined) !== (not === '!');
    }
    throw badRequest(
      `unable to parse requirement: found '${t.slice(0, 60)}', expected: key, =, ==, !=, in, notin`,
    );
  });
  return (o) => tests.every((f) => f(o));
}

export function fieldSelector(text: string | null): Selector | undefined {
  if (text === null || text.trim() === '') return undefined;
  const tests = terms(text).map((t): Selector => {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(t);
    if (!m) throw badRequest(`invalid selector: '${t.slice(0, 60)}'; can't understand '${t.slice(0, 60)}'`);
    const [, field, op, value] = m as unknown as [string, string, string, string];
    const get =
      field === 'metadata.name'
        ? (o: MeshResource) => o.metadata.name
        : field === 'metadata.namespace'
          ? (o: MeshResource) => o.metadata.namespace ?? 'default'
          : undefined;
    // kube-apiserver's words for a custom resource's unsupported field label.
    if (!get) throw badRequest(`field label not supported: ${field.slice(0, 100)}`);
    return (o) => (get(o) === value) === (op !== '!=');
  });
  return (o) => tests.every((f) => f(o));
}

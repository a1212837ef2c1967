// Kubernetes' own bounds on object metadata, checked when an object is admitted: label keys and values
// (63 characters, a restricted alphabet), annotation keys, and the annotations' total size (256 KiB).
// A label is matched and indexed, an annotation copied into every watch event: neither may be unbounded.
import type { Cause } from '../../../lib/mesh-config/validate';

/** Kubernetes' TotalAnnotationSizeLimitB. */
export const MAX_ANNOTATIONS_BYTES = 256 * 1024;
const MAX_NAME = 63;
const MAX_PREFIX = 253;
const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `key` is not a qualified name (`[prefix/]name`), or undefined when it is one. */
function keyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > MAX_PREFIX || !DNS1123_SUBDOMAIN.test(prefix)))
    return `the prefix of key ${JSON.stringify(key.slice(0, 80))} must be a DNS-1123 subdomain of at most ${MAX_PREFIX} characters`;
  if (name.length > MAX_NAME || !QUALIFIED_NAME.test(name))
    return `key ${JSON.stringify(key.slice(0, 80))} must be at most ${MAX_NAME} alphanumerics, '-', '_' or '.', starting and ending alphanumeric, with an optional DNS subdomain prefix and '/'`;
  return undefined;
}

function entries(v: unknown): [string, unknown][] {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.entries(v) : [];
}

/** Causes for every label or annotation of `metadata` outside Kubernetes' bounds. */
export function metadataCauses(metadata: unknown): Cause[] {
  const meta = (metadata ?? {}) as { labels?: unknown; annotations?: unknown };
  const causes: Cause[] = [];
  for (const [key, value] of entries(meta.labels)) {
    const field = `metadata.labels[${JSON.stringify(key.slice(0, 80))}]`;
    const problem = keyProblem(key);
    if (problem) causes.push({ field, message: problem });
    if (typeof value === 'string' && value !== '' && (value.length > MAX_NAME || !QUALIFIED_NAME.test(value)))
      causes.push({
        field,
        message: `a label value must be at most ${MAX_NAME} alphanumerics, '-', '_' or '.', starting and ending alphanumeric`,
      });
  }
  let total = 0;
  for (const [key, value] of entries(meta.annotations)) {
    const problem = keyProblem(key);
    if (problem)
      causes.push({ field: `metadata.annotations[${JSON.stringify(key.slice(0, 80))}]`, message: problem });
    total += Buffer.byteLength(key) + (typeof value === 'string' ? Buffer.byteLength(value) : 0);
  }
  if (total > MAX_ANNOTATIONS_BYTES)
    causes.push({
      field: 'metadata.annotations',
      message: `may not be more than ${MAX_ANNOTATIONS_BYTES} bytes in total (it is ${total})`,
    });
  return causes;
}

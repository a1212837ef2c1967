// A resource as the editor shows it: YAML in the field order it was stored with, always printed the
// same way, so that the diff and the 3-way merge compare like with like.
import { stringify } from 'yaml';

export function toYaml(resource: unknown): string {
  return stringify(resource, { lineWidth: 0 });
}

/** The text with its `metadata.resourceVersion` set to `version` (keeping mine over their newer version). */
export function withResourceVersion(resource: Record<string, unknown>, version: string | undefined) {
  const metadata = { ...(resource.metadata as Record<string, unknown> | undefined) };
  if (version === undefined) delete metadata.resourceVersion;
  else metadata.resourceVersion = version;
  return { ...resource, metadata };
}

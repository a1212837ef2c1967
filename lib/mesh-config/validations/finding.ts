// Builds one Validation from a check of the catalogue, the resource it is about and the field's path.
import type { MeshKindName } from '../kinds';
import { CHECKS, type CheckName } from './codes';
import type { Validation } from './types';

/** The parts of a resource a finding names; loose so that kinds newer than the schema fit. */
export interface Located {
  kind: string;
  metadata: { name: string; namespace?: string };
}

export function finding(check: CheckName, resource: Located, path: string, detail?: string): Validation {
  const c = CHECKS[check];
  return {
    code: c.code,
    severity: c.severity,
    message: detail ? `${c.title}: ${detail}` : c.title,
    kind: resource.kind as MeshKindName,
    namespace: resource.metadata.namespace ?? 'default',
    name: resource.metadata.name,
    path,
  };
}

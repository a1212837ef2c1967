// Validations beyond the schema, as Kiali checks Istio config: pure functions from the mesh's resources
// (and optionally known workloads and services) to findings with a code, a severity and a field path.
// The Istio Config pages, the Overview and the Applications/Workloads/Services lists all use these.
import type { DestinationRule, MeshResource, VirtualService } from '../schema';
import { destinationRuleChecks } from './destination-rule-checks';
import { mtlsChecks } from './mtls-checks';
import { buildRegistry } from './registry';
import { sidecarChecks } from './sidecar-checks';
import type { ResourceKey, ValidateOptions, Validation, Validity } from './types';
import { virtualServiceChecks } from './virtual-service-checks';

export { CHECKS, type CheckDescriptor, type CheckName } from './codes';
export type { ResourceKey, Severity, ValidateOptions, Validation, Validity, WorkloadRef } from './types';

const compare = (a: Validation, b: Validation) =>
  a.kind.localeCompare(b.kind) ||
  a.namespace.localeCompare(b.namespace) ||
  a.name.localeCompare(b.name) ||
  a.path.localeCompare(b.path) ||
  a.code.localeCompare(b.code);

/** Every finding on every resource, sorted by kind, namespace, name, path and code. */
export function validateMesh(
  resources: readonly MeshResource[],
  options: ValidateOptions = {},
): Validation[] {
  const registry = buildRegistry(resources, options);
  const vss = resources.filter((r): r is VirtualService => r.kind === 'VirtualService');
  const drs = resources.filter((r): r is DestinationRule => r.kind === 'DestinationRule');
  return [
    ...virtualServiceChecks(vss, drs, registry),
    ...destinationRuleChecks(drs, registry),
    ...mtlsChecks(resources, registry),
    ...sidecarChecks(resources, registry),
  ].sort(compare);
}

/** `VirtualService/bookinfo/reviews`: the key findings are grouped by. */
export function resourceKey(r: ResourceKey): string {
  return `${r.kind}/${r.namespace}/${r.name}`;
}

/** Findings grouped by resource (`resourceKey`). */
export function validationsByResource(validations: readonly Validation[]): Map<string, Validation[]> {
  const out = new Map<string, Validation[]>();
  for (const v of validations) {
    const key = resourceKey(v);
    out.set(key, [...(out.get(key) ?? []), v]);
  }
  return out;
}

/** The findings on one resource. */
export function validationsOf(validations: readonly Validation[], key: ResourceKey): Validation[] {
  return validations.filter(
    (v) => v.kind === key.kind && v.namespace === key.namespace && v.name === key.name,
  );
}

/** Error if any finding is an error, warning if any is a warning, else valid. */
export function validityOf(validations: readonly Pick<Validation, 'severity'>[]): Validity {
  if (validations.some((v) => v.severity === 'error')) return 'error';
  return validations.length > 0 ? 'warning' : 'valid';
}

/** Counts per namespace, for overview cards: objects with errors, with warnings, and valid ones. */
export function validationSummary(
  resources: readonly MeshResource[],
  validations: readonly Validation[],
): Map<string, Record<Validity, number>> {
  const byResource = validationsByResource(validations);
  const out = new Map<string, Record<Validity, number>>();
  for (const r of resources) {
    const namespace = r.metadata.namespace ?? 'default';
    const counts = out.get(namespace) ?? { valid: 0, warning: 0, error: 0 };
    counts[
      validityOf(byResource.get(resourceKey({ kind: r.kind, namespace, name: r.metadata.name })) ?? [])
    ]++;
    out.set(namespace, counts);
  }
  return out;
}

// The DestinationRule subsets a split needs. As Kiali's traffic-shifting wizard does, a version with
// no subset gets one named after it, selecting the workloads labelled `version: <name>`.
import { LABEL_VERSION } from '../mesh-config/labels';
import { API_VERSION, type DestinationRule, type Subset } from '../mesh-config/schema';
import { qualifyHost } from '../mesh-config/validate';
import type { ServiceRef } from './virtual-service';

/** The DestinationRule for the service's host among `rules` (the one named like the service first). */
export function destinationRuleFor(
  rules: readonly DestinationRule[],
  service: ServiceRef,
): DestinationRule | undefined {
  const matching = rules.filter(
    (r) => qualifyHost(r.spec.host, r.metadata.namespace ?? 'default') === service.host,
  );
  return matching.find((r) => r.metadata.name === service.name) ?? matching[0];
}

export const subsetFor = (version: string): Subset => ({
  name: version,
  labels: { [LABEL_VERSION]: version },
});

/**
 * The DestinationRule that defines a subset for every version: the existing one with the missing
 * subsets appended, a new one when there is none, or undefined when nothing is missing.
 */
export function withSubsets(
  existing: DestinationRule | undefined,
  service: ServiceRef,
  versions: readonly string[],
): DestinationRule | undefined {
  if (!existing) {
    return {
      apiVersion: API_VERSION,
      kind: 'DestinationRule',
      metadata: { name: service.name, namespace: service.namespace },
      spec: { host: service.host, subsets: versions.map(subsetFor) },
    };
  }
  const have = new Set((existing.spec.subsets ?? []).map((s) => s.name));
  const missing = versions.filter((v) => !have.has(v));
  if (missing.length === 0) return undefined;
  return {
    ...existing,
    spec: { ...existing.spec, subsets: [...(existing.spec.subsets ?? []), ...missing.map(subsetFor)] },
  };
}

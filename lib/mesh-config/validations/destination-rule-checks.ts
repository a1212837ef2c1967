// DestinationRule checks, as Kiali's destination_rules checkers: the host exists (KIA0202), each
// subset's labels select a workload of the host (KIA0203) and a subset has labels (KIA0209), and one
// DestinationRule per host and subset (KIA0201).
import { qualifyHost } from '../references';
import type { DestinationRule } from '../schema';
import { finding } from './finding';
import { type Registry, selects } from './registry';
import type { Validation } from './types';

const nsOf = (r: { metadata: { namespace?: string } }) => r.metadata.namespace ?? 'default';

function hostChecks(dr: DestinationRule, registry: Registry): Validation[] {
  if (dr.spec.host.includes('*')) return [];
  const fqdn = registry.resolve(dr.spec.host, nsOf(dr));
  if (fqdn === undefined) return [finding('drHostNotFound', dr, 'spec.host', dr.spec.host)];
  const workloads = registry.workloadsOf(fqdn);
  const out: Validation[] = [];
  for (const [i, subset] of (dr.spec.subsets ?? []).entries()) {
    const labels = subset.labels ?? {};
    if (Object.keys(labels).length === 0) {
      out.push(finding('drSubsetNoLabels', dr, `spec.subsets[${i}]`, subset.name));
      continue;
    }
    if (!workloads.some((w) => selects(labels, w.labels))) {
      const shown = Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      out.push(
        finding(
          'drSubsetNoWorkload',
          dr,
          `spec.subsets[${i}].labels`,
          `${subset.name} (${shown}) of ${fqdn}`,
        ),
      );
    }
  }
  return out;
}

/** Two DestinationRules for one host clash when either covers every subset or both name one subset. */
function multiMatchChecks(drs: readonly DestinationRule[], registry: Registry): Validation[] {
  const byHost = new Map<string, DestinationRule[]>();
  for (const dr of drs) {
    const host =
      registry.resolve(dr.spec.host, nsOf(dr)) ?? qualifyHost(dr.spec.host.toLowerCase(), nsOf(dr));
    byHost.set(host, [...(byHost.get(host) ?? []), dr]);
  }
  const out: Validation[] = [];
  const names = (dr: DestinationRule) => (dr.spec.subsets ?? []).map((s) => s.name);
  for (const [host, list] of byHost) {
    for (const dr of list) {
      const clashes = list.filter(
        (o) =>
          o !== dr &&
          (names(o).length === 0 || names(dr).length === 0 || names(o).some((n) => names(dr).includes(n))),
      );
      if (clashes.length === 0) continue;
      const others = clashes.map((o) => `${nsOf(o)}/${o.metadata.name}`).join(', ');
      out.push(finding('drMultiMatch', dr, 'spec.host', `${host} is also configured by ${others}`));
    }
  }
  return out;
}

export function destinationRuleChecks(drs: readonly DestinationRule[], registry: Registry): Validation[] {
  return [...drs.flatMap((dr) => hostChecks(dr, registry)), ...multiMatchChecks(drs, registry)];
}

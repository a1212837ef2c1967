// VirtualService checks, as Kiali's virtual_services checkers: destination hosts exist (KIA1101),
// subsets exist (KIA1107), weights (KIA1104, MSL1101), repeated host+subset (KIA1105), and one
// VirtualService per host (KIA1106).
import { qualifyHost } from '../references';
import type { DestinationRule, VirtualService } from '../schema';
import { finding } from './finding';
import type { Registry } from './registry';
import type { Validation } from './types';

const nsOf = (r: { metadata: { namespace?: string } }) => r.metadata.namespace ?? 'default';

/** The subsets defined for a host, across every DestinationRule whose host is it. */
function subsetsByHost(drs: readonly DestinationRule[], registry: Registry): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const dr of drs) {
    const ns = nsOf(dr);
    const host = registry.resolve(dr.spec.host, ns) ?? qualifyHost(dr.spec.host.toLowerCase(), ns);
    const set = out.get(host) ?? new Set<string>();
    for (const s of dr.spec.subsets ?? []) set.add(s.name);
    out.set(host, set);
  }
  return out;
}

function routeChecks(
  vs: VirtualService,
  registry: Registry,
  subsets: Map<string, Set<string>>,
): Validation[] {
  const out: Validation[] = [];
  const ns = nsOf(vs);
  for (const [ri, http] of (vs.spec.http ?? []).entries()) {
    const seen = new Set<string>();
    for (const [di, { destination: d }] of http.route.entries()) {
      const at = `spec.http[${ri}].route[${di}].destination`;
      const resolved = d.host.includes('*') ? d.host : registry.resolve(d.host, ns);
      if (resolved === undefined) out.push(finding('vsHostNotFound', vs, `${at}.host`, d.host));
      const host = resolved ?? qualifyHost(d.host.toLowerCase(), ns);
      if (d.subset !== undefined && !subsets.get(host)?.has(d.subset))
        out.push(
          finding(
            'vsSubsetNotFound',
            vs,
            `${at}.subset`,
            `no DestinationRule for ${host} defines ${d.subset}`,
          ),
        );
      const key = `${host}|${d.subset ?? ''}`;
      if (seen.has(key))
        out.push(finding('vsRepeatedSubset', vs, at, `${host}${d.subset ? ` ${d.subset}` : ''}`));
      seen.add(key);
    }
    const [only] = http.route;
    if (http.route.length === 1 && only?.weight !== undefined && only.weight !== 100)
      out.push(finding('vsSingleWeight', vs, `spec.http[${ri}].route[0].weight`, `weight ${only.weight}`));
    if (http.route.length > 1) {
      const sum = http.route.reduce((s, d) => s + (d.weight ?? 0), 0);
      if (sum !== 100)
        out.push(finding('vsWeightSum', vs, `spec.http[${ri}].route`, `the weights sum to ${sum}`));
    }
  }
  return out;
}

/** A VirtualService applies to the mesh's sidecars unless it names only gateways. */
const appliesToMesh = (vs: VirtualService) => !vs.spec.gateways?.length || vs.spec.gateways.includes('mesh');

function singleHostChecks(vss: readonly VirtualService[]): Validation[] {
  const owners = new Map<string, { vs: VirtualService; index: number }[]>();
  for (const vs of vss) {
    if (!appliesToMesh(vs)) continue;
    vs.spec.hosts.forEach((h, index) => {
      const host = qualifyHost(h.toLowerCase(), nsOf(vs));
      owners.set(host, [...(owners.get(host) ?? []), { vs, index }]);
    });
  }
  const out: Validation[] = [];
  for (const [host, list] of owners) {
    if (list.length < 2) continue;
    for (const { vs, index } of list) {
      const others = list.filter((o) => o.vs !== vs).map((o) => `${nsOf(o.vs)}/${o.vs.metadata.name}`);
      out.push(
        finding('vsSingleHost', vs, `spec.hosts[${index}]`, `${host} is also routed by ${others.join(', ')}`),
      );
    }
  }
  return out;
}

export function virtualServiceChecks(
  vss: readonly VirtualService[],
  drs: readonly DestinationRule[],
  registry: Registry,
): Validation[] {
  const subsets = subsetsByHost(drs, registry);
  return [...vss.flatMap((vs) => routeChecks(vs, registry, subsets)), ...singleHostChecks(vss)];
}

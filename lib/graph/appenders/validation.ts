// Validation badges (Kiali's config validation marks on the graph): the Istio Config validations
// (`lib/mesh-config/validations`) laid onto the nodes they concern — a VirtualService, DestinationRule or
// ServiceEntry on its hosts' nodes, a Sidecar or PeerAuthentication on the workloads it selects — as
// `badges.validation: {errors, warnings, codes}`.
//
// The graph knows only what had traffic in its window and namespaces. So the checks that find something
// *missing* (a host with no service, a subset whose labels select no workload, a Sidecar egress host that
// matches nothing) are taken only from a mesh-wide list of findings when the caller has one
// (`reads.validations`, e.g. the inventory's); judged from the graph alone they would flag every host and
// version that was merely quiet (a canary at weight 0). The checks on the config itself (subsets no
// DestinationRule defines, weights, two VirtualServices for a host, STRICT vs TLS disabled…) are run here
// on the graph's config.
import { CLUSTER_DOMAIN } from '../../mesh-config/labels';
import { qualifyHost } from '../../mesh-config/references';
import type { MeshResource } from '../../mesh-config/schema';
import { CHECKS, type Validation, validateMesh, type WorkloadRef } from '../../mesh-config/validations';
import type { MeshConfigView } from '../config-badges';
import { MESH_ROOT_NAMESPACE } from '../mesh-config-source';
import type { TrafficMap, TrafficNode } from '../traffic-map';
import { hostsOf } from './badges';

/** A node's findings: how many of each severity, and their codes (sorted, distinct). */
export interface ValidationBadge {
  errors: number;
  warnings: number;
  codes: string[];
}

declare module '../types' {
  interface Badges {
    /** Istio Config validations on the config that applies to this node (`appenders/validation.ts`). */
    validation?: ValidationBadge;
  }
}

/** Checks that report something absent from the registry: not judged from the graph's partial view. */
export const ABSENCE_CODES: ReadonlySet<string> = new Set([
  CHECKS.drHostNotFound.code,
  CHECKS.drSubsetNoWorkload.code,
  CHECKS.sidecarEgressNotFound.code,
  CHECKS.vsHostNotFound.code,
]);

export interface ValidationReads {
  config?: MeshConfigView;
  /** Mesh-wide findings (with a full registry of workloads and services); when present, used as they are. */
  validations?: readonly Validation[];
}

function resourcesOf(config: MeshConfigView): MeshResource[] {
  return [
    ...config.virtualServices,
    ...config.destinationRules,
    ...config.serviceEntries,
    ...(config.peerAuthentications ?? []),
    ...(config.sidecars ?? []),
  ];
}

/** The workloads and hosts the graph saw, as the validations' registry. */
function seen(map: TrafficMap): { workloads: WorkloadRef[]; services: string[] } {
  const workloads: WorkloadRef[] = [];
  const services = new Set<string>();
  for (const n of map.nodes.values()) {
    const { spec } = n;
    if (spec.serviceHost) services.add(spec.serviceHost);
    if (n.destServices)
      for (const s of n.destServices.values()) services.add(`${s.name}.${s.namespace}.${CLUSTER_DOMAIN}`);
    if (spec.workload && (spec.nodeType === 'workload' || spec.nodeType === 'app'))
      workloads.push({ namespace: spec.namespace, name: spec.workload, labels: labelsOf(n) });
  }
  return { workloads, services: [...services] };
}

function labelsOf(n: TrafficNode): Record<string, string> {
  const out: Record<string, string> = {};
  if (n.spec.app) out.app = n.spec.app;
  if (n.spec.version) out.version = n.spec.version;
  return out;
}

/** The findings to draw: the caller's mesh-wide list, else the config checks run on the graph's config. */
export function graphFindings(map: TrafficMap, reads: ValidationReads): Validation[] {
  if (reads.validations) return [...reads.validations];
  if (!reads.config) return [];
  return validateMesh(resourcesOf(reads.config), seen(map)).filter((v) => !ABSENCE_CODES.has(v.code));
}

type Subject = { hosts: string[] } | { namespace: string; selector: Record<string, string> | undefined };

/** What a resource's findings concern on the graph: its hosts, or the workloads it selects. */
function subjectOf(r: MeshResource): Subject | undefined {
  const ns = r.metadata.namespace ?? 'default';
  switch (r.kind) {
    case 'VirtualService':
    case 'ServiceEntry':
      return { hosts: r.spec.hosts.map((h) => qualifyHost(h.toLowerCase(), ns)) };
    case 'DestinationRule':
      return { hosts: [qualifyHost(r.spec.host.toLowerCase(), ns)] };
    case 'Sidecar':
      return { namespace: ns, selector: r.spec.workloadSelector?.labels };
    case 'PeerAuthentication':
      return { namespace: ns, selector: r.spec.selector?.matchLabels };
    default:
      return undefined;
  }
}

/**
 * Where subjects land: hosts on their nodes (the config badges' rule: the service node when drawn, else
 * the workloads reached through the service), and the workload and app nodes for selectors. Indexed once.
 */
function nodeIndex(map: TrafficMap): { byHost: Map<string, TrafficNode[]>; workloads: TrafficNode[] } {
  const drawn = new Set<string>();
  for (const n of map.nodes.values())
    if (n.spec.nodeType === 'service' && n.spec.serviceHost) drawn.add(n.spec.serviceHost);
  const byHost = new Map<string, TrafficNode[]>();
  const workloads: TrafficNode[] = [];
  for (const n of map.nodes.values()) {
    const type = n.spec.nodeType;
    if (type === 'unknown' || type === 'box') continue;
    if (type === 'workload' || type === 'app') workloads.push(n);
    const hosts = type === 'service' ? hostsOf(n) : hostsOf(n).filter((h) => !drawn.has(h));
    for (const h of hosts) {
      const list = byHost.get(h);
      if (list) list.push(n);
      else byHost.set(h, [n]);
    }
  }
  return { byHost, workloads };
}

function nodesOf(index: ReturnType<typeof nodeIndex>, subject: Subject): TrafficNode[] {
  if ('hosts' in subject) return [...new Set(subject.hosts.flatMap((h) => index.byHost.get(h) ?? []))];
  return index.workloads.filter((n) => {
    if (subject.namespace !== MESH_ROOT_NAMESPACE && n.spec.namespace !== subject.namespace) return false;
    const labels = labelsOf(n);
    return Object.entries(subject.selector ?? {}).every(([k, v]) => labels[k] === v);
  });
}

export function appendValidations(map: TrafficMap, reads: ValidationReads): void {
  const findings = graphFindings(map, reads);
  if (findings.length === 0 || !reads.config) return;
  const byKey = new Map<string, MeshResource>();
  for (const r of resourcesOf(reads.config))
    byKey.set(`${r.kind}/${r.metadata.namespace ?? 'default'}/${r.metadata.name}`, r);
  const index = nodeIndex(map);
  const perNode = new Map<TrafficNode, Validation[]>();
  for (const f of findings) {
    const resource = byKey.get(`${f.kind}/${f.namespace}/${f.name}`);
    const subject = resource && subjectOf(resource);
    if (!subject) continue;
    for (const n of nodesOf(index, subject)) perNode.set(n, [...(perNode.get(n) ?? []), f]);
  }
  for (const [n, list] of perNode) {
    n.badges.validation = {
      errors: list.filter((v) => v.severity === 'error').length,
      warnings: list.filter((v) => v.severity === 'warning').length,
      codes: [...new Set(list.map((v) => v.code))].sort(),
    };
  }
}

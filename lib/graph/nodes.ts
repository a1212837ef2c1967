// Which graph node a request's caller and callee become, per graph type: the node identities and the
// path a request takes through the graph (caller → [service →] callee).
import { CLUSTER_DOMAIN } from '../mesh-config/labels';
import type { SeriesIdentity, Workload } from './series';
import type { GraphType, NodeData } from './types';

/** The identity part of a node; its numbers are added in the traffic map (`traffic-map.ts`, `appenders/`). */
export type NodeSpec = Pick<
  NodeData,
  | 'id'
  | 'nodeType'
  | 'namespace'
  | 'workload'
  | 'app'
  | 'version'
  | 'service'
  | 'serviceHost'
  | 'isServiceEntry'
  | 'isEgressCluster'
> & { box?: { id: string; namespace: string; app: string } };

export const UNKNOWN_SOURCE: NodeSpec = { id: 'unknown', nodeType: 'unknown', namespace: 'unknown' };
const UNKNOWN_DESTINATION: NodeSpec = {
  id: 'unknown-destination',
  nodeType: 'unknown',
  namespace: 'unknown',
};

export function workloadNode(w: Workload): NodeSpec {
  return {
    id: `wl:${w.namespace}:${w.workload}`,
    nodeType: 'workload',
    namespace: w.namespace,
    workload: w.workload,
    app: w.app,
    version: w.version,
  };
}

/** The node a workload is drawn as in a graph of `graphType` (service graphs resolve callers separately). */
export function workloadAs(w: Workload, graphType: GraphType): NodeSpec {
  if (graphType === 'workload' || w.app === undefined) return workloadNode(w);
  if (graphType === 'versionedApp') {
    const version = w.version ?? 'latest';
    return {
      id: `app:${w.namespace}:${w.app}:${version}`,
      nodeType: 'app',
      namespace: w.namespace,
      app: w.app,
      version,
      workload: w.workload,
      box: { id: `box:${w.namespace}:${w.app}`, namespace: w.namespace, app: w.app },
    };
  }
  return { id: `app:${w.namespace}:${w.app}`, nodeType: 'app', namespace: w.namespace, app: w.app };
}

/** Envoy's clusters for hosts the registry does not know: forwarded (ALLOW_ANY) or refused (REGISTRY_ONLY). */
export const EGRESS_CLUSTERS = ['PassthroughCluster', 'BlackHoleCluster'] as const;

/** The service node of a request's destination; undefined when no service is known. */
export function serviceNode(s: SeriesIdentity): NodeSpec | undefined {
  const cluster = s.destination.serviceName;
  if (cluster !== undefined && (EGRESS_CLUSTERS as readonly string[]).includes(cluster)) {
    // Kiali draws these as one service node per caller namespace, flagged; the host is in `responses`.
    const namespace = s.source?.namespace ?? 'unknown';
    return {
      id: `svc:${namespace}:${cluster}`,
      nodeType: 'service',
      namespace,
      service: cluster,
      isEgressCluster: true,
    };
  }
  const host = s.destination.service;
  if (host === undefined) return undefined;
  // Outside the cluster: no service namespace (Istio's egress series), or a host that is not a
  // cluster-local FQDN (a ServiceEntry host such as `httpbin.org`, whatever namespace declared it).
  const external = s.destination.serviceNamespace === undefined || !host.endsWith(`.${CLUSTER_DOMAIN}`);
  // An external host (ServiceEntry) sits in its caller's namespace, as in Kiali.
  const namespace = s.destination.serviceNamespace ?? s.source?.namespace ?? 'unknown';
  const name = external ? host : (s.destination.serviceName ?? host.split('.')[0] ?? host);
  return {
    id: `svc:${namespace}:${name}`,
    nodeType: 'service',
    namespace,
    service: name,
    serviceHost: host,
    isServiceEntry: external ? 'MESH_EXTERNAL' : undefined,
  };
}

export interface PathOptions {
  graphType: GraphType;
  injectServiceNodes: boolean;
  /** For service graphs: `namespace/name` of every service node, to draw callers as their service. */
  services: ReadonlySet<string>;
}

/** The caller's node. */
export function sourceOf(s: SeriesIdentity, o: PathOptions): NodeSpec {
  if (s.source === undefined) return UNKNOWN_SOURCE;
  if (o.graphType === 'service' && s.source.app !== undefined) {
    const key = `${s.source.namespace}/${s.source.app}`;
    if (o.services.has(key)) {
      return {
        id: `svc:${s.source.namespace}:${s.source.app}`,
        nodeType: 'service',
        namespace: s.source.namespace,
        service: s.source.app,
      };
    }
    return workloadAs(s.source, 'app');
  }
  return workloadAs(s.source, o.graphType);
}

/**
 * Every node a request goes through: its caller, then its service (when drawn) and the workload it
 * reached. A workload calling its own service in a service graph draws a self-loop: kept, it is real.
 */
export function requestPath(s: SeriesIdentity, o: PathOptions): NodeSpec[] {
  return [sourceOf(s, o), ...destinationPath(s, o)];
}

/** The nodes a request goes through after its caller: its service (when drawn) and the workload it reached. */
export function destinationPath(s: SeriesIdentity, o: PathOptions): NodeSpec[] {
  const svc = serviceNode(s);
  const wl = s.destination.workload;
  if (o.graphType === 'service') {
    if (svc) return [svc];
    return [wl ? workloadAs(wl, 'app') : UNKNOWN_DESTINATION];
  }
  const target = wl ? workloadAs(wl, o.graphType) : undefined;
  // A request that reached no workload (external host, no healthy upstream…) ends at its service.
  if (svc === undefined) return [target ?? UNKNOWN_DESTINATION];
  if (target === undefined) return [svc];
  return o.injectServiceNodes ? [svc, target] : [target];
}

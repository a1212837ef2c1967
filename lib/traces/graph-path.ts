// A trace's path on the service graph: each sidecar hop (a client span and the server span it reached,
// or a server span called from outside the mesh) becomes the request Istio's metrics would have counted,
// mapped to node and edge ids by the graph's own rules (lib/graph/nodes), so an overlay matches the
// graph exactly, whatever its graph type.
import { destinationPath, type PathOptions, sourceOf } from '@/lib/graph/nodes';
import type { RequestSeries, Workload } from '@/lib/graph/series';
import type { GraphType } from '@/lib/graph/types';
import type { Trace } from '@/lib/jaeger/model';
import { CLUSTER_DOMAIN } from '@/lib/mesh-config/labels';
import { buildSpanTree, type SpanNode, type TraceTree } from './span-tree';
import { tagString } from './tags';

/** One request between two sidecars (or into the mesh), as found in a trace. */
export interface TraceHop {
  /** The caller's client span (absent for a request from outside the mesh). */
  clientKey?: string;
  /** The callee's server span (absent when the request reached no workload: UH, UF, timeouts…). */
  serverKey?: string;
  series: RequestSeries;
  error: boolean;
  statusCode?: string;
  responseFlags?: string;
}

export interface GraphPath {
  nodeIds: string[];
  edgeIds: string[];
  /** Edges and nodes (callees) of the hops that failed. */
  errorEdgeIds: string[];
  errorNodeIds: string[];
}

export interface GraphPathOptions {
  graphType: GraphType;
  injectServiceNodes: boolean;
}

const kindOf = (n: SpanNode) => tagString(n.span.tags, 'span.kind');

/** The workload that emitted a span, from Istio's span tags and the process (`service.name` = `<app>.<ns>`). */
export function spanWorkload(node: SpanNode): Workload | undefined {
  const tags = node.span.tags;
  const processTag = (key: string) => tagString(node.process.tags, key);
  const [nameApp, nameNamespace] = node.serviceName.split('.');
  const namespace = tagString(tags, 'istio.namespace') ?? processTag('k8s.namespace.name') ?? nameNamespace;
  const app = tagString(tags, 'istio.canonical_service') ?? processTag('app') ?? nameApp;
  if (!namespace || !app) return undefined;
  const version = tagString(tags, 'istio.canonical_revision') ?? processTag('service.version');
  const known = version && version !== 'latest' && version !== 'unknown' ? version : undefined;
  // Istio's spans do not name the workload; the sidecar's default (`<app>-<version>`) stands for it.
  const workload =
    processTag('k8s.deployment.name') ??
    tagString(tags, 'istio.workload') ??
    (known ? `${app}-${known}` : app);
  return { namespace, workload, app, version: known };
}

/** The destination service of a client span: the FQDN in its upstream cluster (`outbound|9080|v1|<fqdn>`). */
function clientService(node: SpanNode): RequestSeries['destination'] {
  const cluster = tagString(node.span.tags, 'upstream_cluster') ?? '';
  const parts = cluster.split('|');
  // Without a cluster (no route), the operation name `host:port/*` still names the host asked for.
  const host = (parts.length === 4 ? parts[3] : node.span.operationName.split(':')[0]) || undefined;
  return serviceOf(host);
}

function serviceOf(host: string | undefined): RequestSeries['destination'] {
  if (!host) return {};
  const suffix = `.${CLUSTER_DOMAIN}`;
  if (host.endsWith(suffix)) {
    const [name, namespace] = host.slice(0, -suffix.length).split('.');
    return { service: host, serviceName: name, serviceNamespace: namespace };
  }
  return { service: host, serviceName: host };
}

function hopSeries(
  source: Workload | undefined,
  destination: RequestSeries['destination'],
  node: SpanNode,
): RequestSeries {
  return {
    reporter: source ? 'source' : 'destination',
    source,
    destination,
    protocol: 'http',
    code: tagString(node.span.tags, 'http.status_code') ?? '0',
    flags: tagString(node.span.tags, 'response_flags') ?? '-',
    rps: 0,
  };
}

/** Every hop of the trace, in tree order. */
export function traceHops(tree: TraceTree): TraceHop[] {
  const hops: TraceHop[] = [];
  for (const node of tree.nodes) {
    const kind = kindOf(node);
    if (kind === 'client') {
      const destination = clientService(node);
      const source = spanWorkload(node);
      const hop = (server: SpanNode | undefined, error: boolean): TraceHop => ({
        clientKey: node.key,
        serverKey: server?.key,
        series: hopSeries(
          source,
          { ...destination, workload: server ? spanWorkload(server) : undefined },
          server ?? node,
        ),
        error,
        statusCode: tagString((server ?? node).span.tags, 'http.status_code'),
        responseFlags: tagString(node.span.tags, 'response_flags'),
      });
      // One server span per attempt that reached a workload (a retried request has several).
      const servers = node.childKeys
        .map((k) => tree.byKey.get(k))
        .filter((c): c is SpanNode => c !== undefined && kindOf(c) === 'server');
      if (servers.length === 0) hops.push(hop(undefined, node.isError));
      servers.forEach((server, i) => {
        const last = i === servers.length - 1;
        hops.push(hop(server, server.isError || (last && node.isError)));
      });
    } else if (kind === 'server') {
      const parent = node.parentKey === undefined ? undefined : tree.byKey.get(node.parentKey);
      if (parent && kindOf(parent) === 'client') continue; // counted with its client span
      const self = spanWorkload(node);
      // An inbound span is named `<fqdn>:<port>/*`; else the workload's own service stands for it.
      const host = node.span.operationName.split(':')[0];
      const destination = host?.includes('.')
        ? serviceOf(host)
        : self
          ? serviceOf(`${self.app}.${self.namespace}.${CLUSTER_DOMAIN}`)
          : {};
      hops.push({
        serverKey: node.key,
        series: hopSeries(undefined, { ...destination, workload: self }, node),
        error: node.isError,
        statusCode: tagString(node.span.tags, 'http.status_code'),
        responseFlags: tagString(node.span.tags, 'response_flags'),
      });
    }
  }
  return hops;
}

/** The node ids of one hop's path on the graph: caller, then [service,] callee. */
export function hopPath(hop: TraceHop, hops: readonly TraceHop[], options: GraphPathOptions): string[] {
  const services = new Set<string>();
  for (const h of hops) {
    const d = h.series.destination;
    if (d.serviceNamespace && d.serviceName) services.add(`${d.serviceNamespace}/${d.serviceName}`);
  }
  const opts: PathOptions = { ...options, services };
  return [sourceOf(hop.series, opts), ...destinationPath(hop.series, opts)].map((n) => n.id);
}

/** The nodes and edges a trace went through, as ids of the graph of `options.graphType`. */
export function traceToGraphPath(trace: Trace | TraceTree, options: GraphPathOptions): GraphPath {
  const tree = 'nodes' in trace ? trace : buildSpanTree(trace);
  const hops = traceHops(tree);
  const nodeIds = new Set<string>();
  const edgeIds = new Set<string>();
  const errorEdgeIds = new Set<string>();
  const errorNodeIds = new Set<string>();
  for (const hop of hops) {
    const path = hopPath(hop, hops, options);
    path.forEach((id, i) => {
      nodeIds.add(id);
      if (i === 0) return;
      const edge = `${path[i - 1]}->${id}`;
      edgeIds.add(edge);
      if (hop.error) {
        errorEdgeIds.add(edge);
        errorNodeIds.add(id);
      }
    });
  }
  return {
    nodeIds: [...nodeIds],
    edgeIds: [...edgeIds],
    errorEdgeIds: [...errorEdgeIds],
    errorNodeIds: [...errorNodeIds],
  };
}

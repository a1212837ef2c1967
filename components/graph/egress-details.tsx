'use client';
// Egress in the side panels: what an egress cluster or gateway node is, a workload's Sidecar egress scope,
// and on an edge why its traffic was refused (NR, BlackHoleCluster) — in words — and its TLS origination.
import type { EdgeData, NodeData } from '@/lib/graph/types';

const CLUSTER_WORDS: Record<string, string> = {
  PassthroughCluster:
    'Traffic to hosts the service registry does not know, forwarded as-is (outboundTrafficPolicy ALLOW_ANY). The hosts are listed under the response codes.',
  BlackHoleCluster:
    'Traffic to hosts the service registry does not know, refused with 502 NR (outboundTrafficPolicy REGISTRY_ONLY, or outside a Sidecar’s egress hosts).',
};

export function NodeEgress({ node }: { node: NodeData }) {
  const cluster = node.isEgressCluster ? CLUSTER_WORDS[node.service ?? ''] : undefined;
  const scope = node.egressScope;
  if (!cluster && !scope && !node.isEgressGateway) return null;
  return (
    <section aria-label="Egress" data-testid="node-egress" className="space-y-1 text-xs">
      <h3 className="font-semibold text-slate-700 text-sm dark:text-slate-200">Egress</h3>
      {cluster ? <p>{cluster}</p> : null}
      {node.isEgressGateway ? <p>Egress gateway: the mesh’s exit for the hosts routed through it.</p> : null}
      {scope ? (
        <div data-testid="egress-scope">
          <p>
            Sidecar <span className="font-mono">{scope.sidecar}</span> (
            {scope.appliesBy === 'workload'
              ? 'selects this workload'
              : scope.appliesBy === 'namespace'
                ? 'for its namespace'
                : 'mesh-wide'}
            ){scope.outboundTrafficPolicy ? ` · outboundTrafficPolicy ${scope.outboundTrafficPolicy}` : ''}:
            may reach
          </p>
          <ul className="ml-4 list-disc font-mono">
            {scope.hosts.map((h) => (
              <li key={h}>{h}</li>
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  );
}

export function EdgeRefusal({ edge }: { edge: EdgeData }) {
  const origination = edge.tlsOrigination ? (
    <p data-testid="edge-tls-origination" className="text-xs">
      TLS originated by the caller’s proxy toward the external host ({edge.tlsOrigination}
      {edge.tlsOrigination === 'MUTUAL' ? ', with a client certificate' : ''}).
    </p>
  ) : null;
  if (!edge.refusal) return origination;
  return (
    <>
      <p
        role="alert"
        data-testid="edge-refusal"
        className="rounded bg-red-100 px-2 py-1 text-red-900 text-xs dark:bg-red-950 dark:text-red-200"
      >
        {edge.refusal}
      </p>
      {origination}
    </>
  );
}

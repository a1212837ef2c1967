// The demo end to end: `meshlens-agent demo` as a real process tree (control plane, trace store and apps
// in the supervisor's threads, real Prometheus, sidecar and gateway processes, traffic), asserted through
// Prometheus and the Jaeger API.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentProcess, spawnAgent, waitFor } from './support/processes';

const BOUND_MS = 90_000;
/** Start-up includes Prometheus and 11 Node processes on 2 cores. */
const START_MS = 180_000;

/** Every descendant of `pid`, read from /proc (the demo's whole process tree). */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      // The process ended while we read.
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of parentOf) {
      if (parent === p) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function promQuery(
  base: string,
  query: string,
): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await res.json()) as {
    data?: { result?: Array<{ metric: Record<string, string>; value: [number, string] }> };
  };
  return body.data?.result ?? [];
}

describe('npm run demo', () => {
  let demo: AgentProcess;
  let dataDir: string;
  let urls: { prometheus: string; jaeger: string };
  let tree: number[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'meshlens-demo-'));
    demo = spawnAgent(['demo', '--no-dashboard', '--free-ports', '--data-dir', dataDir, '--rps', '20']);
    const out = await waitFor(() => /Meshlens demo is running/.test(demo.output()) && demo.output(), {
      timeoutMs: START_MS,
      what: 'the demo to start',
    }).catch((err: Error) => {
      throw new Error(`${err.message}; its output:\n${demo.output()}`);
    });
    const url = (label: string) => new RegExp(`${label}\\s+(http://\\S+)`).exec(out)?.[1] ?? '';
    urls = { prometheus: url('prometheus'), jaeger: url('jaeger query') };
    tree = descendants(demo.child.pid as number);
  }, START_MS + 30_000);

  afterAll(async () => {
    await demo?.stop(20_000);
    rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  it(
    'reports every Bookinfo edge to Prometheus, from both reporters',
    async () => {
      const edges = [
        ['istio-ingressgateway', 'productpage'],
        ['productpage', 'details'],
        ['productpage', 'reviews'],
        ['reviews', 'ratings'],
      ];
      await waitFor(
        async () => {
          const rows = await promQuery(
            urls.prometheus,
            'sum by (reporter, source_canonical_service, destination_canonical_service) (istio_requests_total)',
          );
          const seen = new Set(
            rows.map(
              (r) =>
                `${r.metric.reporter}:${r.metric.source_canonical_service}->${r.metric.destination_canonical_service}`,
            ),
          );
          return edges.every(([s, d]) => seen.has(`source:${s}->${d}`) && seen.has(`destination:${s}->${d}`));
        },
        { timeoutMs: BOUND_MS, intervalMs: 2_000, what: 'every edge from both reporters' },
      );
      // ratings reaches its external database through the egress gateway, which goes out to it over TLS.
      const viaGateway = await promQuery(
        urls.prometheus,
        'sum by (destination_workload, destination_service) (istio_requests_total{reporter="source", source_canonical_service="ratings", response_code="200"})',
      );
      expect(viaGateway.map((r) => r.metric)).toContainEqual({
        destination_workload: 'istio-egressgateway',
        destination_service: 'istio-egressgateway.istio-system.svc.cluster.local',
      });
      // The gateway's own series arrive with its next scrape, which may come after ratings' did.
      const out = await waitFor(
        async () => {
          const rows = await promQuery(
            urls.prometheus,
            'sum by (destination_service_name, destination_workload) (istio_requests_total{reporter="source", source_canonical_service="istio-egressgateway", response_code="200"})',
          );
          return rows.length > 0 && rows;
        },
        { timeoutMs: 30_000, intervalMs: 1_000, what: "the egress gateway's requests out, in Prometheus" },
      );
      expect(out.map((r) => r.metric)).toContainEqual({
        destination_service_name: 'ratings-db.external.example',
        destination_workload: 'unknown',
      });
      // details' best-effort call to a host no ServiceEntry declares passes through under ALLOW_ANY.
      const passthrough = await promQuery(
        urls.prometheus,
        'sum(istio_requests_total{reporter="source", source_canonical_service="details", destination_service_name="PassthroughCluster"})',
      );
      expect(Number(passthrough[0]?.value[1] ?? 0)).toBeGreaterThan(0);
      // Every hop between sidecars is Istio mTLS with the caller's SPIFFE identity (the CA's certificates).
      const security = await promQuery(
        urls.prometheus,
        'sum by (source_canonical_service, destination_canonical_service, connection_security_policy, source_principal) (istio_requests_total{reporter="destination", source_canonical_service!="unknown"})',
      );
      for (const [s, d] of edges) {
        const row = security.find(
          (r) => r.metric.source_canonical_service === s && r.metric.destination_canonical_service === d,
        );
        expect(row?.metric.connection_security_policy, `${s}->${d}`).toBe('mutual_tls');
        expect(row?.metric.source_principal, `${s}->${d}`).toMatch(
          /^spiffe:\/\/cluster\.local\/ns\/[a-z-]+\/sa\/.+/,
        );
      }
      // The legacy client outside the mesh reaches its PERMISSIVE workload in plaintext, as unknown.
      await waitFor(
        async () =>
          (
            await promQuery(
              urls.prometheus,
              'sum(istio_requests_total{reporter="destination", source_workload="unknown", destination_canonical_service="details", connection_security_policy="none"})',
            )
          ).length > 0,
        { timeoutMs: BOUND_MS, intervalMs: 2_000, what: 'the legacy client plaintext edge' },
      );
    },
    BOUND_MS + 10_000,
  );

  it(
    'carries ratings over gRPC and the store over TCP, with Istio protocol series on both reporters',
    async () => {
      // reviews → ratings: real gRPC calls, request_protocol grpc with their grpc_response_status.
      await waitFor(
        async () => {
          const rows = await promQuery(
            urls.prometheus,
            'sum by (reporter, grpc_response_status) (istio_requests_total{request_protocol="grpc", source_canonical_service="reviews", destination_canonical_service="ratings"})',
          );
          const seen = new Set(rows.map((r) => `${r.metric.reporter}:${r.metric.grpc_response_status}`));
          return seen.has('source:0') && seen.has('destination:0');
        },
        { timeoutMs: BOUND_MS, intervalMs: 2_000, what: 'gRPC series reviews → ratings' },
      );
      // Injected aborts and the server's UNAVAILABLE bursts reach reviews as gRPC status 14, not an HTTP code.
      await waitFor(
        async () =>
          (
            await promQuery(
              urls.prometheus,
              'sum(istio_requests_total{reporter="source", request_protocol="grpc", destination_canonical_service="ratings", grpc_response_status="14", response_code="200"})',
            )
          ).length > 0,
        { timeoutMs: BOUND_MS, intervalMs: 2_000, what: 'gRPC UNAVAILABLE on ratings' },
      );
      const messages = await promQuery(
        urls.prometheus,
        'sum(istio_request_messages_total{destination_canonical_service="ratings"})',
      );
      expect(Number(messages[0]?.value[1] ?? 0)).toBeGreaterThan(0);
      // ratings → mongodb: a TCP connection through both sidecars, over mTLS, bytes counted both ways.
      await waitFor(
        async () => {
          const rows = await promQuery(
            urls.prometheus,
            'sum by (reporter, connection_security_policy) (istio_tcp_sent_bytes_total{request_protocol="tcp", source_canonical_service="ratings", destination_canonical_service="mongodb"})',
          );
          return (
            rows.some((r) => r.metric.reporter === 'source' && Number(r.value[1]) > 0) &&
            rows.some(
              (r) =>
                r.metric.reporter === 'destination' &&
                r.metric.connection_security_policy === 'mutual_tls' &&
                Number(r.value[1]) > 0,
            )
          );
        },
        { timeoutMs: BOUND_MS, intervalMs: 2_000, what: 'TCP bytes ratings → mongodb from both reporters' },
      );
      const opened = await promQuery(
        urls.prometheus,
        'sum(istio_tcp_connections_opened_total{reporter="destination", destination_canonical_service="mongodb"})',
      );
      expect(Number(opened[0]?.value[1] ?? 0)).toBeGreaterThan(0);
    },
    BOUND_MS * 3,
  );

  it(
    'counts retries and ejections caused by the flaky reviews replica',
    async () => {
      await waitFor(
        async () => {
          const retries = await promQuery(
            urls.prometheus,
            'sum(envoy_cluster_upstream_rq_retry{cluster_name=~".*reviews.*"})',
          );
          const ejections = await promQuery(
            urls.prometheus,
            'sum(envoy_cluster_outlier_detection_ejections_enforced_total{cluster_name=~".*reviews.*"})',
          );
          return Number(retries[0]?.value[1] ?? 0) > 0 && Number(ejections[0]?.value[1] ?? 0) > 0;
        },
        { timeoutMs: BOUND_MS, intervalMs: 2_000, what: 'retries and ejections on reviews' },
      );
    },
    BOUND_MS + 10_000,
  );

  it(
    'stores traces across ingress, productpage, reviews and ratings, some of them errors',
    async () => {
      const services = await waitFor(
        async () => {
          const res = await fetch(`${urls.jaeger}/api/services`);
          const names = ((await res.json()) as { data: string[] | null }).data ?? [];
          return (
            ['istio-ingressgateway', 'productpage', 'reviews', 'ratings'].every((s) =>
              names.some((n) => n.startsWith(s)),
            ) && names
          );
        },
        { timeoutMs: BOUND_MS, intervalMs: 1_000, what: 'the mesh services in the trace store' },
      );
      const gateway = services.find((s) => s.startsWith('istio-ingressgateway')) as string;
      type Trace = {
        spans: Array<{ tags: Array<{ key: string; value: unknown }> }>;
        processes: Record<string, { serviceName: string }>;
      };
      // Jaeger matches tags on spans of the searched service: errors are searched where they happen.
      const search = async (tags?: Record<string, string>, service = gateway) => {
        const q = new URLSearchParams({
          service,
          limit: '200',
          ...(tags ? { tags: JSON.stringify(tags) } : {}),
        });
        const res = await fetch(`${urls.jaeger}/api/traces?${q}`);
        return ((await res.json()) as { data: Trace[] }).data;
      };
      const spans = (t: Trace, names: string[]) => {
        const services = Object.values(t.processes).map((p) => p.serviceName);
        return names.every((s) => services.some((n) => n.startsWith(s)));
      };
      const deep = await waitFor(
        async () =>
          (await search()).find((t) =>
            spans(t, ['istio-ingressgateway', 'productpage', 'reviews', 'ratings']),
          ),
        {
          timeoutMs: BOUND_MS,
          intervalMs: 2_000,
          what: 'a trace spanning ingress, productpage, reviews and ratings',
        },
      );
      // The chain: gateway client, productpage server + client, reviews server + client, ratings server + client.
      expect(deep.spans.length).toBeGreaterThanOrEqual(7);
      const failing = await waitFor(
        async () =>
          (
            await search(
              { error: 'true' },
              services.find((s) => s.startsWith('reviews')),
            )
          ).find((t) => spans(t, ['istio-ingressgateway', 'productpage', 'reviews'])),
        {
          timeoutMs: BOUND_MS,
          intervalMs: 2_000,
          what: 'an error trace through ingress, productpage and reviews',
        },
      );
      expect(
        failing.spans.some((s) => s.tags.some((t) => t.key === 'error' && String(t.value) === 'true')),
      ).toBe(true);
    },
    BOUND_MS * 2,
  );

  it('leaves no process behind after Ctrl-C', async () => {
    // Prometheus and ten sidecars (eight workload instances, two gateways) at least.
    expect(tree.length).toBeGreaterThanOrEqual(11);
    demo.child.kill('SIGINT');
    await waitFor(() => demo.child.exitCode !== null || demo.child.signalCode !== null, {
      timeoutMs: 30_000,
      what: 'the demo to exit',
    });
    await waitFor(() => tree.every((pid) => !alive(pid)), {
      timeoutMs: 15_000,
      what: 'every child process to exit',
    });
  }, 60_000);
});

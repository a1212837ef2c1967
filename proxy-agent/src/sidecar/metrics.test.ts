import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ISTIO_BUCKETS, OPENMETRICS_CONTENT_TYPE, prefersOpenMetrics, SidecarMetrics } from './metrics';
import type { RequestRecord, WorkloadIdentity } from './telemetry-types';

const FIXTURES = new URL('../../../fixtures/istio/', import.meta.url);
const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
const CLUSTER = 'outbound|9080|v1|reviews.default.svc.cluster.local';

const productpage: WorkloadIdentity = {
  workload: 'productpage-v1',
  namespace: 'default',
  app: 'productpage',
  version: 'v1',
  canonicalService: 'productpage',
  canonicalRevision: 'v1',
  principal: 'unknown',
};
const reviews: WorkloadIdentity = {
  workload: 'reviews-v1',
  namespace: 'default',
  app: 'reviews',
  version: 'v1',
  canonicalService: 'reviews',
  canonicalRevision: 'v1',
  principal: 'unknown',
};
const unknownWorkload: WorkloadIdentity = {
  workload: 'unknown',
  namespace: 'unknown',
  app: 'unknown',
  version: 'unknown',
  canonicalService: 'unknown',
  canonicalRevision: 'latest',
  principal: 'unknown',
};

function record(overrides: Partial<RequestRecord> = {}): RequestRecord {
  return {
    reporter: 'source',
    source: productpage,
    destination: reviews,
    destinationService: {
      service: 'reviews.default.svc.cluster.local',
      serviceName: 'reviews',
      serviceNamespace: 'default',
    },
    requestProtocol: 'http',
    responseCode: 200,
    responseFlags: '-',
    durationMs: 3,
    requestBytes: 120,
    responseBytes: 700,
    ...overrides,
  };
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  exemplar?: string;
}

/** Parses sample lines of the Prometheus text or OpenMetrics format (enough for these tests). */
function parseSamples(body: string): Sample[] {
  return body
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*?)\})? (\S+)(?: # (.*))?$/.exec(line);
      if (!m) throw new Error(`unparsable line: ${line}`);
      const labels: Record<string, string> = {};
      for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
        labels[k as string] = v as string;
      return { name: m[1] as string, labels, value: Number(m[3]), exemplar: m[4] };
    });
}

function find(samples: Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
}

describe('Istio standard metrics', () => {
  it("uses exactly the label names and buckets of a real Istio sidecar's scrape", async () => {
    const fixture = parseSamples(
      readFileSync(new URL('bookinfo-reviews-v1-inbound-istio-1.11.4.prom', FIXTURES), 'utf8'),
    );
    const metrics = new SidecarMetrics();
    metrics.recordRequest(record({ reporter: 'destination' }));
    const ours = parseSamples((await metrics.render(undefined)).body);

    for (const name of ['istio_requests_total', 'istio_request_duration_milliseconds_count']) {
      const theirs = Object.keys(find(fixture, name)[0]?.labels ?? {}).sort();
      expect(theirs).toHaveLength(25);
      expect(Object.keys(find(ours, name)[0]?.labels ?? {}).sort()).toEqual(theirs);
    }
    for (const histogram of [
      'istio_request_duration_milliseconds',
      'istio_request_bytes',
      'istio_response_bytes',
    ]) {
      const bounds = (samples: Sample[]) => find(samples, `${histogram}_bucket`).map((s) => s.labels.le);
      expect(bounds(ours)).toEqual(bounds(fixture));
      expect(bounds(ours)).toEqual([...ISTIO_BUCKETS.map(String), '+Inf']);
    }
  });

  it('counts a repeated label set into one series, and each histogram cumulatively', async () => {
    const metrics = new SidecarMetrics();
    metrics.recordRequest(record({ durationMs: 0.3, requestBytes: 0, responseBytes: 40 }));
    metrics.recordRequest(record({ durationMs: 7, requestBytes: 0, responseBytes: 40 }));
    // Fresh identity objects with the same values are the same series.
    metrics.recordRequest(
      record({ source: { ...productpage }, destination: { ...reviews }, durationMs: 70000 }),
    );
    const samples = parseSamples((await metrics.render(undefined)).body);

    expect(find(samples, 'istio_requests_total')).toHaveLength(1);
    expect(find(samples, 'istio_requests_total')[0]?.value).toBe(3);
    const bucket = (le: string) =>
      find(samples, 'istio_request_duration_milliseconds_bucket', { le })[0]?.value;
    expect(bucket('0.5')).toBe(1);
    expect(bucket('5')).toBe(1);
    expect(bucket('10')).toBe(2);
    expect(bucket('60000')).toBe(2);
    expect(bucket('300000')).toBe(3);
    expect(bucket('+Inf')).toBe(3);
    expect(find(samples, 'istio_request_duration_milliseconds_sum')[0]?.value).toBeCloseTo(70007.3);
    expect(find(samples, 'istio_request_duration_milliseconds_count')[0]?.value).toBe(3);
    expect(find(samples, 'istio_response_bytes_sum')[0]?.value).toBe(780);
    expect(find(samples, 'istio_request_bytes_bucket', { le: '0.5' })[0]?.value).toBe(2);
  });

  it('keeps different codes, flags and reporters apart', async () => {
    const metrics = new SidecarMetrics();
    metrics.recordRequest(record());
    metrics.recordRequest(record({ responseCode: 503, responseFlags: 'UH', destination: unknownWorkload }));
    metrics.recordRequest(record({ responseCode: 504, responseFlags: 'UT,URX' }));
    metrics.recordRequest(record({ reporter: 'destination' }));
    const samples = parseSamples((await metrics.render(undefined)).body);
    expect(find(samples, 'istio_requests_total')).toHaveLength(4);
    expect(
      find(samples, 'istio_requests_total', { response_code: '504', response_flags: 'UT,URX' }),
    ).toHaveLength(1);
    const uh = find(samples, 'istio_requests_total', { response_flags: 'UH' })[0];
    expect(uh?.labels).toMatchObject({
      response_code: '503',
      destination_workload: 'unknown',
      destination_cluster: 'unknown',
    });
  });

  it('counts alternating label sets apart (the last series a reporter used is only reused for the same one)', async () => {
    const metrics = new SidecarMetrics();
    const a = record();
    // The same identity objects throughout, so that only the field that differs tells the records apart.
    const like = (o: Partial<RequestRecord>) => record({ destinationService: a.destinationService, ...o });
    const sequence = [
      a,
      a,
      like({ responseCode: 503 }),
      a,
      like({ responseFlags: 'UC' }),
      like({ connectionSecurityPolicy: 'mutual_tls' }),
      like({ reporter: 'destination' }),
      like({ requestProtocol: 'grpc', grpcStatus: 0 }),
      a,
    ];
    for (const r of sequence) metrics.recordRequest(r);
    const samples = parseSamples((await metrics.render(undefined)).body);
    const total = (labels: Record<string, string>) =>
      find(samples, 'istio_requests_total', labels).reduce((n, s) => n + s.value, 0);
    expect(
      total({ reporter: 'source', request_protocol: 'http', response_code: '200', response_flags: '-' }),
    ).toBe(5);
    expect(total({ response_code: '503' })).toBe(1);
    expect(total({ response_flags: 'UC' })).toBe(1);
    expect(total({ reporter: 'destination' })).toBe(1);
    expect(total({ request_protocol: 'grpc' })).toBe(1);
    expect(find(samples, 'istio_requests_total')).toHaveLength(6);
  });

  it("writes Istio's values for security policy, gRPC status and clusters", async () => {
    const metrics = new SidecarMetrics({ clusterId: 'east' });
    metrics.recordRequest(record({ reporter: 'source' }));
    metrics.recordRequest(record({ reporter: 'destination' }));
    const samples = parseSamples((await metrics.render(undefined)).body);
    expect(find(samples, 'istio_requests_total', { reporter: 'source' })[0]?.labels).toMatchObject({
      connection_security_policy: 'unknown',
      grpc_response_status: '',
      source_cluster: 'east',
      destination_cluster: 'east',
      request_protocol: 'http',
    });
    expect(find(samples, 'istio_requests_total', { reporter: 'destination' })[0]?.labels).toMatchObject({
      connection_security_policy: 'none',
    });
  });

  it('labels an external service as a real sidecar does (ServiceEntry host, unknown workload)', async () => {
    const fixture = parseSamples(
      readFileSync(new URL('egress-serviceentry-scrape.prom', FIXTURES), 'utf8'),
    )[0];
    const metrics = new SidecarMetrics();
    metrics.recordRequest(
      record({
        destination: { ...unknownWorkload },
        destinationService: {
          service: 'httpbin.org',
          serviceName: 'httpbin.org',
          serviceNamespace: 'unknown',
        },
      }),
    );
    const ours = find(parseSamples((await metrics.render(undefined)).body), 'istio_requests_total')[0];
    for (const label of [
      'destination_workload',
      'destination_workload_namespace',
      'destination_service',
      'destination_service_name',
      'destination_service_namespace',
      'destination_cluster',
      'destination_principal',
      'destination_canonical_revision',
      'connection_security_policy',
      'response_flags',
    ]) {
      expect(ours?.labels[label], label).toBe(fixture?.labels[label]);
    }
  });
});

describe('Envoy cluster stats and endpoint gauges', () => {
  it('exports the cluster stats under Envoy names with the cluster_name label', async () => {
    const metrics = new SidecarMetrics();
    const stats = metrics.cluster(CLUSTER);
    expect(metrics.cluster(CLUSTER)).toBe(stats);
    stats.retry();
    stats.retry();
    stats.retrySuccess();
    stats.retryOverflow();
    stats.retryLimitExceeded();
    stats.pendingOverflow();
    stats.ejectionEnforced();
    stats.setEjectionsActive(1);
    stats.setMembership(2, 3);
    const body = (await metrics.render(undefined)).body;
    const samples = parseSamples(body);
    const value = (name: string) => find(samples, name, { cluster_name: CLUSTER })[0]?.value;
    expect(value('envoy_cluster_upstream_rq_retry')).toBe(2);
    expect(value('envoy_cluster_upstream_rq_retry_success')).toBe(1);
    expect(value('envoy_cluster_upstream_rq_retry_overflow')).toBe(1);
    expect(value('envoy_cluster_upstream_rq_retry_limit_exceeded')).toBe(1);
    expect(value('envoy_cluster_upstream_rq_pending_overflow')).toBe(1);
    expect(value('envoy_cluster_outlier_detection_ejections_enforced_total')).toBe(1);
    expect(value('envoy_cluster_outlier_detection_ejections_active')).toBe(1);
    expect(value('envoy_cluster_membership_healthy')).toBe(2);
    expect(value('envoy_cluster_membership_total')).toBe(3);
    expect(body).toContain('# TYPE envoy_cluster_upstream_rq_retry counter');
    expect(body).toContain('# TYPE envoy_cluster_outlier_detection_ejections_active gauge');
  });

  it('replaces the per-endpoint gauges wholesale', async () => {
    const metrics = new SidecarMetrics();
    const endpoint = { cluster: CLUSTER, healthy: true, ejected: false, timesEjected: 0, activeRequests: 0 };
    metrics.setEndpoints([
      { ...endpoint, address: '127.0.0.1:9001', activeRequests: 4 },
      { ...endpoint, address: '127.0.0.1:9002', ejected: true, healthy: false, timesEjected: 2 },
    ]);
    let samples = parseSamples((await metrics.render(undefined)).body);
    expect(find(samples, 'meshlens_endpoint_active_requests', { endpoint: '127.0.0.1:9001' })[0]?.value).toBe(
      4,
    );
    expect(find(samples, 'meshlens_endpoint_ejected', { endpoint: '127.0.0.1:9002' })[0]?.value).toBe(1);
    expect(find(samples, 'meshlens_endpoint_healthy', { endpoint: '127.0.0.1:9002' })[0]?.value).toBe(0);
    expect(find(samples, 'meshlens_endpoint_times_ejected', { endpoint: '127.0.0.1:9002' })[0]?.value).toBe(
      2,
    );

    metrics.setEndpoints([{ ...endpoint, address: '127.0.0.1:9003' }]);
    samples = parseSamples((await metrics.render(undefined)).body);
    expect(find(samples, 'meshlens_endpoint_healthy').map((s) => s.labels.endpoint)).toEqual([
      '127.0.0.1:9003',
    ]);
    expect(find(samples, 'meshlens_endpoint_healthy')[0]?.labels.cluster_name).toBe(CLUSTER);
  });
});

describe('exposition formats and exemplars', () => {
  async function populated(): Promise<SidecarMetrics> {
    const metrics = new SidecarMetrics();
    metrics.recordRequest(record({ durationMs: 7, traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) }));
    metrics.recordRequest(record({ responseCode: 503, responseFlags: 'UH' }));
    metrics.cluster(CLUSTER).retry();
    metrics.setEndpoints([
      {
        cluster: CLUSTER,
        address: '127.0.0.1:1',
        healthy: true,
        ejected: false,
        timesEjected: 0,
        activeRequests: 0,
      },
    ]);
    return metrics;
  }

  it('answers the Prometheus text format by default, which promtool parses, without exemplars', async () => {
    const { contentType, body } = await (await populated()).render(undefined);
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(body).not.toContain(' # {');
    expect(body).not.toContain('# EOF');
    const promtool = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
    if (promtool.error) throw promtool.error;
    // Exit 3 = lint findings only. Istio's and Envoy's own names break Prometheus naming conventions
    // (milliseconds, counters without _total), so exactly those findings are expected; a parse error exits 1.
    expect(promtool.status, promtool.stderr).toBe(3);
    const findings = `${promtool.stdout}${promtool.stderr}`.trim().split('\n');
    for (const finding of findings) {
      expect(finding).toMatch(
        /^(envoy_cluster_\w+ counter metrics should have "_total" suffix|envoy_cluster_membership_total non-counter metrics should not have "_total" suffix|istio_request_duration_milliseconds use base unit "seconds" instead of "milliseconds")$/,
      );
    }
  });

  it('answers OpenMetrics with trace exemplars when Prometheus asks for it, which Prometheus parses', async () => {
    const { contentType, body } = await (await populated()).render(PROMETHEUS_ACCEPT);
    expect(contentType).toBe(OPENMETRICS_CONTENT_TYPE);
    expect(body.endsWith('# EOF\n')).toBe(true);
    const samples = parseSamples(body);
    const withExemplar = samples.filter((s) => s.exemplar !== undefined);
    expect(withExemplar).toHaveLength(1);
    expect(withExemplar[0]).toMatchObject({
      name: 'istio_request_duration_milliseconds_bucket',
      labels: { le: '10', response_code: '200' },
    });
    expect(withExemplar[0]?.exemplar).toMatch(/^\{trace_id="a{32}",span_id="b{16}"\} 7 \d+(\.\d+)?$/);
    // Series names do not change with the format: Istio's counter, and Envoy's counters without _total.
    expect(find(samples, 'istio_requests_total')).toHaveLength(2);
    expect(find(samples, 'envoy_cluster_upstream_rq_retry')).toHaveLength(1);
    expect(find(samples, 'envoy_cluster_outlier_detection_ejections_enforced_total')).toHaveLength(1);
    expect(body).toContain('# TYPE istio_requests counter');

    // Prometheus' own OpenMetrics parser (via promtool's backfill) must accept it, exemplars included.
    // Backfill needs sample timestamps, so one is inserted before each exemplar.
    const dir = mkdtempSync(join(tmpdir(), 'meshlens-om-'));
    try {
      const stamped = body
        .split('\n')
        .map((line) => {
          if (line === '' || line.startsWith('#')) return line;
          const at = line.indexOf(' # {');
          return at < 0 ? `${line} 1700000000` : `${line.slice(0, at)} 1700000000${line.slice(at)}`;
        })
        .join('\n');
      writeFileSync(join(dir, 'scrape.om'), stamped);
      const promtool = spawnSync(
        'promtool',
        ['tsdb', 'create-blocks-from', 'openmetrics', 'scrape.om', 'blocks'],
        {
          cwd: dir,
          encoding: 'utf8',
        },
      );
      if (promtool.error) throw promtool.error;
      expect(promtool.status, `${promtool.stdout}${promtool.stderr}`).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves either format in any order from the same series', async () => {
    // prom-client renames counters in place when it renders OpenMetrics; the text format must not notice.
    const metrics = await populated();
    for (let i = 0; i < 2; i++) {
      const om = (await metrics.render(PROMETHEUS_ACCEPT)).body;
      const text = (await metrics.render('text/plain')).body;
      expect(om).toContain('# TYPE istio_requests counter');
      expect(text).toContain('# TYPE istio_requests_total counter');
      expect(find(parseSamples(text), 'istio_requests_total')).toHaveLength(2);
      expect(find(parseSamples(om), 'istio_requests_total')).toHaveLength(2);
      expect(text).toContain('# TYPE envoy_cluster_outlier_detection_ejections_enforced_total counter');
    }
    metrics.recordRequest(record());
    const samples = parseSamples((await metrics.render(undefined)).body);
    expect(find(samples, 'istio_requests_total', { response_code: '200' })[0]?.value).toBe(2);
  });

  it('keeps the latest exemplar per bucket and none for unsampled requests', async () => {
    const metrics = new SidecarMetrics();
    metrics.recordRequest(record({ durationMs: 2, traceId: '1'.repeat(32) }));
    metrics.recordRequest(record({ durationMs: 3, traceId: '2'.repeat(32), spanId: '3'.repeat(16) }));
    metrics.recordRequest(record({ durationMs: 4 }));
    const samples = parseSamples((await metrics.render('application/openmetrics-text')).body);
    const exemplars = samples.filter((s) => s.exemplar !== undefined);
    expect(exemplars.map((s) => [s.labels.le, s.exemplar?.split(' ')[0]])).toEqual([
      ['5', `{trace_id="${'2'.repeat(32)}",span_id="${'3'.repeat(16)}"}`],
    ]);
  });

  it('folds label sets past the series cap into one overflow series per reporter, and counts them', async () => {
    const metrics = new SidecarMetrics({ maxSeries: 3 });
    for (let i = 0; i < 50; i++)
      metrics.recordRequest(record({ source: { ...productpage, workload: `caller-${i}` } }));
    metrics.recordRequest(record({ source: { ...productpage, workload: 'caller-1' } }));
    expect(metrics.seriesCount).toBe(4);
    const samples = parseSamples((await metrics.render(undefined)).body);
    const requests = find(samples, 'istio_requests_total');
    expect(requests).toHaveLength(4);
    expect(find(samples, 'istio_requests_total', { source_workload: 'caller-1' })[0]?.value).toBe(2);
    const folded = find(samples, 'istio_requests_total', { source_workload: 'unknown' });
    expect(folded).toHaveLength(1);
    expect(folded[0]?.labels).toMatchObject({ reporter: 'source', destination_workload: 'unknown' });
    expect(folded[0]?.value).toBe(47);
    expect(find(samples, 'meshlens_metric_series_overflow_total')[0]?.value).toBe(47);
    expect(
      find(samples, 'istio_request_duration_milliseconds_count', { source_workload: 'unknown' })[0]?.value,
    ).toBe(47);
  });

  it('labels gRPC calls with request_protocol grpc and their grpc-status, and counts their messages', async () => {
    const metrics = new SidecarMetrics();
    const grpc = { requestProtocol: 'grpc', responseCode: 200 } as const;
    metrics.recordRequest(record({ ...grpc, grpcStatus: 0, requestMessages: 1, responseMessages: 3 }));
    metrics.recordRequest(record({ ...grpc, grpcStatus: 0, requestMessages: 2, responseMessages: 1 }));
    metrics.recordRequest(record({ ...grpc, grpcStatus: 14, requestMessages: 1, responseMessages: 0 }));
    metrics.recordRequest(record());
    const samples = parseSamples((await metrics.render(undefined)).body);
    const ok = { request_protocol: 'grpc', grpc_response_status: '0', response_code: '200' };
    expect(find(samples, 'istio_requests_total', ok)[0]?.value).toBe(2);
    expect(find(samples, 'istio_requests_total', { grpc_response_status: '14' })[0]?.value).toBe(1);
    expect(
      find(samples, 'istio_requests_total', { request_protocol: 'http' })[0]?.labels.grpc_response_status,
    ).toBe('');
    expect(find(samples, 'istio_request_messages_total', ok)[0]?.value).toBe(3);
    expect(find(samples, 'istio_response_messages_total', ok)[0]?.value).toBe(4);
    // Plain HTTP series have no message counters.
    expect(find(samples, 'istio_request_messages_total')).toHaveLength(2);
  });

  it("counts TCP connections and bytes with Istio's TCP label set, under the same series cap", async () => {
    const metrics = new SidecarMetrics({ maxSeries: 2 });
    const tcp = {
      reporter: 'destination',
      source: productpage,
      destination: reviews,
      destinationService: record().destinationService,
      connectionSecurityPolicy: 'mutual_tls',
      responseFlags: '-',
    } as const;
    const c = metrics.tcp(tcp);
    c.opened++;
    c.receivedBytes += 10;
    c.sentBytes += 700;
    c.closed++;
    expect(metrics.tcp({ ...tcp })).toBe(c);
    metrics.recordRequest(record());
    // The cap is reached: a new TCP label set folds into the overflow series.
    metrics.tcp({ ...tcp, source: { ...productpage, workload: 'other' } }).opened++;
    const samples = parseSamples((await metrics.render(undefined)).body);
    const sent = find(samples, 'istio_tcp_sent_bytes_total', { source_workload: 'productpage-v1' })[0];
    expect(sent?.value).toBe(700);
    expect(sent?.labels).toMatchObject({
      reporter: 'destination',
      request_protocol: 'tcp',
      response_flags: '-',
      connection_security_policy: 'mutual_tls',
      destination_service: 'reviews.default.svc.cluster.local',
    });
    expect(sent?.labels).not.toHaveProperty('response_code');
    expect(sent?.labels).not.toHaveProperty('grpc_response_status');
    expect(find(samples, 'istio_tcp_received_bytes_total')[0]?.value).toBe(10);
    expect(find(samples, 'istio_tcp_connections_closed_total')[0]?.value).toBe(1);
    expect(
      find(samples, 'istio_tcp_connections_opened_total', { source_workload: 'unknown' })[0]?.value,
    ).toBe(1);
    expect(find(samples, 'meshlens_metric_series_overflow_total')[0]?.value).toBe(1);
  });

  it('writes a large exposition in many chunks, the same text as in one piece', async () => {
    const metrics = new SidecarMetrics();
    for (let i = 0; i < 300; i++)
      metrics.recordRequest(record({ source: { ...productpage, workload: `caller-${i}` } }));
    const chunks: string[] = [];
    for await (const c of metrics.exposition(undefined).chunks) chunks.push(c);
    expect(chunks.length).toBeGreaterThan(10);
    expect(chunks.join('')).toBe((await metrics.render(undefined)).body);
    expect(find(parseSamples(chunks.join('')), 'istio_requests_total')).toHaveLength(300);
  });

  it.each([
    [undefined, false],
    ['', false],
    ['text/plain', false],
    ['*/*', false],
    [PROMETHEUS_ACCEPT, true],
    ['application/openmetrics-text; version=1.0.0', true],
    ['text/plain;version=0.0.4,application/openmetrics-text;q=0.5', false],
    ['application/openmetrics-text;q=0', false],
  ])('Accept %j prefers OpenMetrics: %s', (accept, expected) => {
    expect(prefersOpenMetrics(accept)).toBe(expected);
  });
});

import { describe, expect, it } from 'vitest';
import { ejectionSeries, endpointStates, foldRequests, parseDrilldownParams } from './drilldown';
import {
  edgeSelection,
  latencyQuery,
  nodeInbound,
  requestsByCodeQuery,
  tcpQueries,
} from './drilldown-queries';
import { parseNodeId } from './node-id';

describe('node ids', () => {
  it('reads back workload, app, versioned app, service and external host nodes', () => {
    expect(parseNodeId('wl:bookinfo:reviews-v1')).toEqual({
      kind: 'workload',
      namespace: 'bookinfo',
      workload: 'reviews-v1',
    });
    expect(parseNodeId('app:bookinfo:reviews:v2')).toEqual({
      kind: 'app',
      namespace: 'bookinfo',
      app: 'reviews',
      version: 'v2',
    });
    expect(parseNodeId('svc:bookinfo:reviews')).toMatchObject({
      host: 'reviews.bookinfo.svc.cluster.local',
      external: false,
    });
    expect(parseNodeId('svc:ext:httpbin.org')).toMatchObject({ host: 'httpbin.org', external: true });
    expect(parseNodeId('unknown')).toEqual({ kind: 'unknown' });
  });

  it('rejects anything that could smuggle PromQL', () => {
    expect(parseNodeId('wl:bookinfo:x"}or{')).toBeUndefined();
    expect(parseNodeId('wl:Bad_NS:x')).toBeUndefined();
    expect(parseNodeId('box:bookinfo:reviews')).toBeUndefined();
    expect(parseNodeId('wl:a:b:c:d')).toBeUndefined();
  });
});

describe('drilldown queries', () => {
  const pp = parseNodeId('app:bookinfo:productpage:v1')!;
  const reviews = parseNodeId('svc:bookinfo:reviews')!;

  it('prefers the caller-reported series for an edge, falling back to the destination-reported ones', () => {
    const q = requestsByCodeQuery(edgeSelection(pp, reviews), '60s');
    expect(q).toBe(
      'sum by (response_code,response_flags,request_protocol,grpc_response_status) (rate(istio_requests_total{reporter="source",source_workload_namespace="bookinfo",source_canonical_service="productpage",source_canonical_revision="v1",destination_service="reviews.bookinfo.svc.cluster.local"}[60s]))' +
        ' or sum by (response_code,response_flags,request_protocol,grpc_response_status) (rate(istio_requests_total{reporter="destination",source_workload_namespace="bookinfo",source_canonical_service="productpage",source_canonical_revision="v1",destination_service="reviews.bookinfo.svc.cluster.local"}[60s]))',
    );
  });

  it("adds outside-mesh traffic (destination-reported, unknown caller) to a node's source-reported inbound", () => {
    const q = requestsByCodeQuery(nodeInbound(reviews), '60s');
    expect(q).toContain(
      'rate(istio_requests_total{reporter="source",destination_service="reviews.bookinfo.svc.cluster.local"}[60s]) or rate(',
    );
    expect(q).toContain(
      '{reporter="destination",destination_service="reviews.bookinfo.svc.cluster.local",source_workload="unknown"}',
    );
  });

  it('takes latency percentiles over 2xx', () => {
    expect(latencyQuery(0.95, nodeInbound(reviews), '60s')).toMatch(
      /^histogram_quantile\(0\.95, sum by \(le\) \(rate\(istio_request_duration_milliseconds_bucket\{reporter="source",destination_service="[^"]+",response_code=~"2\.\."\}/,
    );
  });

  it('validates drilldown parameters', () => {
    expect(parseDrilldownParams('node', new URLSearchParams('id=svc:bookinfo:reviews')).ok).toBe(true);
    expect(parseDrilldownParams('node', new URLSearchParams('id=unknown')).ok).toBe(false);
    expect(
      parseDrilldownParams('edge', new URLSearchParams('source=unknown&target=svc:bookinfo:productpage')).ok,
    ).toBe(true);
    expect(
      parseDrilldownParams('node', new URLSearchParams('id=svc:bookinfo:reviews&host=http://evil')).ok,
    ).toBe(false);
    expect(parseDrilldownParams('node', new URLSearchParams('id=svc:bookinfo:reviews&range=1s')).ok).toBe(
      false,
    );
  });
});

describe('drilldown folding', () => {
  it('sums codes into totals, errors and an error share per timestamp', () => {
    const r = foldRequests([
      {
        labels: { response_code: '200', response_flags: '-' },
        points: [
          [10, 8],
          [20, 9],
        ],
      },
      { labels: { response_code: '503', response_flags: 'UH' }, points: [[10, 2]] },
      { labels: { response_code: '503', response_flags: 'URX' }, points: [[20, 1]] },
    ]);
    expect(r.total).toEqual([
      [10, 10],
      [20, 10],
    ]);
    expect(r.errors).toEqual([
      [10, 2],
      [20, 1],
    ]);
    expect(r.errorRate).toEqual([
      [10, 0.2],
      [20, 0.1],
    ]);
    expect(r.byCode.map((c) => c.name)).toEqual(['200', '503']);
    expect(r.byFlags.map((f) => f.name)).toEqual(['503 UH', '503 URX']);
  });

  it('reports each endpoint as ejected when its last point says so', () => {
    const cluster = 'outbound|9080|v1|reviews.bookinfo.svc.cluster.local';
    const list = endpointStates(
      [
        {
          labels: { cluster_name: cluster, endpoint: '127.0.0.1:9001' },
          points: [
            [1, 0],
            [2, 1],
          ],
        },
        {
          labels: { cluster_name: cluster, endpoint: '127.0.0.1:9002' },
          points: [
            [1, 1],
            [2, 0],
          ],
        },
      ],
      [{ labels: { cluster_name: cluster, endpoint: '127.0.0.1:9001' }, value: 0 }],
      [{ labels: { cluster_name: cluster, endpoint: '127.0.0.1:9001' }, value: 3 }],
      [],
    );
    expect(list).toEqual([
      { endpoint: '127.0.0.1:9001', subset: 'v1', ejected: true, healthy: false, timesEjected: 3 },
      { endpoint: '127.0.0.1:9002', subset: 'v1', ejected: false },
    ]);
  });

  it('merges an endpoint seen in the service cluster and in its subset cluster into one row', () => {
    const all = 'outbound|9080||reviews.bookinfo.svc.cluster.local';
    const v2 = 'outbound|9080|v2|reviews.bookinfo.svc.cluster.local';
    const ep = '127.0.0.1:9002';
    const ejected = [
      {
        labels: { cluster_name: all, endpoint: ep },
        points: [
          [1, 0],
          [2, 0],
        ] as [number, number][],
      },
      {
        labels: { cluster_name: v2, endpoint: ep },
        points: [
          [1, 1],
          [2, 1],
        ] as [number, number][],
      },
    ];
    expect(
      endpointStates(
        ejected,
        [
          { labels: { cluster_name: all, endpoint: ep }, value: 1 },
          { labels: { cluster_name: v2, endpoint: ep }, value: 0 },
        ],
        [
          { labels: { cluster_name: all, endpoint: ep }, value: 1 },
          { labels: { cluster_name: v2, endpoint: ep }, value: 3 },
        ],
        [],
      ),
    ).toEqual([{ endpoint: ep, subset: 'v2', ejected: true, healthy: false, timesEjected: 4 }]);
    expect(ejectionSeries(ejected)).toEqual([
      {
        name: `${ep} (v2)`,
        points: [
          [1, 1],
          [2, 1],
        ],
      },
    ]);
  });
});

describe('drilldown: gRPC statuses and TCP', () => {
  it('names gRPC outcomes by status in words and counts a non-OK status as an error, whatever the HTTP 200', () => {
    const grpc = (status: string, code = '200') => ({
      labels: {
        response_code: code,
        response_flags: '-',
        request_protocol: 'grpc',
        grpc_response_status: status,
      },
      points: [[10, 1]] as [number, number][],
    });
    const r = foldRequests([grpc('0'), grpc('14'), grpc('14', '503')]);
    expect(r.byCode.map((c) => c.name)).toEqual(['0 OK', '14 UNAVAILABLE', '503']);
    expect(r.errors).toEqual([[10, 2]]);
  });

  it('reads TCP throughput and connections for the element, with the reporter rules', () => {
    const store = parseNodeId('app:bookinfo:ratings:v2');
    const mongo = parseNodeId('svc:bookinfo:mongodb');
    if (!store || !mongo) throw new Error('node ids');
    const q = tcpQueries(edgeSelection(store, mongo), '60s');
    expect(q.sent).toContain(
      'istio_tcp_sent_bytes_total{reporter="source",source_workload_namespace="bookinfo"',
    );
    expect(q.received).toContain('istio_tcp_received_bytes_total');
    expect(q.opened).toContain('istio_tcp_connections_opened_total');
    expect(q.closed).toContain('istio_tcp_connections_closed_total');
  });
});

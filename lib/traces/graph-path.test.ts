import { describe, expect, it } from 'vitest';
import { failingRequestOf } from './failing-requests';
import { traceHops, traceToGraphPath } from './graph-path';
import { buildSpanTree } from './span-tree';
import { bookinfoFailingTrace } from './testdata/bookinfo-trace';

const versioned = { graphType: 'versionedApp', injectServiceNodes: true } as const;

describe('traceHops', () => {
  it('pairs each client span with the server span it reached, and counts a root server span as from outside', () => {
    const hops = traceHops(buildSpanTree(bookinfoFailingTrace));
    expect(hops.map((h) => [h.clientKey, h.serverKey, h.error])).toEqual([
      [undefined, 'a000000000000001', false],
      ['a000000000000002', 'a000000000000003', true],
      ['a000000000000004', undefined, true],
    ]);
    expect(hops[2]?.series).toMatchObject({
      source: { namespace: 'default', app: 'reviews', version: 'v2', workload: 'reviews-v2' },
      destination: {
        service: 'ratings.default.svc.cluster.local',
        serviceName: 'ratings',
        serviceNamespace: 'default',
      },
      code: '503',
      flags: 'FI,URX',
    });
  });
});

describe('traceToGraphPath', () => {
  it('answers the ids of the versioned-app graph, service nodes injected', () => {
    expect(traceToGraphPath(bookinfoFailingTrace, versioned)).toEqual({
      nodeIds: [
        'unknown',
        'svc:default:productpage',
        'app:default:productpage:v1',
        'svc:default:reviews',
        'app:default:reviews:v2',
        'svc:default:ratings',
      ],
      edgeIds: [
        'unknown->svc:default:productpage',
        'svc:default:productpage->app:default:productpage:v1',
        'app:default:productpage:v1->svc:default:reviews',
        'svc:default:reviews->app:default:reviews:v2',
        'app:default:reviews:v2->svc:default:ratings',
      ],
      errorEdgeIds: [
        'app:default:productpage:v1->svc:default:reviews',
        'svc:default:reviews->app:default:reviews:v2',
        'app:default:reviews:v2->svc:default:ratings',
      ],
      errorNodeIds: ['svc:default:reviews', 'app:default:reviews:v2', 'svc:default:ratings'],
    });
  });

  it('follows the graph type: workloads, or services only', () => {
    expect(
      traceToGraphPath(bookinfoFailingTrace, { graphType: 'workload', injectServiceNodes: false }).edgeIds,
    ).toEqual([
      'unknown->wl:default:productpage-v1',
      'wl:default:productpage-v1->wl:default:reviews-v2',
      'wl:default:reviews-v2->svc:default:ratings',
    ]);
    expect(
      traceToGraphPath(bookinfoFailingTrace, { graphType: 'service', injectServiceNodes: false }).edgeIds,
    ).toEqual([
      'unknown->svc:default:productpage',
      'svc:default:productpage->svc:default:reviews',
      'svc:default:reviews->svc:default:ratings',
    ]);
  });
});

describe('failingRequestOf', () => {
  it('finds the span that failed on the edge into ratings, with its status code and flags', () => {
    const f = failingRequestOf(
      bookinfoFailingTrace,
      { source: 'app:default:reviews:v2', target: 'svc:default:ratings' },
      versioned,
    );
    expect(f?.failingSpan).toEqual({
      spanID: 'a000000000000004',
      serviceName: 'reviews.default',
      operationName: 'ratings.default.svc.cluster.local:9080/*',
      statusCode: 503,
      responseFlags: 'FI,URX',
    });
    expect(f?.errorCount).toBe(3);
  });

  it("carries the failing span's gRPC status (a gRPC hop fails with HTTP 200)", () => {
    const trace = {
      ...bookinfoFailingTrace,
      spans: bookinfoFailingTrace.spans.map((sp) =>
        sp.spanID === 'a000000000000004'
          ? { ...sp, tags: [...sp.tags, { key: 'rpc.grpc.status_code', type: 'int64' as const, value: 14 }] }
          : sp,
      ),
    };
    const edge = { source: 'app:default:reviews:v2', target: 'svc:default:ratings' };
    expect(failingRequestOf(trace, edge, versioned)?.failingSpan?.grpcStatus).toBe(14);
    expect(failingRequestOf(bookinfoFailingTrace, edge, versioned)?.failingSpan?.grpcStatus).toBeUndefined();
  });

  it('matches a node by any error hop through it, an app box by its versions, and nothing elsewhere', () => {
    expect(
      failingRequestOf(bookinfoFailingTrace, { node: 'svc:default:ratings' }, versioned)?.failingSpan?.spanID,
    ).toBe('a000000000000004');
    expect(failingRequestOf(bookinfoFailingTrace, { node: 'box:default:reviews' }, versioned)).toBeDefined();
    expect(
      failingRequestOf(bookinfoFailingTrace, { node: 'app:default:details:v1' }, versioned),
    ).toBeUndefined();
    expect(
      failingRequestOf(
        bookinfoFailingTrace,
        { source: 'unknown', target: 'svc:default:productpage' },
        versioned,
      ),
    ).toBeUndefined();
  });
});

describe('a retried request', () => {
  it('makes one hop per attempt that reached a workload, the failed attempt failing', () => {
    const retried = structuredClone(bookinfoFailingTrace);
    const firstTry = structuredClone(retried.spans[2]!);
    firstTry.spanID = 'a0000000000000f1';
    firstTry.startTime -= 100;
    firstTry.duration = 50;
    retried.spans.push(firstTry);
    // The retry succeeded: the client span and the second attempt's server span are fine.
    retried.spans[1]!.tags = retried.spans[1]!.tags.filter((t) => t.key !== 'error');
    retried.spans[2]!.tags = retried.spans[2]!.tags.filter((t) => t.key !== 'error');
    const hops = traceHops(buildSpanTree(retried)).filter((h) => h.clientKey === 'a000000000000002');
    expect(hops.map((h) => [h.serverKey, h.error])).toEqual([
      ['a0000000000000f1', true],
      ['a000000000000003', false],
    ]);
  });
});

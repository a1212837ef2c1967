import { describe, expect, it } from 'vitest';
import { exemplarQuery, parseExemplars } from './exemplars';

const q = (query: string) => exemplarQuery(new URLSearchParams(query), 1_700_000_000);

describe('exemplarQuery', () => {
  it("selects an edge's requests by caller and callee, over the last 10 minutes by default", () => {
    expect(q('source=app:default:reviews:v2&target=svc:default:ratings')).toEqual({
      ok: true,
      query:
        'istio_request_duration_milliseconds_bucket{source_canonical_service="reviews",source_workload_namespace="default",source_canonical_revision="v2",destination_service_name="ratings",destination_service_namespace="default"}',
      start: 1_700_000_000 - 600,
      end: 1_700_000_000,
    });
  });

  it("selects a node's inbound requests; an app box stands for all its versions", () => {
    const r = q('node=box:default:reviews&duration=300');
    expect(r).toMatchObject({
      ok: true,
      query:
        'istio_request_duration_milliseconds_bucket{destination_canonical_service="reviews",destination_workload_namespace="default"}',
      start: 1_700_000_000 - 300,
    });
    expect(q('node=svc:default:httpbin.org')).toMatchObject({
      query: 'istio_request_duration_milliseconds_bucket{destination_service="httpbin.org"}',
    });
  });

  it('refuses anything that is not a graph node id, so nothing reaches PromQL unchecked', () => {
    expect(q('node=app:default:x"}or vector(1)')).toEqual({
      ok: false,
      error: 'not a graph node id: app:default:x"}or vector(1)',
    });
    expect(q('source=app:default:a:v1')).toMatchObject({ ok: false });
    expect(q('node=unknown&source=unknown&target=unknown')).toMatchObject({ ok: false });
    expect(q('node=app:default:a&start=100&end=50')).toEqual({
      ok: false,
      error: 'start must be before end',
    });
  });
});

describe('parseExemplars', () => {
  const series = (reporter: string, traceId: string, value: string, ts: number) => ({
    seriesLabels: {
      __name__: 'istio_request_duration_milliseconds_bucket',
      reporter,
      source_canonical_service: 'reviews',
      destination_canonical_service: 'ratings',
      response_code: '503',
      le: '25',
    },
    exemplars: [{ labels: { trace_id: traceId, span_id: 'b7ad6b7169203331' }, value, timestamp: ts }],
  });

  it("reads Prometheus' answer into points, one per trace, the caller's observation preferred", () => {
    const points = parseExemplars({
      status: 'success',
      data: [
        series('destination', 'aaa', '12.5', 1_700_000_010.5),
        series('source', 'aaa', '14', 1_700_000_010.6),
        series('source', 'bbb', '3', 1_700_000_001),
      ],
    });
    expect(points).toEqual([
      {
        traceId: 'bbb',
        spanId: 'b7ad6b7169203331',
        timeMs: 1_700_000_001_000,
        valueMs: 3,
        le: '25',
        source: 'reviews',
        destination: 'ratings',
        responseCode: '503',
      },
      {
        traceId: 'aaa',
        spanId: 'b7ad6b7169203331',
        timeMs: 1_700_000_010_600,
        valueMs: 14,
        le: '25',
        source: 'reviews',
        destination: 'ratings',
        responseCode: '503',
      },
    ]);
  });

  it('answers undefined for something that is not an exemplar answer', () => {
    expect(parseExemplars({ status: 'error', error: 'x' })).toBeUndefined();
    expect(parseExemplars({ status: 'success', data: [] })).toEqual([]);
  });
});

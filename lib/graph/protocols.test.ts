import { describe, expect, it } from 'vitest';
import { describeCode } from './response-flags';
import { assembleSamples, BOOKINFO, requestSample } from './test-samples';

const { reviewsV1, ratings, RATINGS } = BOOKINFO;
const store = { ns: 'bookinfo', wl: 'mongodb-v1', app: 'mongodb', version: 'v1' };
const STORE = 'mongodb.bookinfo.svc.cluster.local';

function graphOf(samples: ReturnType<typeof requestSample>[]) {
  return assembleSamples({
    graphType: 'versionedApp',
    injectServiceNodes: true,
    namespaces: [],
    requests: samples,
  });
}

describe('gRPC on the graph (Kiali’s rules)', () => {
  const grpc = (rps: number, grpcStatus: string, code = '200') =>
    requestSample({
      reporter: 'source',
      from: reviewsV1,
      to: ratings,
      service: RATINGS,
      rps,
      protocol: 'grpc',
      code,
      grpcStatus,
    });

  it('counts errors by grpc_response_status, not by the HTTP 200 they ride on, and keys responses by status', () => {
    const g = graphOf([grpc(8, '0'), grpc(2, '14')]);
    const e = g.edges.find((x) => x.id === 'app:bookinfo:reviews:v1->svc:bookinfo:ratings');
    expect(e?.protocol).toBe('grpc');
    expect(e?.errorRate).toBe(0.2);
    expect(e?.health).toBe('failure');
    expect(e?.traffic.rates).toEqual({
      grpc: 10,
      grpcErr: 2,
      grpcNoResponse: 0,
      grpcPercentErr: 20,
      grpcPercentReq: 100,
    });
    expect(Object.keys(e?.traffic.responses ?? {})).toEqual(['0', '14']);
    expect(describeCode('14', 'grpc')).toBe('UNAVAILABLE (gRPC error)');
    expect(describeCode('0', 'grpc')).toBe('OK');
    // An HTTP element's 0 is still "no response".
    expect(describeCode('0')).toBe('no response');
    const node = g.nodes.find((n) => n.id === 'app:bookinfo:ratings:v1');
    expect(node?.traffic?.[0]).toEqual({
      protocol: 'grpc',
      rates: { grpcIn: 10, grpcInErr: 2, grpcInNoResponse: 0, grpcOut: 0 },
    });
  });

  it('keys an HTTP 5xx on a gRPC call by the HTTP code, and no response as `-`', () => {
    const g = graphOf([grpc(1, '14', '503'), grpc(1, '', '0')]);
    const e = g.edges.find((x) => x.id === 'app:bookinfo:reviews:v1->svc:bookinfo:ratings');
    expect(Object.keys(e?.traffic.responses ?? {}).sort()).toEqual(['-', '503']);
  });
});

describe('TCP on the graph', () => {
  const tcp = (reporter: 'source' | 'destination', bytes: number) => ({
    ...requestSample({ reporter, from: ratings, to: store, service: STORE, rps: bytes, protocol: 'tcp' }),
  });

  it('draws a TCP edge in bytes/s, apart from the request rates, neither an error nor idle-by-error', () => {
    const http = requestSample({
      reporter: 'source',
      from: reviewsV1,
      to: ratings,
      service: RATINGS,
      rps: 4,
    });
    const g = graphOf([http, tcp('source', 2048), tcp('destination', 2048)]);
    const e = g.edges.find((x) => x.id === 'app:bookinfo:ratings:v1->svc:bookinfo:mongodb');
    expect(e).toMatchObject({ protocol: 'tcp', tcp: 2048, rps: 0, errorRate: 0 });
    expect(e?.traffic.rates).toEqual({ tcp: 2048 });
    // The caller's request rates know nothing of the bytes; its TCP rates do.
    const caller = g.nodes.find((n) => n.id === 'app:bookinfo:ratings:v1');
    expect(caller?.rpsOut).toBe(0);
    expect(caller?.rpsIn).toBe(4);
    expect(caller?.traffic?.[1]).toEqual({ protocol: 'tcp', rates: { tcpIn: 0, tcpOut: 2048 } });
    const db = g.nodes.find((n) => n.id === 'app:bookinfo:mongodb:v1');
    expect(db?.traffic).toEqual([{ protocol: 'tcp', rates: { tcpIn: 2048, tcpOut: 0 } }]);
    expect(db?.errorRate).toBe(0);
  });
});

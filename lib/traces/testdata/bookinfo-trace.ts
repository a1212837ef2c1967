// A Bookinfo request as the Meshlens sidecars trace it (Istio's span tags, `<app>.<ns>` service names):
// productpage → reviews-v2 → ratings, where the call to ratings is aborted by fault injection on each of
// its two tries (FI) and the retries are exhausted (URX).
import type { KeyValue, Log, Span, Trace } from '@/lib/jaeger/model';

const T = 1_700_000_000_000_000;
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const s = (key: string, value: string): KeyValue => ({ key, type: 'string', value });
const n = (key: string, value: number): KeyValue => ({ key, type: 'int64', value });

function span(
  id: string,
  parent: string | undefined,
  pid: string,
  op: string,
  start: number,
  duration: number,
  tags: KeyValue[],
  logs: Log[] = [],
): Span {
  return {
    traceID: TRACE,
    spanID: id,
    operationName: op,
    references: parent ? [{ refType: 'CHILD_OF', traceID: TRACE, spanID: parent }] : [],
    startTime: T + start,
    duration,
    tags,
    logs,
    processID: pid,
    warnings: null,
  };
}

const identity = (app: string, version: string) => [
  s('component', 'proxy'),
  s('istio.namespace', 'default'),
  s('istio.canonical_service', app),
  s('istio.canonical_revision', version),
];

const attempt = (i: number, at: number): Log => ({
  timestamp: T + at,
  fields: [
    s('event', 'attempt'),
    n('attempt', i),
    s('endpoint', '127.0.0.1:9301'),
    n('http.status_code', 503),
    s('response_flags', 'FI'),
    { key: 'duration_ms', type: 'float64', value: 0.2 },
    { key: 'retry', type: 'bool', value: i > 1 },
  ],
});

export const bookinfoFailingTrace: Trace = {
  traceID: TRACE,
  processes: {
    p1: { serviceName: 'productpage.default', tags: [s('service.version', 'v1')] },
    p2: { serviceName: 'reviews.default', tags: [s('service.version', 'v2')] },
  },
  warnings: null,
  spans: [
    span('a000000000000001', undefined, 'p1', 'productpage.default.svc.cluster.local:9080/*', 0, 9000, [
      ...identity('productpage', 'v1'),
      s('span.kind', 'server'),
      n('http.status_code', 200),
      s('response_flags', '-'),
    ]),
    span(
      'a000000000000002',
      'a000000000000001',
      'p1',
      'reviews.default.svc.cluster.local:9080/*',
      1000,
      7000,
      [
        ...identity('productpage', 'v1'),
        s('span.kind', 'client'),
        s('upstream_cluster', 'outbound|9080|v2|reviews.default.svc.cluster.local'),
        n('http.status_code', 500),
        s('response_flags', '-'),
        { key: 'error', type: 'bool', value: true },
      ],
    ),
    span(
      'a000000000000003',
      'a000000000000002',
      'p2',
      'reviews.default.svc.cluster.local:9080/*',
      1200,
      6600,
      [
        ...identity('reviews', 'v2'),
        s('span.kind', 'server'),
        n('http.status_code', 500),
        s('response_flags', '-'),
        { key: 'error', type: 'bool', value: true },
      ],
    ),
    span(
      'a000000000000004',
      'a000000000000003',
      'p2',
      'ratings.default.svc.cluster.local:9080/*',
      2000,
      3000,
      [
        ...identity('reviews', 'v2'),
        s('span.kind', 'client'),
        s('upstream_cluster', 'outbound|9080|v1|ratings.default.svc.cluster.local'),
        n('http.status_code', 503),
        s('response_flags', 'FI,URX'),
        { key: 'error', type: 'bool', value: true },
      ],
      [attempt(1, 2100), attempt(2, 4000)],
    ),
  ],
};

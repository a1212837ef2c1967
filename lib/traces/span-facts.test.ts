import { describe, expect, it } from 'vitest';
import type { KeyValue, Log } from '@/lib/jaeger/model';
import { attemptsOf, flagsInWords, grpcStatusInWords, grpcStatusOf, hopFacts } from './span-facts';

const s = (key: string, value: string): KeyValue => ({ key, type: 'string', value });
const i = (key: string, value: number | string): KeyValue => ({ key, type: 'int64', value });

const attempt = (n: number, code: number, flags: string, endpoint: string, at: number): Log => ({
  timestamp: at,
  fields: [
    s('event', 'retry_attempt'),
    i('attempt', n),
    s('endpoint', endpoint),
    i('http.status_code', String(code)),
    s('response_flags', flags),
    { key: 'duration_ms', type: 'float64', value: 12.5 },
  ],
});

describe('hopFacts', () => {
  it("reads a failed client hop: status, flags in words, cluster, peer, attempts and each attempt's endpoint", () => {
    const facts = hopFacts({
      tags: [
        s('span.kind', 'client'),
        s('http.method', 'GET'),
        i('http.status_code', 503),
        s('response_flags', 'UF,URX'),
        s('upstream_cluster', 'outbound|9080|v1|ratings.default.svc.cluster.local'),
        s('peer.address', '127.0.0.1:41234'),
      ],
      logs: [attempt(2, 503, 'UF', '127.0.0.1:9102', 20), attempt(1, 503, 'UF', '127.0.0.1:9101', 10)],
    });
    expect(facts).toMatchObject({
      kind: 'client',
      method: 'GET',
      statusCode: 503,
      peerAddress: '127.0.0.1:41234',
    });
    expect(facts.responseFlags?.map((f) => f.flag)).toEqual(['UF', 'URX']);
    expect(facts.responseFlags?.[1]?.meaning).toMatch(/retr/);
    expect(
      facts.attempts.map((a) => [a.attempt, a.endpoint, a.statusCode, a.responseFlags, a.durationMs]),
    ).toEqual([
      [1, '127.0.0.1:9101', 503, 'UF', 12.5],
      [2, '127.0.0.1:9102', 503, 'UF', 12.5],
    ]);
  });

  it('ignores logs that are not attempts, and `-` flags', () => {
    expect(attemptsOf({ logs: [{ timestamp: 1, fields: [s('event', 'test-event')] }] })).toEqual([]);
    expect(flagsInWords('-')).toBeUndefined();
    expect(hopFacts({ tags: [s('response_flags', '-')], logs: [] }).responseFlags).toBeUndefined();
  });

  it("reads a gRPC hop's status from OpenTelemetry's or Envoy's tag, in words; nothing else is one", () => {
    const otel = hopFacts({ tags: [i('http.status_code', 200), i('rpc.grpc.status_code', 14)], logs: [] });
    expect(otel.statusCode).toBe(200);
    expect(otel.grpcStatus).toEqual({ code: 14, name: 'UNAVAILABLE' });
    expect(grpcStatusInWords({ code: 14, name: 'UNAVAILABLE' })).toBe('UNAVAILABLE (gRPC 14)');
    expect(grpcStatusOf([s('grpc.status_code', '4')])).toEqual({ code: 4, name: 'DEADLINE_EXCEEDED' });
    expect(grpcStatusOf([s('grpc.status_code', '0')])).toEqual({ code: 0, name: 'OK' });
    expect(grpcStatusOf([s('grpc.status_code', '503')])).toBeUndefined();
    expect(grpcStatusOf([s('grpc.status_code', '17')])).toBeUndefined();
    expect(hopFacts({ tags: [i('http.status_code', 503)], logs: [] }).grpcStatus).toBeUndefined();
  });
});

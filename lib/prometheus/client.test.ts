import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PROMETHEUS_URL,
  isLoopback,
  prometheusUrlFromEnv,
  promFloat,
  samplesOfAnswer,
  toPromError,
} from './client';

describe('Prometheus client configuration and errors', () => {
  it('takes its URL from PROMETHEUS_URL only, http(s) only', () => {
    expect(prometheusUrlFromEnv({})).toBe(DEFAULT_PROMETHEUS_URL);
    expect(prometheusUrlFromEnv({ PROMETHEUS_URL: 'http://prom:9090/' })).toBe('http://prom:9090');
    expect(() => prometheusUrlFromEnv({ PROMETHEUS_URL: 'file:///etc/passwd' })).toThrow(/must be http/);
  });

  it('turns driver failures into typed errors', () => {
    const base = 'http://127.0.0.1:9090';
    expect(toPromError({ errorType: 'network_error', error: 'connect ECONNREFUSED' }, base)).toEqual({
      code: 'prometheus_unavailable',
      message: `Prometheus at ${base} is unreachable: connect ECONNREFUSED`,
    });
    expect(toPromError({ errorType: 'timeout_error' }, base).code).toBe('prometheus_timeout');
    expect(
      toPromError({ errorType: 'http_error', httpStatus: 400, error: 'parse error' }, base),
    ).toMatchObject({
      code: 'prometheus_query_error',
      status: 400,
    });
    expect(toPromError({ errorType: 'http_error', httpStatus: 503 }, base).code).toBe(
      'prometheus_unavailable',
    );
  });
});

describe('instant answers', () => {
  it('reads a vector answer as samples, with Prometheus special floats', () => {
    const samples = samplesOfAnswer({
      status: 'success',
      data: {
        resultType: 'vector',
        result: [
          { metric: { a: '1' }, value: [1, '2.5'] },
          { metric: { a: '2' }, value: [1, '+Inf'] },
          { metric: { a: '3' }, value: [1, 'NaN'] },
        ],
      },
    });
    expect(samples.map((s) => s.labels.a)).toEqual(['1', '2', '3']);
    expect(samples[0]?.value).toBe(2.5);
    expect(samples[1]?.value).toBe(Number.POSITIVE_INFINITY);
    expect(samples[2]?.value).toBeNaN();
    expect(promFloat('-Inf')).toBe(Number.NEGATIVE_INFINITY);
  });

  it('has no samples for scalar answers', () => {
    expect(samplesOfAnswer({ status: 'success', data: { resultType: 'scalar', result: [1, '3'] } })).toEqual(
      [],
    );
  });
});

describe('isLoopback', () => {
  it('tells this machine from others', () => {
    expect(isLoopback('http://127.0.0.1:9090')).toBe(true);
    expect(isLoopback('http://localhost:9090/prom')).toBe(true);
    expect(isLoopback('http://[::1]:9090')).toBe(true);
    expect(isLoopback('https://prometheus.monitoring.svc:9090')).toBe(false);
    expect(isLoopback('http://127.0.0.1.example.com')).toBe(false);
  });
});

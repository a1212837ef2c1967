import { describe, expect, it } from 'vitest';
import { BACKOFF_CAP_MS, backoffMs, compileRetryPolicy, ISTIO_DEFAULT_RETRY, isRetriable } from './retry';

const response = (status: number) => ({ kind: 'response', status }) as const;

describe('compileRetryPolicy', () => {
  it("uses Istio's default policy when a route sets no retries", () => {
    const p = compileRetryPolicy(undefined);
    expect(p).toBe(ISTIO_DEFAULT_RETRY);
    expect(p.retries).toBe(2);
    expect(isRetriable(p, response(503))).toBe(true);
    expect(isRetriable(p, response(500))).toBe(false);
    expect(isRetriable(p, { kind: 'connect-failure' })).toBe(true);
    expect(isRetriable(p, { kind: 'reset' })).toBe(false);
  });

  it('reads attempts, perTryTimeout and retryOn, bare codes as retriable status codes', () => {
    const p = compileRetryPolicy({ attempts: 3, perTryTimeout: '250ms', retryOn: 'gateway-error,409,reset' });
    expect(p.retries).toBe(3);
    expect(p.perTryTimeoutMs).toBe(250);
    expect(isRetriable(p, response(502))).toBe(true);
    expect(isRetriable(p, response(500))).toBe(false);
    expect(isRetriable(p, response(409))).toBe(true);
    expect(isRetriable(p, { kind: 'reset' })).toBe(true);
    expect(isRetriable(p, { kind: 'per-try-timeout' })).toBe(true);
  });

  it('keeps the default conditions when only attempts are given', () => {
    const p = compileRetryPolicy({ attempts: 5 });
    expect(p.retries).toBe(5);
    expect(isRetriable(p, response(503))).toBe(true);
  });
});

describe('isRetriable', () => {
  it('5xx covers every 5xx and failures without a response', () => {
    const p = compileRetryPolicy({ attempts: 1, retryOn: '5xx' });
    expect(isRetriable(p, response(500))).toBe(true);
    expect(isRetriable(p, response(404))).toBe(false);
    expect(isRetriable(p, { kind: 'connect-failure' })).toBe(true);
    expect(isRetriable(p, { kind: 'reset' })).toBe(true);
    expect(isRetriable(p, { kind: 'per-try-timeout' })).toBe(true);
  });

  it('retriable-4xx is 409 only; connect-failure alone does not retry a 503', () => {
    const p = compileRetryPolicy({ attempts: 1, retryOn: 'retriable-4xx,connect-failure' });
    expect(isRetriable(p, response(409))).toBe(true);
    expect(isRetriable(p, response(429))).toBe(false);
    expect(isRetriable(p, response(503))).toBe(false);
    expect(isRetriable(p, { kind: 'connect-failure' })).toBe(true);
  });
});

describe('backoffMs', () => {
  it('is full jitter under an exponential ceiling: 25, 50, 100, 200, then capped at 250 ms', () => {
    expect([1, 2, 3, 4, 5, 9].map((n) => backoffMs(n, 0.999999))).toEqual([24, 49, 99, 199, 249, 249]);
    for (let n = 1; n < 10; n++) {
      expect(backoffMs(n, 0)).toBe(0);
      expect(backoffMs(n, 0.5)).toBeLessThan(BACKOFF_CAP_MS);
    }
  });
});

describe('gRPC retry conditions', () => {
  it('retries the gRPC statuses retryOn names, and only those', () => {
    const p = compileRetryPolicy({ attempts: 2, retryOn: 'unavailable,internal' });
    expect(isRetriable(p, { kind: 'response', status: 200, grpcStatus: 14 })).toBe(true);
    expect(isRetriable(p, { kind: 'response', status: 200, grpcStatus: 13 })).toBe(true);
    expect(isRetriable(p, { kind: 'response', status: 200, grpcStatus: 4 })).toBe(false);
    expect(isRetriable(p, { kind: 'response', status: 200, grpcStatus: 0 })).toBe(false);
    expect(isRetriable(p, { kind: 'response', status: 200 })).toBe(false);
    const all = compileRetryPolicy({
      attempts: 1,
      retryOn: 'cancelled,deadline-exceeded,resource-exhausted',
    });
    for (const g of [1, 4, 8])
      expect(isRetriable(all, { kind: 'response', status: 200, grpcStatus: g })).toBe(true);
  });
});

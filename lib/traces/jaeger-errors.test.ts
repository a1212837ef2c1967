import { describe, expect, it } from 'vitest';
import { jaegerApiError } from './jaeger-errors';

describe('jaegerApiError', () => {
  it('says Jaeger is unavailable when it does not answer or its gateway says so', () => {
    expect(jaegerApiError({ kind: 'unavailable', message: 'Jaeger at x is unreachable' })).toEqual({
      code: 'jaeger_unavailable',
      message: 'Jaeger at x is unreachable',
    });
    expect(jaegerApiError({ kind: 'server_error', message: 'bad gateway', status: 502 }).code).toBe(
      'jaeger_unavailable',
    );
  });

  it('tells an unknown trace from a failing Jaeger', () => {
    expect(jaegerApiError({ kind: 'not_found', message: 'trace not found', status: 404 }).code).toBe(
      'trace_not_found',
    );
    expect(jaegerApiError({ kind: 'bad_answer', message: 'not JSON', status: 200 })).toEqual({
      code: 'jaeger_error',
      message: 'Jaeger failed (bad_answer): not JSON',
    });
  });
});

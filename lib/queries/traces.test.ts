import { describe, expect, it } from 'vitest';
import { ApiFailure, UNREACHABLE } from './fetch-json';
import { retryTraceRead, TRACE_NOT_FOUND_RETRIES, traceRetryDelay } from './traces';

describe('reading a trace by id', () => {
  it('reads a trace not found yet again a few times (it may still be arriving), then gives up', () => {
    const notFound = new ApiFailure('trace_not_found', 'trace not found', 404);
    for (let count = 0; count < TRACE_NOT_FOUND_RETRIES; count++)
      expect(retryTraceRead(count, notFound)).toBe(true);
    expect(retryTraceRead(TRACE_NOT_FOUND_RETRIES, notFound)).toBe(false);
    const waits = Array.from({ length: TRACE_NOT_FOUND_RETRIES }, (_, i) => traceRetryDelay(i));
    expect(waits.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(10_000);
  });

  it('shows a backend that is down at once, and retries a request that got no answer once', () => {
    expect(retryTraceRead(0, new ApiFailure('jaeger_unavailable', 'down', 503))).toBe(false);
    expect(retryTraceRead(0, new ApiFailure('bad_trace_id', 'not an id', 400))).toBe(false);
    expect(retryTraceRead(0, new ApiFailure(UNREACHABLE, 'no answer', 0))).toBe(true);
    expect(retryTraceRead(1, new ApiFailure(UNREACHABLE, 'no answer', 0))).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { DEFAULT_TRACE_LOOKBACK_MS, parseDependencyParams, parseSearchParams } from './query-params';

const NOW_MS = 1_700_000_000_000;
const parse = (qs: string) => parseSearchParams(new URLSearchParams(qs), NOW_MS);

describe('Jaeger /api/traces parameters', () => {
  it('reads service, operation, tags (JSON and key:value), µs times, Go durations and limit', () => {
    const r = parse(
      'service=web&operation=GET%20%2F&tags=%7B%22error%22%3A%22true%22%7D&tag=http.url:http://x&start=10&end=20&minDuration=1.2s&maxDuration=2s&limit=5&lookback=1h',
    );
    expect(r).toEqual({
      ok: true,
      value: {
        traceIDs: [],
        query: {
          serviceName: 'web',
          operationName: 'GET /',
          tags: { error: 'true', 'http.url': 'http://x' },
          startTimeMin: 10,
          startTimeMax: 20,
          durationMinNs: 1.2e9,
          durationMaxNs: 2e9,
          limit: 5,
        },
      },
    });
  });

  it('defaults to the last two days, limit 100, no duration bounds', () => {
    const r = parse('service=web');
    expect(r.ok && r.value.query).toMatchObject({
      startTimeMin: (NOW_MS - DEFAULT_TRACE_LOOKBACK_MS) * 1000,
      startTimeMax: NOW_MS * 1000,
      limit: 100,
      durationMinNs: undefined,
      durationMaxNs: undefined,
    });
  });

  it('answers Jaeger messages for bad parameters', () => {
    expect(parse('')).toEqual({ ok: false, error: "parameter 'service' is required" });
    expect(parse('service=a&minDuration=fast')).toEqual({
      ok: false,
      error: `unable to parse param 'minDuration': time: invalid duration "fast"`,
    });
    expect(parse('service=a&minDuration=2s&maxDuration=1s')).toEqual({
      ok: false,
      error: "'maxDuration' should be greater than 'minDuration'",
    });
    expect(parse('service=a&tag=novalue')).toEqual({
      ok: false,
      error: "malformed 'tag' parameter, expecting key:value, received: novalue",
    });
    expect(parse('service=a&tags={bad').ok).toBe(false);
    expect(parse('service=a&start=yesterday').ok).toBe(false);
  });

  it('takes traceID parameters instead of a service', () => {
    const r = parse('traceID=00000000000000000000000000000abc&traceID=1');
    expect(r.ok && r.value.traceIDs).toEqual(['0000000000000abc', '0000000000000001']);
  });
});

describe('Jaeger /api/dependencies parameters', () => {
  it('reads endTs and lookback in ms, defaulting to now and one day', () => {
    expect(parseDependencyParams(new URLSearchParams('endTs=5000&lookback=1000'), NOW_MS)).toEqual({
      ok: true,
      value: { endTsMs: 5000, lookbackMs: 1000 },
    });
    expect(parseDependencyParams(new URLSearchParams(''), NOW_MS)).toEqual({
      ok: true,
      value: { endTsMs: NOW_MS, lookbackMs: 86_400_000 },
    });
  });
});

import { describe, expect, it } from 'vitest';
import {
  formatTags,
  parseGoDuration,
  parseSearchState,
  parseTags,
  searchStateToParams,
  toTraceSearch,
} from './search-params';

describe('parseTags (logfmt, as Jaeger UI reads its tags box)', () => {
  it('reads key=value pairs and quoted values', () => {
    expect(parseTags('http.status_code=503 error=true upstream_cluster="outbound|9080||ratings x"')).toEqual({
      ok: true,
      tags: { 'http.status_code': '503', error: 'true', upstream_cluster: 'outbound|9080||ratings x' },
    });
  });
  it('rejects a tag without a value and an unterminated quote', () => {
    expect(parseTags('error')).toEqual({ ok: false, error: 'tag "error" has no value: write key=value' });
    expect(parseTags('a="x')).toMatchObject({ ok: false });
    expect(parseTags('{"a"=1}')).toMatchObject({ ok: false });
  });
  it('round-trips through formatTags', () => {
    const tags = { a: 'b c', d: 'e"f', g: 'h' };
    expect(parseTags(formatTags(tags))).toEqual({ ok: true, tags });
  });
});

describe('parseGoDuration', () => {
  it('reads Go durations into µs', () => {
    expect([parseGoDuration('250us'), parseGoDuration('1.5ms'), parseGoDuration('1m30s')]).toEqual([
      250, 1500, 90_000_000,
    ]);
    expect([parseGoDuration('10'), parseGoDuration('1 s'), parseGoDuration('')]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe('search state', () => {
  it('applies defaults and reads every field', () => {
    const r = parseSearchState(
      new URLSearchParams(
        'service=ratings&operation=GET&tags=http.status_code%3D503&errors=1&minDuration=10ms&lookback=15m&limit=50',
      ),
    );
    expect(r).toEqual({
      ok: true,
      state: {
        service: 'ratings',
        operation: 'GET',
        tags: 'http.status_code=503',
        errorsOnly: true,
        minDuration: '10ms',
        maxDuration: undefined,
        lookback: '15m',
        limit: 50,
      },
    });
    expect(parseSearchState(new URLSearchParams())).toMatchObject({
      ok: true,
      state: { lookback: '1h', limit: 20 },
    });
  });
  it('names each invalid field', () => {
    const r = parseSearchState(new URLSearchParams('limit=0&lookback=3y&minDuration=fast&tags=oops'));
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.errors.map((e) => e.field).sort()).toEqual(['limit', 'lookback', 'minDuration', 'tags']);
  });
  it('rejects a minimum above the maximum duration', () => {
    const r = parseSearchState(new URLSearchParams('minDuration=2s&maxDuration=100ms'));
    expect(r).toEqual({
      ok: false,
      errors: [{ field: 'maxDuration', message: 'minDuration must not exceed maxDuration' }],
    });
  });
  it('writes a tidy URL without the defaults, and reads it back the same', () => {
    const r = parseSearchState(new URLSearchParams('service=reviews&errors=true&lookback=1h&limit=20'));
    if (!r.ok) throw new Error('expected a valid state');
    const params = searchStateToParams(r.state);
    expect(params.toString()).toBe('service=reviews&errors=1');
    expect(parseSearchState(params)).toEqual(r);
  });
});

describe('toTraceSearch', () => {
  it('searches the lookback window in µs, with error=true among the tags for errors only', () => {
    const r = parseSearchState(
      new URLSearchParams('tags=http.status_code%3D503&errors=1&lookback=5m&maxDuration=1s'),
    );
    if (!r.ok) throw new Error('expected a valid state');
    expect(toTraceSearch(r.state, 'ratings', 1_700_000_000_000)).toEqual({
      service: 'ratings',
      tags: { 'http.status_code': '503', error: 'true' },
      startUs: 1_700_000_000_000_000 - 300_000_000,
      endUs: 1_700_000_000_000_000,
      maxDuration: '1s',
      limit: 20,
    });
  });
});

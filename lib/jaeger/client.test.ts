import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createJaegerClient, rfc3339, v3SearchParams } from './client';
import { readTraceAnswer, readTraceAnswerBody } from './trace-answer';

const FIXTURES = new URL('../../fixtures/jaeger/', import.meta.url);
const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));
const capture = fixture('parser-parity-capture.json') as { legacy: { data: unknown[] }; v3: unknown };
const TRACE_ID = 'f77950feed55c1ce91dd8e8789000001';

type Route = (url: URL) => { status: number; body: string } | undefined;
const json = (status: number, body: unknown) => ({ status, body: JSON.stringify(body) });
const notFoundRoute = { status: 404, body: '404 page not found\n' };

/** A fetch answering from `route`, recording the paths asked. */
function fakeFetch(route: Route, asked: string[] = []): typeof fetch {
  return (async (input: string | URL | Request) => {
    const url = new URL(String(input));
    asked.push(`${url.pathname}${url.search}`);
    const answer = route(url) ?? notFoundRoute;
    return new Response(answer.body, { status: answer.status });
  }) as typeof fetch;
}

/** A Jaeger that still has v1. */
const v1Jaeger: Route = (url) => {
  const envelope = (data: unknown, total = 0) =>
    json(200, { data, total, limit: 0, offset: 0, errors: null });
  if (url.pathname === '/api/services') return envelope(['test-service'], 1);
  if (url.pathname === '/api/operations') return envelope([{ name: 'test-op', spanKind: 'server' }], 1);
  if (url.pathname === '/api/traces') {
    if (!url.searchParams.get('service')) {
      return json(400, {
        data: null,
        total: 0,
        limit: 0,
        offset: 0,
        errors: [{ code: 400, msg: "parameter 'service' is required" }],
      });
    }
    return envelope(capture.legacy.data);
  }
  if (url.pathname === `/api/traces/${TRACE_ID}`) return json(200, capture.legacy);
  if (url.pathname.startsWith('/api/traces/')) {
    return json(404, {
      data: null,
      total: 0,
      limit: 0,
      offset: 0,
      errors: [{ code: 404, msg: 'trace not found' }],
    });
  }
  if (url.pathname === '/api/dependencies') return envelope(null);
  return undefined;
};

/** A Jaeger whose v1 routes are gone: only /api/v3. */
const v3Jaeger: Route = (url) => {
  if (url.pathname === '/api/v3/services') return json(200, { services: ['test-service'] });
  if (url.pathname === '/api/v3/operations')
    return json(200, { operations: [{ name: 'test-op', spanKind: 'server' }] });
  if (url.pathname === '/api/v3/traces' || url.pathname === `/api/v3/traces/${TRACE_ID}`) {
    return url.searchParams.get('query.service_name') === 'nobody'
      ? json(404, { error: { httpCode: 404, message: 'No traces found' } })
      : json(200, capture.v3);
  }
  if (url.pathname.startsWith('/api/v3/traces/'))
    return json(404, { error: { httpCode: 404, message: 'No traces found' } });
  return undefined;
};

describe('Jaeger client, v1', () => {
  const client = createJaegerClient({ baseUrl: 'http://jaeger:16686/', fetch: fakeFetch(v1Jaeger) });

  it('reads services, operations, traces and dependencies from the v1 envelopes', async () => {
    expect(await client.services()).toEqual({ ok: true, value: ['test-service'] });
    expect(await client.operations('test-service')).toEqual({
      ok: true,
      value: [{ name: 'test-op', spanKind: 'server' }],
    });
    expect(await client.findTraces({ service: 'test-service', limit: 20 })).toEqual({
      ok: true,
      value: capture.legacy.data,
    });
    expect(await client.getTrace(TRACE_ID)).toEqual({ ok: true, value: capture.legacy.data[0] });
    expect(await client.dependencies(1, 1)).toEqual({ ok: true, value: [] });
    expect(client.apiVersion).toBe('v1');
  });

  it('turns Jaeger errors into typed values', async () => {
    expect(await client.getTrace('0123456789abcdef')).toEqual({
      ok: false,
      error: { kind: 'not_found', message: 'trace not found', status: 404 },
    });
    expect(await client.findTraces({ service: '' })).toEqual({
      ok: false,
      error: { kind: 'bad_request', message: "parameter 'service' is required", status: 400 },
    });
  });

  it('shows a trace a strict schema refused (no warnings field, a bool tag sent as "true"), saying so', async () => {
    const odd = structuredClone(capture.legacy) as { data: { spans: Record<string, unknown>[] }[] };
    const first = odd.data[0]?.spans[0] as Record<string, unknown>;
    delete first.warnings;
    first.tags = [{ key: 'error', type: 'bool', value: 'true' }];
    const c = createJaegerClient({
      baseUrl: 'http://jaeger:16686',
      fetch: fakeFetch((url) => (url.pathname === `/api/traces/${TRACE_ID}` ? json(200, odd) : undefined)),
    });
    const r = await c.getTrace(TRACE_ID);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.spans[0]?.tags).toEqual([{ key: 'error', type: 'bool', value: true }]);
    expect(r.value.spans[0]?.warnings?.[0]).toContain('bool sent as the string "true"');
  });

  it('answers an answer without any trace as a bad answer in words', async () => {
    const c = createJaegerClient({
      baseUrl: 'http://jaeger:16686',
      fetch: fakeFetch(() => json(200, { data: [{ traceID: TRACE_ID }] })),
    });
    expect(await c.getTrace(TRACE_ID)).toMatchObject({
      ok: false,
      error: { kind: 'bad_answer', message: expect.stringContaining('no "spans" list') },
    });
  });

  it('sends the search as the Jaeger UI does', async () => {
    const asked: string[] = [];
    const c = createJaegerClient({ baseUrl: 'http://jaeger:16686', fetch: fakeFetch(v1Jaeger, asked) });
    await c.findTraces({
      service: 'web',
      operation: 'GET /',
      tags: { error: 'true' },
      startUs: 1,
      endUs: 2,
      minDuration: '1.2s',
      limit: 5,
    });
    const sent = new URL(`http://x${asked[0]}`).searchParams;
    expect(Object.fromEntries(sent)).toEqual({
      service: 'web',
      operation: 'GET /',
      tags: '{"error":"true"}',
      start: '1',
      end: '2',
      minDuration: '1.2s',
      limit: '5',
    });
  });
});

describe('Jaeger client, falling back to v3', () => {
  it('uses /api/v3 once v1 routes answer 404 page not found, converting OTLP to the same model', async () => {
    const asked: string[] = [];
    const client = createJaegerClient({ baseUrl: 'http://jaeger:16686', fetch: fakeFetch(v3Jaeger, asked) });
    expect(await client.findTraces({ service: 'test-service' })).toEqual({
      ok: true,
      value: capture.legacy.data,
    });
    expect(client.apiVersion).toBe('v3');
    expect(await client.getTrace(TRACE_ID)).toEqual({ ok: true, value: capture.legacy.data[0] });
    expect(await client.services()).toEqual({ ok: true, value: ['test-service'] });
    expect(await client.operations('test-service', 'server')).toEqual({
      ok: true,
      value: [{ name: 'test-op', spanKind: 'server' }],
    });
    expect(await client.findTraces({ service: 'nobody' })).toEqual({ ok: true, value: [] });
    expect((await client.getTrace('0123456789abcdef')).ok).toBe(false);
    expect((await client.dependencies(1, 1)).ok).toBe(false);
    // v1 was asked once, then only v3.
    expect(asked.filter((p) => !p.startsWith('/api/v3/'))).toEqual([asked[0]]);
  });

  it('reports an unreachable Jaeger as unavailable', async () => {
    const failing = (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch;
    const client = createJaegerClient({ baseUrl: 'http://127.0.0.1:9', fetch: failing });
    expect(await client.services()).toEqual({
      ok: false,
      error: { kind: 'unavailable', message: 'Jaeger at http://127.0.0.1:9 is unreachable' },
    });
  });

  it('writes v3 times as RFC 3339 with microseconds and requires both bounds', () => {
    expect(rfc3339(1_700_000_000_123_456)).toBe('2023-11-14T22:13:20.123456Z');
    const p = v3SearchParams({ service: 's', endUs: 1_700_000_000_000_000 }, 0);
    expect(p.get('query.start_time_min')).toBe('2023-11-12T22:13:20.000000Z');
  });
});

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('a trace answer passed through unparsed (the browser reads big traces itself)', () => {
  const routes: [string, Route][] = [
    ['v1', v1Jaeger],
    ['v3', v3Jaeger],
  ];
  it.each(routes)(
    'hands over %s answers byte for byte, read into what getTrace reads',
    async (api, route) => {
      const client = createJaegerClient({ baseUrl: 'http://jaeger:16686', fetch: fakeFetch(route) });
      const answer = await client.getTraceAnswer(TRACE_ID);
      if (!answer.ok) throw new Error(answer.error.message);
      expect(answer.value.api).toBe(api);
      const text = new TextDecoder().decode(answer.value.bytes);
      expect(text).toBe(JSON.stringify(api === 'v1' ? capture.legacy : capture.v3));
      const fresh = createJaegerClient({ baseUrl: 'http://jaeger:16686', fetch: fakeFetch(route) });
      const viaServer = await fresh.getTrace(TRACE_ID);
      expect(readTraceAnswer(answer.value)).toEqual(viaServer);
      expect(readTraceAnswerBody(answer.value.api, JSON.parse(text))).toEqual(viaServer);
    },
  );

  it.each(routes)('fails on %s as getTrace does: unknown trace, Jaeger down', async (_api, route) => {
    const client = createJaegerClient({ baseUrl: 'http://jaeger:16686', fetch: fakeFetch(route) });
    const unknown = await client.getTraceAnswer('0123456789abcdef');
    expect(unknown).toMatchObject({ ok: false, error: { kind: 'not_found' } });
    const down = createJaegerClient({
      baseUrl: 'http://127.0.0.1:9',
      fetch: (async () => {
        throw new TypeError('fetch failed');
      }) as typeof fetch,
    });
    expect(await down.getTraceAnswer(TRACE_ID)).toEqual({
      ok: false,
      error: { kind: 'unavailable', message: 'Jaeger at http://127.0.0.1:9 is unreachable' },
    });
  });

  it('reads a 2xx answer that holds no trace, or is not JSON, as getTrace does: in words', () => {
    expect(readTraceAnswer({ api: 'v1', bytes: utf8('<html>') })).toMatchObject({
      ok: false,
      error: { kind: 'bad_answer', message: 'unexpected answer from Jaeger: not JSON' },
    });
    expect(readTraceAnswer({ api: 'v1', bytes: utf8('{"data":null}') })).toMatchObject({
      ok: false,
      error: { kind: 'not_found' },
    });
    expect(readTraceAnswerBody('v1', { data: [{ traceID: TRACE_ID }] })).toMatchObject({
      ok: false,
      error: { kind: 'bad_answer', message: expect.stringContaining('no "spans" list') },
    });
    expect(readTraceAnswerBody('v3', 'text')).toMatchObject({ ok: false, error: { kind: 'bad_answer' } });
  });

  it('tells how much of the answer arrived while reading it (the page decides before the last byte)', async () => {
    const big = JSON.stringify(capture.legacy);
    const chunked = (async () =>
      new Response(
        new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(utf8(big.slice(0, 100)));
            c.enqueue(utf8(big.slice(100)));
            c.close();
          },
        }),
        { status: 200 },
      )) as typeof fetch;
    const seen: [number, number | undefined][] = [];
    const client = createJaegerClient({ baseUrl: 'http://jaeger:16686', fetch: chunked });
    const answer = await client.getTraceAnswer(TRACE_ID, (received, declared) =>
      seen.push([received, declared]),
    );
    if (!answer.ok) throw new Error(answer.error.message);
    expect(new TextDecoder().decode(answer.value.bytes)).toBe(big);
    expect(seen).toEqual([
      [0, undefined],
      [100, undefined],
      [utf8(big).byteLength, undefined],
    ]);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createJaegerQueryClient, jaegerUrlFromEnv } from './jaeger-query';

const FIXTURES = new URL('../../../shared/fixtures/jaeger/', import.meta.url);
const fixtureText = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8');

function fakeFetch(handler: (url: string) => Response | Promise<Response>) {
  const urls: string[] = [];
  const f = (async (input: string | URL | Request) => {
    const url = String(input);
    urls.push(url);
    return handler(url);
  }) as typeof fetch;
  return { f, urls };
}
const json = (body: unknown, status = 200) =>
  new Response(typeof body === 'string' ? body : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });

describe('createJaegerQueryClient', () => {
  it("reads a real Jaeger's trace answer and asks the right path", async () => {
    const { f, urls } = fakeFetch(() => json(JSON.parse(fixtureText('parser-parity-capture.json')).legacy));
    const client = createJaegerQueryClient({ baseUrl: 'http://jaeger:16686/', fetch: f });
    const r = await client.trace('f77950feed55c1ce91dd8e8789000001');
    expect(urls).toEqual(['http://jaeger:16686/api/traces/f77950feed55c1ce91dd8e8789000001']);
    expect(r.ok && r.value.spans.length).toBe(2);
  });

  it('answers services and operations, an empty list written as null included', async () => {
    const { f, urls } = fakeFetch((url) =>
      url.endsWith('/api/services')
        ? json({ data: ['ratings.default', 'reviews.default'], total: 2, limit: 0, offset: 0, errors: null })
        : json({ data: null, total: 0, limit: 0, offset: 0, errors: null }),
    );
    const client = createJaegerQueryClient({ baseUrl: 'http://j', fetch: f });
    expect(await client.services()).toEqual({ ok: true, value: ['ratings.default', 'reviews.default'] });
    expect(await client.operations('a b/c')).toEqual({ ok: true, value: [] });
    expect(urls[1]).toBe('http://j/api/services/a%20b%2Fc/operations');
  });

  it('reports Jaeger unreachable as jaeger_unavailable, with the cause', async () => {
    const { f } = fakeFetch(() => {
      throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:16686') });
    });
    const r = await createJaegerQueryClient({ baseUrl: 'http://127.0.0.1:16686', fetch: f }).services();
    expect(r).toEqual({
      ok: false,
      error: {
        code: 'jaeger_unavailable',
        message: 'Jaeger at http://127.0.0.1:16686 is unreachable: connect ECONNREFUSED 127.0.0.1:16686',
      },
    });
  });

  it("maps Jaeger's 404 envelope to trace_not_found, 503 to unavailable, other failures to jaeger_error", async () => {
    const notFound = {
      data: null,
      total: 0,
      limit: 0,
      offset: 0,
      errors: [{ code: 404, msg: 'trace not found' }],
    };
    const cases: [Response, string][] = [
      [json(notFound, 404), 'trace_not_found'],
      [json('upstream down', 503), 'jaeger_unavailable'],
      [
        json({ data: null, total: 0, limit: 0, offset: 0, errors: [{ code: 400, msg: 'bad' }] }, 400),
        'jaeger_error',
      ],
      [json({ data: [{ nope: 1 }], total: 0, limit: 0, offset: 0, errors: null }), 'jaeger_error'],
      [json('<html>', 200), 'jaeger_error'],
    ];
    for (const [response, code] of cases) {
      const { f } = fakeFetch(() => response);
      const r = await createJaegerQueryClient({ baseUrl: 'http://j', fetch: f }).trace('abc');
      expect(r.ok ? 'ok' : r.error.code).toBe(code);
    }
  });

  it('takes its base URL from JAEGER_URL only, http(s) only', () => {
    expect(jaegerUrlFromEnv({})).toBe('http://127.0.0.1:16686');
    expect(jaegerUrlFromEnv({ JAEGER_URL: 'http://127.0.0.1:5000/' })).toBe('http://127.0.0.1:5000');
    expect(() => jaegerUrlFromEnv({ JAEGER_URL: 'file:///etc/passwd' })).toThrow(/http/);
  });
});

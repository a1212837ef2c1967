import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiFailure, fetchJson, retryUnlessFinal, send, UNREACHABLE } from './fetch-json';

// Real answers over loopback, in the two envelopes the route handlers use, and a few they never should.
const ANSWERS: Record<string, { status: number; type: string; body: string }> = {
  '/ok': { status: 200, type: 'application/json', body: '{"a":1}' },
  '/error': {
    status: 400,
    type: 'application/json',
    body: '{"error":{"code":"invalid_request","message":"limit: too big","fields":[{"field":"limit","message":"too big"}]}}',
  },
  '/outcome': {
    status: 503,
    type: 'application/json',
    body: '{"ok":false,"kind":"unavailable","message":"down"}',
  },
  '/html': { status: 502, type: 'text/html', body: '<html>Bad gateway</html>' },
  '/error-with-200': {
    status: 200,
    type: 'application/json',
    body: '{"error":{"code":"jaeger_error","message":"x"}}',
  },
};

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const a = ANSWERS[req.url ?? ''] ?? { status: 404, type: 'text/plain', body: 'no' };
    res.writeHead(a.status, { 'content-type': a.type }).end(a.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function failureOf(path: string): Promise<ApiFailure> {
  const err = await fetchJson(`${base}${path}`).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ApiFailure);
  return err as ApiFailure;
}

describe('fetchJson', () => {
  it('answers the JSON body', async () => {
    expect(await fetchJson(`${base}/ok`)).toEqual({ a: 1 });
  });

  it('throws a read error with its code, message, status and fields', async () => {
    const f = await failureOf('/error');
    expect([f.code, f.message, f.status]).toEqual(['invalid_request', 'limit: too big', 400]);
    expect(f.fields).toEqual([{ field: 'limit', message: 'too big' }]);
    expect((await failureOf('/error-with-200')).code).toBe('jaeger_error');
  });

  it('throws a canary outcome failure with its kind as the code', async () => {
    const f = await failureOf('/outcome');
    expect([f.code, f.message, f.status]).toEqual(['unavailable', 'down', 503]);
  });

  it('says in words when the answer is not JSON', async () => {
    const f = await failureOf('/html');
    expect([f.code, f.message, f.status]).toEqual(['http_error', 'The dashboard answered 502.', 502]);
  });

  it('says the dashboard cannot be reached when nothing answers, and only that is retried (once)', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const err = (await fetchJson(`http://127.0.0.1:${port}/ok`).catch((e: unknown) => e)) as ApiFailure;
    expect([err.code, err.status]).toEqual([UNREACHABLE, 0]);
    expect(retryUnlessFinal(0, err)).toBe(true);
    expect(retryUnlessFinal(1, err)).toBe(false);
    expect(retryUnlessFinal(0, await failureOf('/outcome'))).toBe(false);
  });
});

describe('send', () => {
  it('hands back a failed answer as it is (a write outcome is a value)', async () => {
    expect(await send(`${base}/outcome`, { method: 'PUT', json: { a: 1 } })).toEqual({
      status: 503,
      ok: false,
      body: { ok: false, kind: 'unavailable', message: 'down' },
    });
  });
});

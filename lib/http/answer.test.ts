import { describe, expect, it } from 'vitest';
import { answerError, answerJson, answerLoaded, answerOutcome } from './answer';

describe('answerJson', () => {
  it('sends JSON, never cached, with its phases as Server-Timing', async () => {
    const res = answerJson({ a: 1 }, { timings: { prometheus: 12.345, assemble: 3 } });
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('server-timing')).toMatch(
      /^prometheus;dur=12\.3, assemble;dur=3\.0, serialize;dur=\d+\.\d$/,
    );
    expect(await res.json()).toEqual({ a: 1 });
    expect(answerJson([]).headers.get('server-timing')).toBeNull();
  });
});

describe('answerError', () => {
  it('says whose fault a failure is: bad input 400, a backend down 503, a backend failing 502', async () => {
    const down = answerError({ code: 'prometheus_unavailable', message: 'down' });
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ error: { code: 'prometheus_unavailable', message: 'down' } });
    expect(answerError({ code: 'prometheus_timeout', message: 'slow' }).status).toBe(502);
    expect(answerError({ code: 'jaeger_unavailable', message: 'x' }).status).toBe(503);
    expect(answerError({ code: 'trace_not_found', message: 'x' }).status).toBe(404);
    expect(answerError({ code: 'bad_request', message: 'x' }).status).toBe(400);
  });

  it('names the invalid fields', async () => {
    const res = answerError({ code: 'invalid_request', message: 'limit: too big' }, [
      { field: 'limit', message: 'too big' },
    ]);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: {
        code: 'invalid_request',
        message: 'limit: too big',
        fields: [{ field: 'limit', message: 'too big' }],
      },
    });
  });
});

describe('canary answers', () => {
  it('spreads a loaded object, wraps a list in items', async () => {
    expect(await answerLoaded({ ok: true, value: { a: 1 } }).json()).toEqual({ ok: true, a: 1 });
    expect(await answerLoaded({ ok: true, value: [1, 2] }).json()).toEqual({ ok: true, items: [1, 2] });
  });

  it('answers failures as JSON with their status: control plane down is 503, never an HTML page', async () => {
    const res = answerLoaded({
      ok: false,
      kind: 'unavailable',
      message: 'The control plane cannot be reached.',
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toEqual({
      ok: false,
      kind: 'unavailable',
      message: 'The control plane cannot be reached.',
    });
    expect(answerLoaded({ ok: false, kind: 'not-found', message: 'x' }).status).toBe(404);
    expect(answerOutcome({ ok: false, kind: 'bad-request', message: 'x' }).status).toBe(400);
    expect(answerOutcome({ ok: false, kind: 'conflict', message: 'x' }).status).toBe(409);
    expect(answerOutcome({ ok: true }).status).toBe(200);
  });
});

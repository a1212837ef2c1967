import { describe, expect, it } from 'vitest';
import { answer } from './respond';

describe('answer', () => {
  it('spreads a loaded object, wraps a list in items', async () => {
    expect(await answer({ ok: true, value: { a: 1 } }).json()).toEqual({ ok: true, a: 1 });
    expect(await answer({ ok: true, value: [1, 2] }).json()).toEqual({ ok: true, items: [1, 2] });
  });

  it('answers failures as JSON with their status: control plane down is 503, never an HTML page', async () => {
    const res = answer({ ok: false, kind: 'unavailable', message: 'The control plane cannot be reached.' });
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toEqual({
      ok: false,
      kind: 'unavailable',
      message: 'The control plane cannot be reached.',
    });
    expect(answer({ ok: false, kind: 'not-found', message: 'x' }).status).toBe(404);
  });
});

import { describe, expect, it } from 'vitest';
import { ok, prometheusFailure } from './http';

describe('graph API answers', () => {
  it('sends JSON with its phases as Server-Timing', async () => {
    const res = ok({ a: 1 }, { prometheus: 12.345, assemble: 3 });
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('server-timing')).toMatch(
      /^prometheus;dur=12\.3, assemble;dur=3\.0, serialize;dur=\d+\.\d$/,
    );
    expect(await res.json()).toEqual({ a: 1 });
  });

  it('sends no Server-Timing without timings, and Prometheus failures with their status', async () => {
    expect(ok([]).headers.get('server-timing')).toBeNull();
    const down = prometheusFailure({ code: 'prometheus_unavailable', message: 'down' });
    expect(down.status).toBe(503);
    expect(prometheusFailure({ code: 'prometheus_timeout', message: 'slow' }).status).toBe(502);
    expect(await down.json()).toEqual({ error: { code: 'prometheus_unavailable', message: 'down' } });
  });
});

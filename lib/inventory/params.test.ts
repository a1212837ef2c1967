import { describe, expect, it } from 'vitest';
import { parseDuration, parseItem, parseMetricParams } from './params';

describe('inventory params', () => {
  it('accepts names of the mesh and refuses anything else in words', () => {
    expect(parseItem('services', 'bookinfo', 'ratings-db.example.com')).toMatchObject({ ok: true });
    expect(parseItem('pods', 'bookinfo', 'x')).toEqual({
      ok: false,
      message: 'kind: one of applications, workloads, services',
    });
    expect(parseItem('workloads', 'Book"info', 'x')).toMatchObject({ ok: false });
    expect(parseItem('workloads', 'bookinfo', 'a"} or vector(1)')).toMatchObject({ ok: false });
  });

  it('defaults what is missing or unknown; a service has inbound metrics only', () => {
    expect(parseDuration('7d')).toBe('5m');
    expect(parseMetricParams(new URLSearchParams('direction=outbound'), 'workloads')).toEqual({
      direction: 'outbound',
      reporter: 'source',
      by: 'none',
      window: '30m',
    });
    expect(
      parseMetricParams(
        new URLSearchParams('direction=outbound&by=peer&window=1h&reporter=source'),
        'services',
      ),
    ).toEqual({
      direction: 'inbound',
      reporter: 'source',
      by: 'peer',
      window: '1h',
    });
  });
});

import { describe, expect, it } from 'vitest';
import { parseGoDuration } from './go-duration';

describe('Go durations (Jaeger minDuration/maxDuration)', () => {
  it.each([
    ['1.2s', 1.2e9],
    ['100ms', 1e8],
    ['1h30m', 5400e9],
    ['250us', 250e3],
    ['250µs', 250e3],
    ['7ns', 7],
    ['.5s', 5e8],
    ['0', 0],
    ['-1m', -60e9],
  ])('%s is %d ns', (text, ns) => {
    expect(parseGoDuration(text)).toEqual({ ok: true, ns });
  });

  it('answers Go error messages for bad input', () => {
    expect(parseGoDuration('abc')).toEqual({ ok: false, error: 'time: invalid duration "abc"' });
    expect(parseGoDuration('100')).toEqual({ ok: false, error: 'time: missing unit in duration "100"' });
    expect(parseGoDuration('5x')).toEqual({ ok: false, error: 'time: unknown unit "x" in duration "5x"' });
    expect(parseGoDuration('')).toEqual({ ok: false, error: 'time: invalid duration ""' });
  });
});

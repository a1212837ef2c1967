import { describe, expect, it } from 'vitest';
import { compileFault, decideFault } from './fault';

describe('fault injection', () => {
  it('delays and aborts by their own percentages', () => {
    const p = compileFault({
      delay: { fixedDelay: '2s', percentage: { value: 25 } },
      abort: { httpStatus: 500, percentage: { value: 10 } },
    });
    expect(decideFault(p, 0.2, 0.5)).toEqual({ delayMs: 2000, abortStatus: 0 });
    expect(decideFault(p, 0.3, 0.05)).toEqual({ delayMs: 0, abortStatus: 500 });
    expect(decideFault(p, 0.9, 0.9)).toEqual({ delayMs: 0, abortStatus: 0 });
  });

  it('applies to every request when the percentage is left out', () => {
    const p = compileFault({ abort: { httpStatus: 503 } });
    expect(decideFault(p, 0.999, 0.999).abortStatus).toBe(503);
  });

  it('no fault config, no fault', () => {
    expect(compileFault(undefined)).toBeUndefined();
    expect(decideFault(undefined, 0, 0)).toEqual({ delayMs: 0, abortStatus: 0 });
  });

  it('aborts about the configured share of 10,000 requests', () => {
    const p = compileFault({ abort: { httpStatus: 500, percentage: { value: 30 } } });
    let aborted = 0;
    for (let i = 0; i < 10_000; i++) if (decideFault(p, 1, (i + 0.5) / 10_000).abortStatus) aborted++;
    expect(aborted).toBe(3000);
  });
});

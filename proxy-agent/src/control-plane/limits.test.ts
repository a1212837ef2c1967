import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, resolveLimits } from './limits';

describe('limits', () => {
  it('applies overrides over the defaults, ignoring undefined', () => {
    expect(resolveLimits({ maxBodyDepth: 8, watchBufferBytes: undefined })).toEqual({
      ...DEFAULT_LIMITS,
      maxBodyDepth: 8,
    });
  });

  it('refuses a limit that is not a positive integer, and a headers deadline past the request deadline', () => {
    expect(() => resolveLimits({ maxWatchesPerUser: 0 })).toThrow(/maxWatchesPerUser/);
    expect(() => resolveLimits({ maxBodyBytes: 1.5 })).toThrow(/maxBodyBytes/);
    expect(() => resolveLimits({ headersTimeoutMs: 60_000 })).toThrow(/headers timeout/);
  });
});
